// Package secrets resolves credential references from configuration to
// their values. Configuration never holds a provider key itself; it names
// where the key lives:
//
//	env:OPENAI_API_KEY                          an environment variable
//	vault:secret/data/switchboard/openai#api_key a field of a Vault KV secret
//
// Env resolves environment references; package secrets/vault resolves Vault
// references (cached, refreshed, renewed); Schemes dispatches a reference to
// the resolver of its scheme. A Credential binds one reference to its
// resolver so that a provider reads the current value on every request and
// can ask for a fresh one when the upstream rejects it.
//
// No value ever appears in an error, a log line or a String method here.
package secrets
