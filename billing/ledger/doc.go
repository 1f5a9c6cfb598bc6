// Package ledger is Switchboard's spend ledger: one Record per provider
// attempt that consumed tokens (first tries, retries, failovers, hedges,
// continuations), keyed by request id and attempt number, so a request's
// cost is the sum of its records and writing a record twice stores it
// once.
//
// # Storage
//
// Store is the persistence contract (store/postgres for production,
// store/sqlite embedded; store/storetest.RunSpend is the conformance suite
// both pass). Writes are batches, atomic and idempotent. Each backend keeps
// daily rollups, updated in the transaction that inserts the batch and
// only by the records that were actually new, so a replayed batch changes
// nothing; grouped queries (by key, team, user, model, provider,
// deployment, alias and day) read the rollups for whole UTC days and the
// records only for the partial days at the ends of the range. Requests are
// counted once each, in the group of the request's lowest-numbered
// recorded attempt; the helpers in rollup.go keep every backend doing that
// the same way.
//
// Records are never deleted (they are the books). For a user's erasure
// request, a store that implements SpendPseudonymizer replaces the user's
// id on their records and rollups by a pseudonym, leaving every amount
// where it was.
//
// # Writer
//
// Writer keeps the store off the request path. Enqueue puts a record in a
// bounded in-memory queue and returns; a background loop writes batches
// (BatchSize records, or whatever is queued FlushInterval after the oldest
// arrived). When a write fails, the batch goes to the spool, a directory of
// append-only segment files (a versioned header line, then one JSON record
// per line, fsynced before anything counts as spooled). While the spool
// holds anything, later batches go behind it, and the loop replays it in
// order, retrying with backoff until the store answers, deleting a segment
// only after all its records are stored. When the queue is full, Enqueue
// writes the queue and its record to the spool itself rather than drop
// anything. Close flushes the queue to the store, or to the spool while
// the store fails; the next NewWriter on the directory replays what is
// left, including after a crash: a line torn by the crash is skipped with
// a warning, the rest is replayed.
//
// Delivery is at least once (a batch whose write timed out may have been
// stored, and is spooled and written again), and the store's idempotency
// makes it exactly once. Records are lost only when the store and the
// local disk fail together: then Enqueue returns ErrDropped and Stats
// counts them.
//
// Records are written in Enqueue order, with one exception: when the disk
// fails, a batch that could not be spooled is retried from memory later,
// after records spooled meanwhile.
package ledger
