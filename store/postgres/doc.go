// Package postgres is the production store: PostgreSQL through pgx/v5 and
// its connection pool, shared by any number of gateway instances. It
// implements auth.Store and auth.KeyChangeWatcher.
//
// The schema is created by numbered SQL migrations embedded in the binary
// (migrations/NNNN_name.sql), applied by `switchboard migrate` or at start
// (Options.Migrate), each in its own transaction under a transaction-level
// advisory lock and recorded in schema_migrations, so two instances
// starting at once apply each migration exactly once. A store opened
// without migrating refuses a schema that is not current.
//
// Every change to a key row fires a trigger that announces it on the
// channel switchboard_key_changes (LISTEN/NOTIFY) when its transaction
// commits; WatchKeyChanges listens on a dedicated connection, reconnecting
// after failures, so every instance evicts a revoked key from its cache
// within moments. The tables live in the first schema of the connection's
// search_path, so several deployments (or tests) can share one database in
// separate schemas.
package postgres
