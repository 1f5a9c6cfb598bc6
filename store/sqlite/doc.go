// Package sqlite is the embedded store: one SQLite file, opened with the
// pure-Go modernc.org/sqlite driver so the binary needs no cgo and no
// database server. It implements auth.Store (keys, teams, users) for one
// gateway instance; it announces no changes to other processes, so a second
// instance on the same file sees revocations when its cache entries age out.
//
// Concurrency follows SQLite's own model. The file is in WAL mode, so
// readers never block the writer or each other; all writes go through a pool
// of exactly one connection, so writers in this process queue in Go instead
// of colliding inside SQLite with SQLITE_BUSY, and busy_timeout absorbs the
// rare contention with another process on the same file.
//
// The schema is created by numbered SQL migrations embedded in the binary
// (migrations/NNNN_name.sql) and applied at Open (unless WithoutMigrations),
// each in its own transaction and recorded in schema_migrations, so Open is
// idempotent and safe when two processes start at once. Times are stored as integer
// microseconds since the Unix epoch, UTC.
//
// The spend ledger (billing/ledger.Store) is the spend table and its daily
// rollups, spend_daily, updated in the transaction that inserts a batch
// and only by the rows that were new.
//
// The audit trail (audit.Store) is the tables audit_events, request_records
// and captured_payloads; payload retention is read from the teams table
// when the sweeper runs.
//
// The batch writes (WriteSpend, WriteRequests) run off the request path
// but share its CPU, so they cost a fixed number of statements per batch,
// not per record: rows go in many at a time through multi-row statements
// prepared once per Store (see multiRowStatement). What remains per record
// is SQLite's own work: binding the values and inserting into the table
// and each of its indexes.
package sqlite
