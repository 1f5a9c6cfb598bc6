package tracing

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"

	"github.com/switchboard-gw/switchboard/telemetry/call"
	"github.com/switchboard-gw/switchboard/telemetry/genai"
)

// EndRequest sets on the request's server span (rec.Span) what the request
// turned out to be: caller, model, route, response, usage, cost, status,
// and ends it. system is the gen_ai.provider.name of the provider that
// answered ("" when none did).
func (t *Tracer) EndRequest(rec *call.Record, system string) {
	if t == nil || rec == nil || rec.Span == nil {
		return
	}
	span := rec.Span
	if !span.IsRecording() {
		span.End()
		return
	}
	attrs := make([]attribute.KeyValue, 0, 24)
	attrs = append(attrs, genai.RequestID.String(rec.RequestID), genai.Transport.String(rec.Transport))
	if rec.Status != 0 {
		attrs = append(attrs, genai.HTTPResponseStatusCode.Int(rec.Status))
	}
	if rec.RPCCode != "" {
		attrs = append(attrs, genai.RPCResponseStatusCode.String(rpcStatusName(rec.RPCCode)))
	}
	if rec.KeyID != "" {
		attrs = append(attrs, genai.KeyID.String(rec.KeyID))
	}
	if rec.TeamID != "" {
		attrs = append(attrs, genai.TeamID.String(rec.TeamID))
	}
	if rec.UserID != "" {
		attrs = append(attrs, genai.UserID.String(rec.UserID))
	}
	if rec.Operation == call.OperationChat || rec.Operation == call.OperationEmbeddings {
		attrs = appendModelCall(attrs, rec, system)
	}
	span.SetAttributes(attrs...)
	outcome := rec.Outcome()
	span.SetAttributes(genai.Outcome.String(outcome))
	if k, failed := rec.ErrorKind(); failed {
		setError(span, k, outcome)
	} else if rec.Status >= 500 || (rec.RPCCode != "" && rpcServerFault(rec.RPCCode)) {
		span.SetAttributes(genai.ErrorType.String(outcome))
		span.SetStatus(codes.Error, outcome)
	}
	span.End()
}

// appendModelCall appends the GenAI attributes of a chat or embeddings
// request.
func appendModelCall(attrs []attribute.KeyValue, rec *call.Record, system string) []attribute.KeyValue {
	attrs = append(attrs, genai.OperationName.String(rec.Operation), genai.RequestModel.String(rec.Model))
	if system != "" {
		attrs = append(attrs, genai.ProviderName.String(system))
	}
	attrs = appendRequestParams(attrs, rec)
	if rec.Stream {
		attrs = append(attrs, genai.Stream.Bool(true))
	}
	if rec.Alias != "" {
		attrs = append(attrs, genai.Alias.String(rec.Alias))
	}
	if rec.Deployment != "" {
		attrs = append(attrs, genai.Deployment.String(rec.Deployment), genai.Provider.String(rec.Provider))
	}
	if rec.Route != nil {
		attrs = append(attrs, genai.AttemptCount.Int(len(rec.Route.Attempts)))
		if rec.Route.Rule != "" {
			attrs = append(attrs, genai.RoutingRule.String(rec.Route.Rule))
		}
	}
	if rec.ResponseModel != "" {
		attrs = append(attrs, genai.ResponseModel.String(rec.ResponseModel))
	}
	if rec.ResponseID != "" {
		attrs = append(attrs, genai.ResponseID.String(rec.ResponseID))
	}
	if len(rec.FinishReasons) > 0 {
		attrs = append(attrs, genai.ResponseFinish.StringSlice(rec.FinishReasons))
	}
	if rec.HasUsage {
		attrs = appendUsage(attrs, rec.Usage.InputTokens, rec.Usage.OutputTokens, rec.Usage.CachedInputTokens, rec.Usage.CacheWriteTokens)
	}
	if ttft := rec.TTFT(); ttft > 0 {
		attrs = append(attrs, genai.TimeToFirstToken.Float64(ttft.Seconds()))
	}
	if nano, ok := rec.Cost(); ok {
		attrs = append(attrs, genai.CostUSD.Float64(float64(nano)/1e9))
	}
	return attrs
}

func appendRequestParams(attrs []attribute.KeyValue, rec *call.Record) []attribute.KeyValue {
	if rec.MaxTokens != nil {
		attrs = append(attrs, genai.RequestMaxTokens.Int64(*rec.MaxTokens))
	}
	if rec.Temperature != nil {
		attrs = append(attrs, genai.RequestTemperature.Float64(*rec.Temperature))
	}
	return attrs
}

func appendUsage(attrs []attribute.KeyValue, input, output, cacheRead, cacheWrite int64) []attribute.KeyValue {
	attrs = append(attrs, genai.UsageInputTokens.Int64(input), genai.UsageOutputTokens.Int64(output))
	if cacheRead > 0 {
		attrs = append(attrs, genai.UsageCacheReadInput.Int64(cacheRead))
	}
	if cacheWrite > 0 {
		attrs = append(attrs, genai.UsageCacheCreation.Int64(cacheWrite))
	}
	return attrs
}

// rpcStatusName is a Connect code name as gRPC spells it
// ("unavailable" -> "UNAVAILABLE"), which rpc.response.status_code uses.
func rpcStatusName(code string) string {
	b := []byte(code)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// rpcServerFault reports whether a gRPC code is the server's failure, as
// the RPC semantic conventions count them.
func rpcServerFault(code string) bool {
	switch code {
	case "unknown", "deadline_exceeded", "unimplemented", "internal", "unavailable", "data_loss":
		return true
	}
	return false
}
