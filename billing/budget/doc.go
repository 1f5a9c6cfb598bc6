// Package budget enforces spend budgets exactly, on one gateway or many.
//
// A Budget limits one scope's spend ("key:ID", "team:ID", "user:ID": any
// string) over a Window: a UTC calendar day, a UTC calendar month, or the
// scope's lifetime. Money is integer nano-USD.
//
// # Reserve before, settle after
//
// Checking spend before a call and charging it after lets any number of
// concurrent requests through the same last dollar. Instead the gateway
// reserves each request's worst-case cost before calling a provider:
//
//	res, d, err := engine.Reserve(ctx, budgets, worstCaseNano)
//
// Reserve admits the request only if, for every refusing budget,
// spent + reserved + amount <= limit, and then holds the amount in every
// budget's current window; otherwise it holds nothing. The check and the
// holds are one atomic step across all the listed budgets (one Lua script on
// Redis, one mutex in Memory), so N concurrent worst-case requests against a
// budget that fits k of them admit exactly k, however many gateway
// instances share the Redis. When the request ends,
//
//	engine.Settle(ctx, res, actualNano)
//
// releases the hold and adds the actual cost to spent: a cheaper answer
// frees the difference for later requests; a dearer one (the provider
// returned more than estimated) is recorded in full. Charge adds spend
// discovered after the fact without a reservation. Status reports spent,
// reserved, remaining and the reset time of each budget, for the admin API.
//
// # Policies
//
// Hard (the zero value) refuses a request that does not fit; the Decision
// names the budget, what remains in it and when its window resets (an HTTP
// 429 with kind "budget" and Retry-After at the reset). Soft admits it and
// lists the budget in Decision.Over. Downgrade refuses like Hard and hands
// back Budget.Target, an alias the engine does not interpret; the gateway
// recomputes the worst case on that alias and calls Reserve again with that
// budget's Policy set to Soft (its other budgets unchanged), so the cheaper
// alias is still bounded by every other hard budget.
//
// # Lapsed reservations
//
// Every reservation has an id and a deadline (Options.ReservationTTL after
// Reserve, 15 minutes by default; it must outlast the longest request). A
// gateway that crashes never settles its reservations; any later operation
// on the same window drops holds whose deadline has passed, so they stop
// holding the budget. A late Settle of a lapsed reservation still adds its
// spend and releases nothing twice.
//
// # Windows, clocks and skew
//
// Windows are computed from Options.Clock in UTC: a daily window is
// [00:00, next 00:00), a monthly one [1st 00:00, next 1st 00:00). On Redis
// the caller names the window (its id is part of the key) and stamps
// reservation deadlines with its own clock, so a gateway whose clock is off
// by d counts requests in the first or last d of a window against the
// neighbouring window, and drops other gateways' holds up to d early (or
// late). With NTP-synchronised hosts d is milliseconds against windows of
// days and a TTL of minutes. Redis's own clock only drives key expiry, and
// only through relative TTLs. A request counts in the windows current when
// it was reserved, even if it settles after midnight. Counters are kept a
// day past the end of their window (for late settlements) and then expire;
// settling into a window older than that changes nothing.
//
// # Seeding
//
// A window's counter is created on first use from Options.Seeder (scope,
// window start -> spend so far), which the gateway backs with the spend
// ledger, so that a new Redis, a Redis that lost its data, or a restarted
// embedded gateway starts from what was actually spent. Creation is
// race-free: concurrent requests in one engine share one Seeder call, and
// across engines only the first stored value counts (SET NX semantics); a
// Seeder error fails the operation (the gateway decides whether to fail
// open). Spend the ledger recorded for requests still in flight when Redis
// lost its data may then be counted twice: budgets err towards refusing.
//
// # Redis layout
//
// NewRedis keys everything under the hash tag "{budget}" after the
// configured prefix, so every budget lives in one Redis Cluster slot (a
// script may only touch one) and Redis Cluster, Sentinel and single servers
// all work through redis.UniversalClient. Per window: a hash
// "PREFIX{budget}:SCOPE:WINDOWID" (WINDOWID is d20250314, m202503 or life)
// with fields spent, reserved and r:ID (each live reservation's amount),
// and a sorted set "PREFIX{budget}:SCOPE:WINDOWID:holds" of reservation ids
// scored by deadline. Amounts are compared in Lua's doubles, exact up to
// 2^53 nano-USD (about 9 million USD per budget); counters are updated with
// HINCRBY and stay exact int64.
//
// # Sharing a round trip
//
// QueueReserve and QueueSettle put a Reserve's or a Settle's script on a
// go-redis pipeline that carries other calls too (billing/redisadmit sends
// a request's reservation with its rate-limit check, its settlement with
// its TPM correction), and read its result as Reserve or Settle would
// return it once the pipeline has run.
package budget
