package gateway

import (
	"github.com/switchboard-gw/switchboard/gateway/config"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/router"
)

// Instrumentation hooks telemetry into what the gateway builds. Package
// telemetry provides both parts (Telemetry.AttemptHook and
// Telemetry.WrapProvider); the gateway does not depend on it.
type Instrumentation struct {
	// Attempts is told when each provider attempt starts and ends (attempt
	// spans and metrics); see router.AttemptHook.
	Attempts router.AttemptHook
	// Provider is given every provider the gateway builds, with its
	// configured name, kind and vendor, and returns the provider to use:
	// p, or p wrapped.
	Provider func(name, kind, vendor string, p llm.Provider) llm.Provider
}

// WithInstrumentation has the gateway's routers and providers
// instrumented by in, on every (re)load.
//
// Independently of it, every provider's HTTP client sends the trace
// context of its call's context upstream as a W3C traceparent header
// (httpClientFor), which only a traced attempt has.
func WithInstrumentation(in Instrumentation) Option {
	return func(b *buildOptions) { b.instrumentation = in }
}

// instrument passes a provider just built through the instrumentation.
func (o *buildOptions) instrument(name string, pc *config.Provider, p llm.Provider) llm.Provider {
	if o.instrumentation.Provider == nil {
		return p
	}
	return o.instrumentation.Provider(name, pc.Kind, pc.Vendor, p)
}
