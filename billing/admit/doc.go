// Package admit decides, before a request reaches a provider, whether it
// may run, and settles what it held once it ends. It joins the engines of
// billing/ratelimit (RPM and TPM), billing/budget (spend budgets) and
// billing/idempotency (Idempotency-Key) into the one pipeline the gateway
// runs for every completion:
//
//  1. max_cost: a request whose worst-case cost is above its own cap is
//     refused (400, code max_cost_exceeded) before anything is held.
//  2. Idempotency: a request carrying an idempotency key claims it
//     (namespaced by the virtual key; fingerprint = unary or stream plus
//     the canonical request). A completed duplicate is answered from the
//     stored result without an upstream call or a charge; a running one
//     is waited for; the same key with another request is refused (422).
//  3. Rate limits: the key's, its team's and its user's RPM and TPM in one
//     all-or-nothing check (one Redis script); TPM is charged an estimate
//     and corrected to the actual tokens afterwards.
//  4. Budgets: the key's, team's and user's budgets reserve the request's
//     worst case atomically, so that no number of concurrent requests on
//     any number of instances can overspend. A downgrade budget that
//     refuses sends the request to its cheaper alias instead.
//
// When the request ends (Ticket.Finish, or the end of the stream Ticket.Stream
// wraps), the reservation is settled to the actual cost of every attempt,
// as metering charges them (Controller.ObserveCost, billing/meter's cost
// sink; the spend ledger records the same amounts), and the idempotency
// key stores the answer (or frees the key for a retry).
// Deployments' declared RPM and TPM are enforced per attempt through
// Controller.AdmitDeployment, the router's deployment gate.
//
// # Round trips
//
// With both engines in Redis and Options.Combined set (billing/redisadmit),
// a request that has rate limits and budgets costs one round trip to admit
// (the check and the reservation share a pipeline) and one after its
// answer (the settlement and the TPM correction), both on the request's
// own goroutine: the second runs once the answer is out (llm.AfterAnswer).
// Without it, two remote engines are called at once on two goroutines, and
// the correction runs on a goroutine of its own. Local engines (Memory,
// which say so with a Local method) are called one after the other, and
// their corrections at once: a call costs microseconds, less than handing
// it to another goroutine.
//
// # The worst case
//
// InputTokenBound bounds the prompt: every byte of text counts as a token
// (a byte-pair or SentencePiece token covers at least one byte), images a
// fixed allowance, framing a fixed allowance per message and tool. The
// output is max_tokens for each choice or, when the request sets none, the
// model's maximum output from the pricing table, or else a configured cap.
// Both are priced at the dearest rates of the dearest deployment the alias
// may route to: its own deployments, and those of the aliases its rules and
// fallbacks name. The bound is deliberately loose: the difference is given
// back at settlement.
//
// # Settings
//
// Limits set through the admin API (package billing/limits) are read
// through a cache with a TTL (Options.SettingsTTL): a change made on one
// instance applies there at once and on the others within the TTL.
//
// # Failures
//
// The rate limiter has its own failure mode (billing/ratelimit). When the
// budgets, the idempotency keys or the settings store cannot be reached,
// requests go through without them by default (counted in Stats, logged
// at most every 10 seconds); Options.FailClosed refuses them with 503.
//
// # Transports
//
// A transport passes the request's idempotency key and cost cap in Notes
// (WithNotes) and writes back what admission decided with SetHeaders (and
// SetErrorHeaders for a refusal): OpenAI's x-ratelimit-* headers,
// Retry-After, X-Switchboard-Limit-Kind (rpm, tpm or budget) and
// X-Switchboard-Idempotent-Replay.
package admit
