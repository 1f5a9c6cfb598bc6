package call

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
)

// Operations, as gen_ai.operation.name names them (chat, embeddings) and
// as Switchboard labels the requests that are not model calls.
const (
	OperationChat       = "chat"
	OperationEmbeddings = "embeddings"
	OperationModels     = "models"
	OperationAdmin      = "admin"
	OperationOther      = "other"
)

// Record is what telemetry knows about one request. See the package
// documentation for who writes which part.
type Record struct {
	// Start is when the request arrived.
	Start time.Time
	// RequestID is the gateway's request id (X-Request-Id).
	RequestID string
	// Transport names the front door: "connect", "grpc", "grpc_web",
	// "openai", "anthropic".
	Transport string
	// Operation is one of the Operation constants.
	Operation string
	// Method and Path are the HTTP request's (the path is the route, or
	// the RPC procedure: never a query string).
	Method, Path string
	// Span is the request's server span; a non-recording span (or nil)
	// when tracing is off.
	Span trace.Span

	// KeyID, TeamID and UserID identify the caller's virtual key (never
	// its secret).
	KeyID, TeamID, UserID string
	// Model is the model the caller asked for (an alias, or
	// "<provider>/<model>").
	Model string
	// Stream is set for streamed completions.
	Stream bool
	// MaxTokens and Temperature are the request's, when it set them.
	MaxTokens   *int64
	Temperature *float64

	// Provider, Deployment and Alias name what answered.
	Provider, Deployment, Alias string
	// ResponseModel is the model the provider says answered.
	ResponseModel string
	// ResponseID is the provider's id of the answer.
	ResponseID string
	// FinishReasons lists the choices' finish reasons, in choice order.
	FinishReasons []string
	// Usage is the answer's token usage (for a stream, the last reported);
	// HasUsage tells whether there was one.
	Usage    llm.Usage
	HasUsage bool
	// FirstToken is when a stream's first chunk reached the transport
	// (zero for unary calls and streams that sent nothing); End when the
	// answer was complete (the response, or a stream's end or error).
	FirstToken, End time.Time
	// OutputChunks counts a stream's chunks that carried output.
	OutputChunks int
	// Route is how the router served the request (also for a failure).
	Route *llm.Route
	// Err is the error the core returned, or that ended a stream.
	Err error
	// Status is the HTTP status the transport answered with; RPCCode the
	// Connect code name for Connect, gRPC and gRPC-Web ("ok" on success,
	// "" for plain HTTP).
	Status  int
	RPCCode string
	// Bytes is the size of the response body written.
	Bytes int64

	mu sync.Mutex
	// costNanoUSD is the request's cost so far (metering's AddCost);
	// costKnown tells whether any was added.
	costNanoUSD int64
	costKnown   bool
	attemptCost []attemptCost
	// prev is the last attempt that ended in failure, for the reason of
	// the next one (fallback reasons).
	prev       Previous
	prevFailed bool
}

type attemptCost struct {
	number  int
	nanoUSD int64
}

type recordKey struct{}

// With returns ctx carrying r.
func With(ctx context.Context, r *Record) context.Context {
	return context.WithValue(ctx, recordKey{}, r)
}

// From returns the Record in ctx, or nil.
func From(ctx context.Context) *Record {
	r, _ := ctx.Value(recordKey{}).(*Record)
	return r
}

// NoteCaller records the authenticated caller.
func (r *Record) NoteCaller(p *auth.Principal) {
	if r == nil || p == nil {
		return
	}
	r.KeyID, r.TeamID, r.UserID = p.KeyID, p.TeamID, p.UserID
}

// NoteRequest records a chat completion request before the core runs it.
func (r *Record) NoteRequest(p *auth.Principal, req *llm.Request, stream bool) {
	if r == nil {
		return
	}
	r.NoteCaller(p)
	r.Operation = OperationChat
	r.Stream = stream
	if req != nil {
		r.Model, r.MaxTokens, r.Temperature = req.Model, req.MaxTokens, req.Temperature
	}
}

// NoteEmbedRequest records an embeddings request before the core runs it.
func (r *Record) NoteEmbedRequest(p *auth.Principal, req *llm.EmbedRequest) {
	if r == nil {
		return
	}
	r.NoteCaller(p)
	r.Operation = OperationEmbeddings
	if req != nil {
		r.Model = req.Model
	}
}

// NoteResponse records a unary answer, or the error instead of one.
func (r *Record) NoteResponse(resp *llm.Response, err error) {
	if r == nil {
		return
	}
	r.End = time.Now()
	if err != nil {
		r.noteError(err)
		return
	}
	r.Provider, r.Deployment, r.ResponseModel, r.ResponseID = resp.Provider, resp.Deployment, resp.Model, resp.ID
	r.Usage, r.HasUsage = resp.Usage, true
	r.FinishReasons = r.FinishReasons[:0]
	for i := range resp.Choices {
		r.FinishReasons = append(r.FinishReasons, string(resp.Choices[i].FinishReason))
	}
	r.noteRoute(resp.Route)
}

// NoteEmbedResponse records an embeddings answer, or the error instead.
func (r *Record) NoteEmbedResponse(resp *llm.EmbedResponse, err error) {
	if r == nil {
		return
	}
	r.End = time.Now()
	if err != nil {
		r.noteError(err)
		return
	}
	r.Provider, r.Deployment, r.ResponseModel = resp.Provider, resp.Deployment, resp.Model
	r.Usage, r.HasUsage = resp.Usage, true
	r.Alias = r.Model
}

// NoteError records the error that ended the request, when the core did
// not report it (a transport's own failure, an authentication refusal).
// An error already recorded is kept.
func (r *Record) NoteError(err error) {
	if r == nil || err == nil || r.Err != nil {
		return
	}
	r.noteError(err)
}

func (r *Record) noteError(err error) {
	r.Err = err
	if rt := llm.RouteOf(err); rt != nil {
		r.noteRoute(rt)
	}
}

func (r *Record) noteRoute(rt *llm.Route) {
	if rt == nil {
		return
	}
	r.Route = rt
	r.Alias = rt.Alias
	if r.Deployment == "" {
		// A failure: the last attempt is what the request ended on.
		if n := len(rt.Attempts); n > 0 {
			last := &rt.Attempts[n-1]
			r.Deployment, r.Provider = last.Deployment, last.Provider
		}
	}
}

// ErrorKind returns the kind of the request's error, and false when it
// succeeded.
func (r *Record) ErrorKind() (llm.Kind, bool) {
	if r == nil || r.Err == nil {
		return 0, false
	}
	var e *llm.Error
	if errors.As(r.Err, &e) {
		return e.Kind, true
	}
	return llm.KindOf(r.Err), true
}

// TTFT is the time from the request's arrival to its first streamed chunk,
// 0 when there was none.
func (r *Record) TTFT() time.Duration {
	if r == nil || r.FirstToken.IsZero() {
		return 0
	}
	return r.FirstToken.Sub(r.Start)
}
