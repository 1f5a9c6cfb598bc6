package metrics

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/telemetry/call"
	"github.com/switchboard-gw/switchboard/telemetry/genai"
)

// requestKey is the label set of a request's metrics.
type requestKey struct {
	transport, operation, alias, deployment, provider, outcome string
}

// streamKey is the label set of a stream's GenAI server metrics.
type streamKey struct {
	operation, system, alias, deployment string
}

// attemptKey is the label set of an attempt's metrics.
type attemptKey struct {
	alias, deployment, provider, reason, outcome string
	operation, system, model                     string
	errorType                                    string
}

// attemptSets are the precomputed options of one attemptKey.
type attemptSets struct {
	attempts, duration, input, output metric.MeasurementOption
}

// RequestStarted counts a request in flight on transport.
func (m *Metrics) RequestStarted(ctx context.Context, transport string) {
	if m == nil {
		return
	}
	m.inFlight.Add(ctx, 1, m.transportSets.get(transport, transportSet))
}

func transportSet(transport string) metric.MeasurementOption {
	return option(labelTransport.String(transport))
}

// RequestEnded records a request that RequestStarted counted: the request
// counter and duration, and, for streamed completions, the time to first
// token and per output token. system is the gen_ai.provider.name of the
// provider that answered ("" when none did).
func (m *Metrics) RequestEnded(ctx context.Context, rec *call.Record, system string) {
	if m == nil || rec == nil {
		return
	}
	m.inFlight.Add(ctx, -1, m.transportSets.get(rec.Transport, transportSet))
	end := rec.End
	if end.IsZero() {
		end = time.Now()
	}
	operation := rec.Operation
	if operation == "" {
		operation = call.OperationOther
	}
	alias := genai.Label(rec.Alias, rec.Provider)
	deployment := genai.Label(rec.Deployment, rec.Provider)
	set := m.requestSets.get(requestKey{rec.Transport, operation, alias, deployment, rec.Provider, rec.Outcome()}, func(k requestKey) metric.MeasurementOption {
		return option(labelTransport.String(k.transport), labelOperation.String(k.operation), labelAlias.String(k.alias),
			labelDeployment.String(k.deployment), labelProvider.String(k.provider), labelOutcome.String(k.outcome))
	})
	m.requests.Add(ctx, 1, set)
	m.requestDuration.Record(ctx, end.Sub(rec.Start).Seconds(), set)
	if !rec.Stream || rec.FirstToken.IsZero() {
		return
	}
	streamSet := m.streamSets.get(streamKey{operation, system, alias, deployment}, func(k streamKey) metric.MeasurementOption {
		return option(genai.OperationName.String(k.operation), genai.ProviderName.String(k.system),
			genai.RequestModel.String(k.alias), genaiDeployment.String(k.deployment))
	})
	m.timeToFirstToken.Record(ctx, rec.TTFT().Seconds(), streamSet)
	if _, failed := rec.ErrorKind(); !failed && rec.Usage.OutputTokens > 1 && end.After(rec.FirstToken) {
		perToken := end.Sub(rec.FirstToken).Seconds() / float64(rec.Usage.OutputTokens-1)
		m.timePerOutput.Record(ctx, perToken, streamSet)
	}
}

// AttemptStarted counts a move to another deployment after a failure
// (failover, fallback, continuation): from where, to where, and why (the
// previous attempt's error kind; "skipped" when no deployment of the
// alias was called, their breakers being open).
func (m *Metrics) AttemptStarted(ctx context.Context, rec *call.Record, a *llm.Attempt) {
	if m == nil {
		return
	}
	switch a.Reason {
	case llm.AttemptFailover, llm.AttemptFallback, llm.AttemptContinuation:
	default:
		return
	}
	cause, fromDeployment, fromProvider := "skipped", "", ""
	if prev, ok := rec.PreviousFailure(); ok {
		cause = prev.ErrorKind.String()
		fromDeployment, fromProvider = genai.Label(prev.Deployment, prev.Provider), prev.Provider
	}
	m.fallbacks.Add(ctx, 1, metric.WithAttributes(
		labelKind.String(string(a.Reason)),
		labelCause.String(cause),
		labelFromDeployment.String(fromDeployment),
		labelFromProvider.String(fromProvider),
		labelToDeployment.String(genai.Label(a.Deployment, a.Provider)),
		labelToProvider.String(a.Provider),
	))
}

// AttemptEnded records an ended attempt: the attempt counter, its duration
// and its tokens. operation is "chat" or "embeddings"; system the
// provider's gen_ai.provider.name.
//
// Tokens are recorded for attempts that produced output: those that
// answered, and broken or abandoned streams that had sent some (with the
// gateway's count when the provider reported none). An attempt that
// failed before any output is not counted, though metering may charge its
// prompt.
func (m *Metrics) AttemptEnded(ctx context.Context, a *llm.Attempt, operation, system string) {
	if m == nil {
		return
	}
	k := attemptKey{
		alias: genai.Label(a.Alias, a.Provider), deployment: genai.Label(a.Deployment, a.Provider), provider: a.Provider,
		reason: string(a.Reason), outcome: string(a.Outcome),
		operation: operation, system: system, model: genai.ModelLabel(a.Model, a.Deployment, a.Provider),
	}
	switch {
	case a.Outcome == llm.OutcomeCanceled:
		k.errorType = llm.KindCanceled.String()
	case a.Failed():
		k.errorType = a.ErrorKind.String()
	}
	sets := m.attemptSets.get(k, buildAttemptSets)
	m.attempts.Add(ctx, 1, sets.attempts)
	m.operationDuration.Record(ctx, a.Latency.Seconds(), sets.duration)
	if a.Outcome != llm.OutcomeOK && a.Usage.OutputTokens == 0 {
		return
	}
	m.tokenUsage.Record(ctx, a.Usage.InputTokens, sets.input)
	m.tokenUsage.Record(ctx, a.Usage.OutputTokens, sets.output)
}

func buildAttemptSets(k attemptKey) attemptSets {
	genaiLabels := []attribute.KeyValue{
		genai.OperationName.String(k.operation),
		genai.ProviderName.String(k.system),
		genai.RequestModel.String(k.model),
		genaiDeployment.String(k.deployment),
	}
	duration := genaiLabels
	if k.errorType != "" {
		duration = append(duration[:len(duration):len(duration)], genai.ErrorType.String(k.errorType))
	}
	return attemptSets{
		attempts: option(labelAlias.String(k.alias), labelDeployment.String(k.deployment), labelProvider.String(k.provider),
			labelReason.String(k.reason), labelOutcome.String(k.outcome)),
		duration: option(duration...),
		input:    option(append(genaiLabels[:len(genaiLabels):len(genaiLabels)], genai.TokenInput)...),
		output:   option(append(genaiLabels[:len(genaiLabels):len(genaiLabels)], genai.TokenOutput)...),
	}
}
