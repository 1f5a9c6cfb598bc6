// Package redisconn builds the go-redis client that every Redis user of the
// gateway (rate limits, budgets, idempotency) shares, from the redis section
// of the configuration: one server (redis.url or one address), a Sentinel
// group (redis.master_name with the Sentinel addresses) or a Cluster
// (several seed addresses, or redis.cluster), all behind
// redis.UniversalClient.
//
// Credential references are resolved here: a URL given as env:/vault: is
// read once, at New; redis.password is read again for every new connection,
// so that a password rotated in Vault is picked up without a restart. No
// credential value ever appears in an error or a log line.
//
// Keys are not prefixed by the client: each user puts the configured
// redis.key_prefix in front of its own keys (and, for scripts that touch
// several keys, a {hash tag} after it so that they share a Cluster slot).
package redisconn
