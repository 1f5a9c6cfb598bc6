// Package vault resolves "vault:" credential references against a
// HashiCorp Vault server through github.com/hashicorp/vault/api.
//
// A reference names an API path and a field:
//
//	vault:secret/data/switchboard/openai#api_key
//
// reads the KV version 2 secret "switchboard/openai" of the mount "secret"
// and returns its field "api_key" (KV version 1 paths, without "data/", work
// too). The Resolver authenticates with a token or with AppRole, keeps its
// token alive (renewal, and a new AppRole login when renewal is no longer
// possible or a read is refused), and caches values for a TTL so that the
// request path does not wait on Vault. A rotated secret is picked up when
// the TTL runs out, or at once after Invalidate (the gateway calls it when
// a provider answers 401). While Vault cannot be reached the last good value
// is served for a bounded time (MaxStaleness) with a warning in the log.
//
// No secret value or token appears in an error, a log line or String.
package vault
