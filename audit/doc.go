// Package audit is Switchboard's audit trail: a record of every admin
// action (who did what to which key, team or user, when, from where, with
// the target as it was and as it became), a record of every completion and
// embeddings request (who sent it, a hash of its prompt, its sizes, tokens,
// cost, latency and outcome, never the prompt itself), the optional capture
// of a team's request and response bodies with personal data and secrets
// redacted before they are stored (package audit/redact), the retention
// sweeper that deletes records and payloads past their time, and the
// answers to data subject requests: the export (Privacy.Export) and the
// erasure (Privacy.Erase) of everything stored about a user.
//
// # Why a package of its own
//
// The admin actions are auth's commands, but what the trail keeps spans
// more than identity: request records and payloads come from the request
// path and need llm's types, retention and redaction. Keeping them here
// lets auth stay the owner of keys, teams and users (it does not know the
// trail exists), while the server records what auth's commands did and the
// transports' core is observed for request records. Dependency direction:
// server -> audit -> auth, llm, billing/ledger (for a user's spend).
//
// # Storage
//
// Store (EventStore and RequestStore) is declared here, with its sentinel
// errors; store/sqlite and store/postgres implement it in the database of
// the tenancy store, and store/storetest.RunAudit is the conformance suite
// both pass. Events are append-only; the only change ever made to one is
// EraseEventDetails, for an erasure.
//
// # Admin events
//
// Trail.Record appends an event. The server records each AdminService
// write right after the command returns and before the response is sent
// (see server/adminaudit.go for why not in the command's transaction).
// Before and After hold the public records of the admin API (never a
// secret or a secret's hash); Record scrubs anything secret-shaped from
// them again as a safeguard.
//
// # Request records
//
// RequestLog.ObserveChat and ObserveEmbed start a record when the core is
// called (the prompt's SHA-256 and sizes are taken then, and a copy of the
// request when the caller's team captures payloads); Finish, or the Close
// of the observed stream, completes it with the answer's model, tokens,
// cost and outcome and puts it in a bounded queue. RequestLog.Run writes
// batches; payloads are redacted and encoded there, off the request path.
// A full queue drops records (counted) rather than slow a request.
//
// # Retention
//
// Sweeper.Sweep deletes request records older than the gateway's request
// retention and payloads older than their team's retention (or the
// default), in bounded batches; the serve command runs it periodically.
package audit
