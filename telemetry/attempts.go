package telemetry

import (
	"context"
	"net/http"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/router"
	"github.com/switchboard-gw/switchboard/telemetry/call"
	"github.com/switchboard-gw/switchboard/telemetry/genai"
	"github.com/switchboard-gw/switchboard/telemetry/tracing"
)

// AttemptHook returns the router hook that makes each provider attempt's
// span and records its metrics (router.Options.Attempts, which
// gateway.WithInstrumentation sets).
func (t *Telemetry) AttemptHook() router.AttemptHook {
	if t == nil || (t.tracer == nil && t.metrics == nil) {
		return nil
	}
	return attemptHook{t}
}

type attemptHook struct{ t *Telemetry }

func (h attemptHook) AttemptStart(ctx context.Context, a *llm.Attempt) context.Context {
	rec := call.From(ctx)
	h.t.metrics.AttemptStarted(ctx, rec, a)
	return h.t.tracer.StartAttempt(ctx, rec, a, h.t.system(a.Provider))
}

func (h attemptHook) AttemptEnd(ctx context.Context, a *llm.Attempt) {
	rec := call.From(ctx)
	operation := call.OperationChat
	if rec != nil && rec.Operation == call.OperationEmbeddings {
		operation = call.OperationEmbeddings
	}
	h.t.tracer.EndAttempt(ctx, rec, a)
	h.t.metrics.AttemptEnded(ctx, a, operation, h.t.system(a.Provider))
	rec.NoteAttempt(a)
}

// WrapProvider is called for every provider the gateway builds, with its
// configured name, kind and vendor: it learns the provider's
// gen_ai.provider.name and, with tracing on, returns p wrapped to add the
// response's details to attempt spans (p itself otherwise).
func (t *Telemetry) WrapProvider(name, kind, vendor string, p llm.Provider) llm.Provider {
	if t == nil {
		return p
	}
	t.systems.Store(name, genai.ProviderSystem(kind, vendor))
	if t.tracer == nil {
		return p
	}
	return tracing.WrapProvider(p)
}

// WrapTransport returns rt sending the trace context upstream (rt itself
// when tracing is off).
func (t *Telemetry) WrapTransport(rt http.RoundTripper) http.RoundTripper {
	if t == nil || t.tracer == nil {
		return rt
	}
	return tracing.Transport(rt)
}

// system returns the gen_ai.provider.name of the provider configured as
// name ("" for none, "_OTHER" for one WrapProvider never saw).
func (t *Telemetry) system(name string) string {
	if name == "" {
		return ""
	}
	if s, ok := t.systems.Load(name); ok {
		return s.(string)
	}
	return "_OTHER"
}
