// Package gateway is the core pipeline that both transports (the Connect API
// and the OpenAI-compatible shim) call in-process: check the request, check
// that the caller's key may use the model, route it to a provider
// deployment, and hand back the answer or the stream. It knows nothing of
// HTTP or protobuf.
//
// New builds the providers and the router from a loaded configuration.
// Reload builds them again from a new one and swaps the router atomically:
// requests in flight finish on the router they started with. Watcher
// re-reads the configuration file on demand (SIGHUP) and when it changes.
package gateway
