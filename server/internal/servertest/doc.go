// Package servertest holds what the transport tests share: a scriptable
// Core (the gateway is tested on its own and end to end in e2e/; here the
// transports must be driven into every error and timing case) and real
// virtual keys over a real SQLite store.
package servertest
