// Package router maps the model name a caller asks for to the provider
// deployments that can serve it, and runs the attempts: deployments of an
// alias are tried in order, moving on when one fails with a retryable error
// before anything reached the caller. A stream may switch deployment until
// its first chunk has been handed on, never after.
//
// Strategies, retries with backoff, circuit breakers and timeouts join in the
// routing issue; the contract stays: Complete, Stream and Embed take a
// canonical request whose Model is the caller's name.
package router
