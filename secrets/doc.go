// Package secrets resolves credential references from configuration, such as
// "env:OPENAI_API_KEY", to their values. Configuration never holds a provider
// key itself; it names where the key lives. Vault references ("vault:...")
// join in a later issue behind the same Resolver.
package secrets
