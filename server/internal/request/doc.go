// Package request carries what both transports learn about one HTTP request
// (its id, the authenticated principal, what served it) in a single context
// value, and logs each request at Debug level when it ends.
//
// Both the Connect handlers (package server) and the OpenAI shim (package
// server/openai) need the same per-request state; keeping it here lets them
// share it without importing each other.
package request
