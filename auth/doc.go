// Package auth turns the bearer token of a request into a Principal: it
// issues, verifies, scopes, expires and revokes virtual keys, and it checks the
// admin key that guards AdminService.
//
// # Key format
//
// A virtual key secret is "sk-sb-", then 33 base62 characters drawn uniformly
// from crypto/rand (196 bits), then a 6-character base62 CRC-32 of everything
// before it: 45 characters in all. The checksum lets Verify refuse a mistyped
// or truncated key without reading the store. Each key also has a public id
// ("key_" + 16 base62 characters) that is safe to log and to show.
//
// Only a keyed hash of the secret is stored: HMAC-SHA256 under a 32-byte
// server secret that lives in the data directory (LoadOrCreateServerSecret)
// or comes from configuration. A stolen database therefore yields neither
// usable secrets nor a way to test guesses offline.
//
// The admin key has its own prefix, "sk-sbadmin-", so neither kind of key is
// ever taken for the other: a virtual key sent to AdminService and the admin
// key sent to CompletionService are refused with a message saying which key
// belongs where.
//
// # Hot path
//
// Verify runs on every request. After the format and checksum check it hashes
// the secret and looks the hash up in a small in-memory cache of successful
// verifications (bounded, 30 s by default) before asking the store. Revoke
// through the same Keys evicts the key at once, so revocation holds from the
// next request; another gateway instance sharing the store sees it when its
// cache entry ages out. Expiry is checked on every call, cached or not, and
// failures are never cached.
//
// # Errors
//
// Every error returned by Keys, Admin and ParseSecret is an *llm.Error whose
// Message is safe to show to the caller and never contains a secret; the
// sentinel errors below are its Err, for errors.Is. The start-up loaders
// (LoadOrCreateServerSecret, LoadAdminKey) return ordinary errors naming the
// file at fault.
//
// # Storage
//
// Keys persists through the KeyStore interface declared here; store/sqlite
// implements it, and store/storetest is the conformance suite every backend
// passes.
package auth
