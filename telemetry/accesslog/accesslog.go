package accesslog

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/switchboard-gw/switchboard/telemetry/call"
)

// Message is the message of every access record.
const Message = "access"

// Logger writes access records. A nil *Logger writes none.
type Logger struct {
	logger *slog.Logger
	ratio  float64
}

// New returns a Logger writing to logger, keeping the given share (0 to 1)
// of successful requests; failed requests are always kept. It returns nil
// (no access log) when logger is nil.
func New(logger *slog.Logger, sampleRatio float64) *Logger {
	if logger == nil {
		return nil
	}
	return &Logger{logger: logger, ratio: min(max(sampleRatio, 0), 1)}
}

// Log writes rec's access record, unless it is a success that sampling
// skips. Call it once the request has ended.
func (l *Logger) Log(ctx context.Context, rec *call.Record) {
	if l == nil || rec == nil || !l.logger.Enabled(ctx, slog.LevelInfo) {
		return
	}
	outcome := rec.Outcome()
	if outcome == call.OutcomeOK && l.ratio < 1 && (l.ratio == 0 || rand.Float64() >= l.ratio) {
		return
	}
	end := rec.End
	if end.IsZero() {
		end = time.Now()
	}
	buf := attrPool.Get().(*[]slog.Attr)
	defer func() { *buf = (*buf)[:0]; attrPool.Put(buf) }()
	attrs := append((*buf)[:0],
		slog.String("request_id", rec.RequestID),
		slog.String("transport", rec.Transport),
		slog.String("method", rec.Method),
		slog.String("path", rec.Path),
		slog.Int("status", rec.Status),
	)
	if rec.RPCCode != "" {
		attrs = append(attrs, slog.String("rpc_code", rec.RPCCode))
	}
	attrs = append(attrs, slog.String("outcome", outcome), slog.Float64("duration_ms", ms(end.Sub(rec.Start))), slog.Int64("bytes", rec.Bytes))
	attrs = appendIdentity(attrs, rec)
	if rec.Operation != "" {
		attrs = append(attrs, slog.String("operation", rec.Operation))
	}
	if rec.Model != "" {
		attrs = append(attrs, slog.String("model", rec.Model))
	}
	attrs = appendServedBy(attrs, rec)
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		attrs = append(attrs, slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	l.logger.LogAttrs(ctx, slog.LevelInfo, Message, attrs...)
	*buf = attrs // keep what append grew
}

// attrPool reuses the attribute slices of access records: a handler has
// formatted the record by the time LogAttrs returns.
var attrPool = sync.Pool{New: func() any { s := make([]slog.Attr, 0, 32); return &s }}

func appendIdentity(attrs []slog.Attr, rec *call.Record) []slog.Attr {
	if rec.KeyID != "" {
		attrs = append(attrs, slog.String("key_id", rec.KeyID))
	}
	if rec.TeamID != "" {
		attrs = append(attrs, slog.String("team_id", rec.TeamID))
	}
	if rec.UserID != "" {
		attrs = append(attrs, slog.String("user_id", rec.UserID))
	}
	return attrs
}

func appendServedBy(attrs []slog.Attr, rec *call.Record) []slog.Attr {
	if rec.Stream {
		attrs = append(attrs, slog.Bool("stream", true))
	}
	if rec.Alias != "" {
		attrs = append(attrs, slog.String("alias", rec.Alias))
	}
	if rec.Deployment != "" {
		attrs = append(attrs, slog.String("deployment", rec.Deployment), slog.String("provider", rec.Provider))
	}
	if rec.Route != nil && len(rec.Route.Attempts) > 0 {
		attrs = append(attrs, slog.Int("attempts", len(rec.Route.Attempts)))
	}
	if rec.ResponseModel != "" {
		attrs = append(attrs, slog.String("response_model", rec.ResponseModel))
	}
	if ttft := rec.TTFT(); ttft > 0 {
		attrs = append(attrs, slog.Float64("ttft_ms", ms(ttft)))
	}
	if rec.HasUsage {
		u := rec.Usage
		attrs = append(attrs, slog.Int64("input_tokens", u.InputTokens), slog.Int64("output_tokens", u.OutputTokens))
		if u.CachedInputTokens > 0 {
			attrs = append(attrs, slog.Int64("cached_input_tokens", u.CachedInputTokens))
		}
		if u.ReasoningTokens > 0 {
			attrs = append(attrs, slog.Int64("reasoning_tokens", u.ReasoningTokens))
		}
	}
	if nano, ok := rec.Cost(); ok {
		attrs = append(attrs, slog.Float64("cost_usd", float64(nano)/1e9))
	}
	return attrs
}

// ms is d in milliseconds, to the microsecond.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 }
