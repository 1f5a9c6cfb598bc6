// Package router maps the model name a caller asks for (an alias) to the
// provider deployments that can serve it, and runs the attempts: in the
// order the alias's strategy chooses (priority, weighted, least latency,
// lowest cost, usage based), failing over to the next deployment on a
// retryable error, retrying with full-jitter backoff within the request's
// deadline and the alias's retry budget, moving to fallback aliases per
// error class, skipping deployments whose circuit breaker is open, and
// bounding each attempt by first-token, idle and total timeouts. An alias
// with content rules chooses another alias from the request (estimated
// tokens, tools, images, metadata, Complexity).
//
// Streams are pull-based: Stream returns once the first output arrived, so
// a stream may switch deployment until its first chunk has been handed to
// the caller, never after; a later break is an error (or, when the alias
// asks for it, a continuation on another deployment). Hedging races a
// second deployment against a slow first one.
//
// Every attempt is recorded as an llm.Attempt with its own usage: the
// response's Route (or a stream's first chunk, or the error's RouteError)
// carries them, and an Observer receives each as it ends, for metering.
//
// A Router is immutable; a configuration reload builds a new one over the
// same State, which keeps breakers and statistics by deployment. See
// docs/routing.md.
package router
