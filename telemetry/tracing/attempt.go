package tracing

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/telemetry/call"
	"github.com/switchboard-gw/switchboard/telemetry/genai"
)

// StartAttempt starts the client span of attempt a, a child of the
// request's span in ctx, and returns ctx with it: the provider's call runs
// in that context, so its HTTP request carries the attempt's trace context.
// rec is the request's record (nil outside a gateway request); system the
// provider's gen_ai.provider.name.
//
// The span starts at a.Start, the router's own timestamp, so that it lines
// up with the attempt's Latency when it ends.
func (t *Tracer) StartAttempt(ctx context.Context, rec *call.Record, a *llm.Attempt, system string) context.Context {
	if t == nil {
		return ctx
	}
	op := call.OperationChat
	if rec != nil && rec.Operation != "" {
		op = rec.Operation
	}
	attrs := make([]attribute.KeyValue, 0, 16)
	attrs = append(attrs,
		genai.OperationName.String(op),
		genai.ProviderName.String(system),
		genai.RequestModel.String(a.Model),
		genai.Alias.String(a.Alias),
		genai.Deployment.String(a.Deployment),
		genai.Provider.String(a.Provider),
		genai.AttemptNumber.Int(a.Number),
		genai.AttemptReason.String(string(a.Reason)),
		genai.AttemptKeyIndex.Int(a.Key),
	)
	if rec != nil {
		attrs = appendRequestParams(attrs, rec)
		if rec.KeyID != "" {
			attrs = append(attrs, genai.KeyID.String(rec.KeyID))
		}
		if rec.TeamID != "" {
			attrs = append(attrs, genai.TeamID.String(rec.TeamID))
		}
		if a.Reason != llm.AttemptFirst {
			if prev, ok := rec.PreviousFailure(); ok {
				attrs = append(attrs, genai.AttemptPrevious.String(prev.Deployment), genai.AttemptCause.String(prev.ErrorKind.String()))
			}
		}
	}
	opts := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...)}
	if !a.Start.IsZero() {
		opts = append(opts, trace.WithTimestamp(a.Start))
	}
	ctx, _ = t.tracer.Start(ctx, op+" "+a.Model, opts...)
	return ctx
}

// EndAttempt ends the attempt span in ctx with a's final record: outcome,
// usage, error, the cost metering recorded for it (if any), and its time
// to first token as an event.
func (t *Tracer) EndAttempt(ctx context.Context, rec *call.Record, a *llm.Attempt) {
	if t == nil {
		return
	}
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	attrs := make([]attribute.KeyValue, 0, 8)
	attrs = append(attrs, genai.AttemptOutcome.String(string(a.Outcome)))
	if !a.Usage.IsZero() {
		attrs = appendUsage(attrs, a.Usage.InputTokens, a.Usage.OutputTokens, a.Usage.CachedInputTokens, a.Usage.CacheWriteTokens)
		if a.UsageEstimated {
			attrs = append(attrs, genai.UsageEstimated.Bool(true))
		}
	}
	if a.Status != 0 {
		attrs = append(attrs, genai.UpstreamStatus.Int(a.Status))
	}
	if nano, ok := rec.AttemptCost(a.Number); ok {
		attrs = append(attrs, genai.CostUSD.Float64(float64(nano)/1e9))
	}
	span.SetAttributes(attrs...)
	if a.Failed() {
		setError(span, a.ErrorKind, string(a.Outcome))
	} else if a.Outcome == llm.OutcomeCanceled {
		span.SetAttributes(genai.ErrorType.String(llm.KindCanceled.String()))
	}
	end := time.Now()
	if !a.Start.IsZero() {
		end = a.Start.Add(a.Latency)
		if a.TTFT > 0 {
			span.AddEvent("gen_ai.first_token", trace.WithTimestamp(a.Start.Add(a.TTFT)))
		}
	}
	span.End(trace.WithTimestamp(end))
}
