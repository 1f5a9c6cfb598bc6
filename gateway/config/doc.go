// Package config reads Switchboard's optional YAML configuration file and
// fills in the embedded defaults: the `demo` alias served by the in-process
// simulator, and `<provider>/<model>` routes for every provider whose
// standard API-key variable is set. An invalid file fails at start with an
// error that names the offending field.
//
// The configuration is data only; package gateway builds providers and the
// router from it.
package config
