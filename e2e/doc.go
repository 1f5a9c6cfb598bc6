// Package e2e holds Switchboard's end-to-end tests in Go: the real gateway
// (default configuration, alias "demo" answered by the in-process simulator
// through the real OpenAI translator), a real SQLite key store and the real
// server on a loopback port, driven by real clients: the generated
// Connect-Go client over Connect, gRPC (h2c) and gRPC-Web, and the official
// OpenAI Go SDK, and plain HTTP speaking the Anthropic Messages format to the
// Anthropic-shaped front door. The package has no code of its own, only tests.
package e2e
