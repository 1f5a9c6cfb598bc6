package request

import (
	"context"
	"net/http"
	"sync"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

// Info is the per-request state. The middleware creates it before any
// handler runs; authentication fills Principal, handlers fill Provider and
// Deployment. A handler goroutine owns it: it is not safe for concurrent use,
// and it does not need to be, because an HTTP request is served by one
// goroutine.
type Info struct {
	// ID is the request id sent back as the x-request-id header.
	ID string
	// Principal is the authenticated caller (virtual key), nil before
	// authentication and for admin and anonymous calls.
	Principal *auth.Principal
	// Admin is true once the admin key has been verified.
	Admin bool
	// Provider and Deployment name what served the request, when known.
	Provider, Deployment string
	// Overhead measures the gateway's own time on this request. The
	// middleware starts it and puts it in the context (overhead.From), so
	// that providers can mark the upstream's part.
	Overhead overhead.Probe
	// CostNanoUSD is what the request cost (metering's llm.Cost, in
	// nano-USD), filled by the handlers from the answer, the stream's last
	// chunk, or the error of a failed request (llm.CostOf).
	CostNanoUSD int64
	// ClientAddress, UserAgent and Transport describe the caller for the
	// audit trail's request records; they are filled only when the server
	// keeps request records (see server.withClientInfo).
	ClientAddress, UserAgent, Transport string

	// after is the work queued by llm.AfterAnswer until the answer is out
	// (runAfterAnswer). A stream's last Recv may run on another goroutine
	// than the handler's, hence the lock.
	afterMu   sync.Mutex
	deferring bool
	after     []func()
}

// DeferAfterAnswer implements llm.AfterAnswer's contract: fn is queued
// while the middleware serves the request, and refused (run by the caller)
// before or after that.
func (i *Info) DeferAfterAnswer(fn func()) bool {
	i.afterMu.Lock()
	defer i.afterMu.Unlock()
	if !i.deferring {
		return false
	}
	i.after = append(i.after, fn)
	return true
}

// runAfterAnswer runs the queued work once the answer is out; work queued
// later runs at once. An answer of known length is complete at the client
// once flushed, so the work runs here, before the connection's next
// request is read. Any other answer (a stream, a Connect or gRPC message)
// ends only when the handler returns, so the work runs on its own
// goroutine, tracked by pending so that shutdown waits for it
// (WaitAfterAnswers).
func (i *Info) runAfterAnswer(w http.ResponseWriter) {
	i.afterMu.Lock()
	after := i.after
	i.after, i.deferring = nil, false
	i.afterMu.Unlock()
	if len(after) == 0 {
		return
	}
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	run := func() {
		for _, fn := range after {
			fn()
		}
	}
	if w.Header().Get("Content-Length") != "" {
		run()
		return
	}
	pending.Add(1)
	go func() {
		defer pending.Done()
		run()
	}()
}

// pending counts the after-answer work running on its own goroutine.
var pending sync.WaitGroup

// WaitAfterAnswers waits until the work deferred by llm.AfterAnswer that
// runs after its handler returned has finished, or ctx ends: the server
// calls it once it has drained, so that no budget settlement is cut off by
// the process exiting.
func WaitAfterAnswers(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		pending.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// RequestID returns the request id: Info is the llm.RequestIdentity the
// gateway keys spend records by.
func (i *Info) RequestID() string { return i.ID }

// With returns ctx carrying info. It is stored as the context's
// llm.RequestIdentity, so that the gateway finds the request id without a
// second context value.
func With(ctx context.Context, info *Info) context.Context {
	return llm.WithRequestIdentity(ctx, info)
}

// From returns the Info in ctx, or nil when there is none.
func From(ctx context.Context) *Info {
	info, _ := llm.RequestIdentityFrom(ctx).(*Info)
	return info
}

// Ensure returns the Info in ctx, adding a fresh one (with a new id) when ctx
// has none, so that handlers mounted without the middleware still work.
func Ensure(ctx context.Context) (context.Context, *Info) {
	if info := From(ctx); info != nil {
		return ctx, info
	}
	info := &Info{ID: NewID()}
	return With(ctx, info), info
}

// PrincipalFrom returns the authenticated principal in ctx, or nil.
func PrincipalFrom(ctx context.Context) *auth.Principal {
	if info := From(ctx); info != nil {
		return info.Principal
	}
	return nil
}
