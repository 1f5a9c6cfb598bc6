// Package telemetry is where Switchboard's observability lives: the
// distributions the gateway measures about itself (subpackages histogram and
// overhead) and, with the observability release, OpenTelemetry, Prometheus
// and logging setup.
package telemetry
