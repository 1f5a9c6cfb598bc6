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
//
// The spend ledger (billing/ledger.Store) lives in the spend table,
// partitioned by month of the attempt's start (spend_yYYYYmMM, created on
// demand by WriteSpend, one month ahead, under an advisory lock; a DEFAULT
// partition is the safety net), and in spend_daily, the daily rollups,
// updated in the transaction that inserts a batch and only by the rows the
// insert reports as new. Deciding which attempt counts a request looks for
// the request's other attempts within a day of the batch's times (one
// index probe per request, in the partitions of that window): attempts of
// one request further apart than that would count it twice.
//
// The audit trail (audit.Store) is the tables audit_events, request_records
// and captured_payloads. Payload retention is read from the teams table when
// the sweeper runs. Deleting a team or user (DeleteTeam, DeleteUser) locks
// its row first; InsertKey takes a key-share lock on the owning team and
// user rows, so a key cannot be inserted into a team being deleted.
package postgres
