// Package ratelimit enforces requests-per-minute (RPM) and tokens-per-minute
// (TPM) limits for many scopes at once: a virtual key, its team, the
// deployment a request goes to. The caller lists the limits that apply to a
// request (Scoped builds them from the usual rpm/tpm pairs, where zero means
// no limit) and Check admits the request against all of them or none: a
// request rejected by its team's limit does not use up its key's.
//
// Peek reads where limits stand (what remains, when each is full again)
// without charging or writing anything, for the admin API's usage report.
//
// # Two implementations, one semantics
//
// Memory counts in the process: the embedded default, exact for a single
// instance. Redis counts in Redis, in one atomic script call per check (one
// round trip), so the limits are exact across any number of gateway
// instances: N instances sharing a limit of L per minute admit L, not N×L.
// The script reads the Redis server's clock (TIME), so the instances'
// clocks do not matter. The same conformance suite runs against both.
//
// # The algorithm: GCRA
//
// Each limit is a generic cell rate algorithm (GCRA) bucket, kept as a level
// and the time it was written: one small string per scope and kind, touched
// by one GET and at most one SET per check. A limit of L per minute drains
// L requests' (or tokens') worth per minute and holds at most a minute's
// worth, so up to L can be sent at once and then L per minute steadily. It
// was chosen over the alternatives because:
//
//   - it is exact: unlike a fixed window it never admits 2L around a
//     window boundary, and unlike the two-window "sliding window counter"
//     it does not approximate;
//   - its state is O(1) per limit whatever the rate, unlike a sliding
//     log, which keeps one sorted-set entry per request (per token, for
//     TPM, it would not work at all);
//   - it gives exact answers for the headers: the remaining allowance, the
//     time until full reset, and the Retry-After of a rejected request
//     (when the request would fit, to the millisecond);
//   - debt is natural: TPM is charged the estimated tokens at check time,
//     and Adjust adds the difference once the actual count is known; a
//     bucket may go above its capacity, and later requests wait until it
//     has drained below it.
//
// The arithmetic is in integers (bucket.go; the Lua scripts repeat it line
// for line): milliseconds, and units of 1/60000 of a request or token, so
// that a limit that does not divide a minute evenly stays exact and every
// value stays below 2^53, where Lua's numbers are exact. Keys expire once
// their bucket has drained (plus a minute), so Redis holds state only for
// scopes active in the last minutes; Memory sweeps likewise.
//
// # Sharing a round trip
//
// QueueCheck and QueueAdjust put a Check's or an Adjust's script on a
// go-redis pipeline that carries other calls too (billing/redisadmit sends
// a request's check with its budget reservation), and read its result as
// Check or Adjust would return it, within the limiter's own timeout and
// failure mode, once the pipeline has run.
//
// # Redis Cluster and Sentinel
//
// The client is a go-redis UniversalClient (internal/redisconn builds it
// from the configuration). Every key carries the hash tag {ratelimit}, so
// the keys one check touches share a Cluster slot, as a multi-key script
// requires; all rate limit state therefore lives on one shard, a deliberate
// price for all-or-nothing checks across scopes. With Sentinel, a failover
// loses at most the writes not yet replicated: limits briefly admit a little
// more, never less.
//
// # When Redis is unreachable
//
// A check that cannot reach Redis within RedisOptions.Timeout fails open by
// default: the request is admitted (Decision.Degraded), counted in Stats and
// logged at most every 10 seconds, so that a Redis outage does not become a
// gateway outage. FailClosed rejects instead, with an *llm.Error of kind
// Unavailable wrapping ErrUnavailable. A canceled caller context is returned
// as it is, never as a Redis failure.
//
// # Transports
//
// A rejected Decision gives the rejecting scope and kind (Rejection) and
// RetryAfter. Decision.Err is the error to fail the request with
// (llm.KindRateLimited: HTTP 429 on the OpenAI shim, ResourceExhausted on
// Connect); it carries the Decision, which DecisionOf recovers from the
// error chain. SetHeaders writes, from a Decision, the OpenAI-style
// x-ratelimit-{limit,remaining,reset}-{requests,tokens} headers and, on a
// rejection, Retry-After, Retry-After-Ms and X-Switchboard-Limit-Kind, into
// an http.Header: a shim response's or a Connect error's Meta alike.
package ratelimit
