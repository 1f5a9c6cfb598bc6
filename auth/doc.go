// Package auth is Switchboard's identity layer: it turns the bearer token of
// a request into a Principal (a virtual key, its team and user) or an
// AdminPrincipal (the bootstrap admin key or an admin credential with a
// role), and it issues, lists, changes, rotates and revokes keys, teams and
// users.
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
// Admin credentials have their own prefix, "sk-sbadmin-", so neither kind of
// key is ever taken for the other. They are issued by an admin
// (CreateAdminKey) with a role: admin, team_admin (limited to its team) or
// auditor (read-only, optionally limited to a team), and are stored, hashed,
// cached, rotated and revoked exactly like virtual keys. The bootstrap admin
// key (LoadAdminKey) is the one admin credential that is not stored: it
// comes from SWITCHBOARD_ADMIN_KEY or the data directory.
//
// # Tenancy
//
// Every virtual key belongs to a team (DefaultTeamID when none is given)
// and optionally to a user of that team. Keys carry scopes (allowed model
// aliases, with a trailing "*" as a prefix wildcard), an expiry, tags, and
// RPM/TPM/budget limits that the limits layer enforces.
//
// Teams and users can be deleted (Teams.Delete, Users.Delete) with every
// key they own; while a live key remains the deletion is refused unless
// forced, and the default team is never deleted. The caller hands the
// deleted keys to Keys.ForgetDeleted, so this instance refuses them at once.
//
// # Hot path
//
// Verify runs on every request. After the format and checksum check it hashes
// the secret and looks the hash up in an in-memory cache (bounded; fresh for
// the cache TTL, 30 s by default) before asking the store, so a known key
// costs no store round trip. Last-used times are recorded in memory (one
// atomic load per request) and written in batches by Run.
//
// # Revocation and changes
//
// Revoke, Update and Rotate through a Keys apply to its next Verify. Other
// instances sharing the store learn of them from the store's change
// announcements (KeyChangeWatcher: Postgres LISTEN/NOTIFY, applied by Run),
// normally within milliseconds; if an announcement is lost, the cache TTL
// bounds how late it is seen. A store without announcements (SQLite, one
// instance) relies on the TTL alone.
//
// # Outages
//
// When the store cannot be reached, keys verified within the staleness bound
// (WithMaxStaleness, 1 h by default) keep working from memory, revocations
// already seen keep holding, keys changed elsewhere are refused rather than
// served from a record known to be stale, and other keys get Unavailable
// ("key store unavailable", HTTP 503), never Unauthenticated: a client must
// not discard a key that may be valid. A small circuit breaker probes the
// store with backoff, so requests do not each wait on a dead database, and
// recovery is automatic.
//
// # Failed authentication
//
// A FailureLimiter (WithFailureLimiter, used by VerifyFrom and
// VerifyAdminFrom) is a token bucket per client address: past its
// allowance, every attempt from that address is refused with RateLimited and
// a RetryAfter until the bucket refills.
//
// # Errors
//
// Every error returned by Keys, Teams, Users and ParseSecret is an
// *llm.Error whose Message is safe to show to the caller and never contains
// a secret; the sentinel errors are its Err, for errors.Is. The start-up
// loaders (LoadOrCreateServerSecret, LoadAdminKey) return ordinary errors
// naming the file at fault.
//
// # Storage
//
// The services persist through the small role interfaces declared here
// (KeyStore, TeamStore, UserStore; Store is all three). store/sqlite and
// store/postgres implement them, and store/storetest is the conformance
// suite both pass.
package auth
