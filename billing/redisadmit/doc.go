// Package redisadmit joins the Redis rate limiter (billing/ratelimit) and
// the Redis budget engine (billing/budget) of a gateway that keeps both in
// one Redis, so that admission costs one round trip before the request
// and one after its answer: a request's rate-limit check and budget
// reservation travel in one pipeline, its settlement and TPM correction in
// another. Engines implements billing/admit's Combined capability; the
// wiring sets it as admit.Options.Combined next to the two engines, which
// serve every other call.
//
// Each call stays its own Lua script, atomic on its own, with the results,
// errors and failure modes it has when made alone: the limiter's fail-open
// or fail-closed mode, its timeout and Stats; the budget engine's errors
// and admission's own time limit; a script Redis does not have yet and a
// budget window not seeded yet are handled by a second trip, as the
// engines handle them. On a Redis Cluster, go-redis splits a pipeline by
// node: the rate limits' keys (hash tag {ratelimit}) and the budgets'
// ({budget}) may live on two nodes, reached at the same time.
package redisadmit
