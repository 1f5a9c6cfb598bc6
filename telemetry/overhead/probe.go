package overhead

import (
	"context"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"time"
)

// epoch anchors Now; time.Since on it reads only the monotonic clock.
var epoch = time.Now()

// Now returns a monotonic timestamp in nanoseconds, comparable only with
// other values of Now in the same process.
func Now() int64 { return int64(time.Since(epoch)) + 1 } // never 0: 0 means "not set"

// Probe collects the timestamps of one request. The zero value is ready;
// a nil *Probe ignores every call. It is safe for concurrent use: a router
// that hedges runs attempts on several goroutines at once (the figures of
// such a request are then approximate, the stamps of the attempts
// interleaving).
type Probe struct {
	mu sync.Mutex

	// resume is when the gateway last took over from the upstream (request
	// arrival, response or chunk read); 0 while it waits for the upstream.
	resume int64
	// own accumulates the gateway's time until it is recorded.
	own int64
	// sending is when the current upstream call started, the fallback
	// when the HTTP client reports no write (an in-memory transport).
	sending int64
	// upstream is set once an upstream request has been sent.
	upstream bool
	// flushes counts the stream writes so far; unflushed the chunks
	// written since the last one.
	flushes, unflushed int

	// wrote is when the upstream request was written, set by trace.
	wrote atomic.Int64
	trace *httptrace.ClientTrace
}

// Start marks the arrival of the client's request.
func (p *Probe) Start() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.resume, p.own, p.upstream, p.flushes, p.unflushed = Now(), 0, false, 0, 0
}

// TraceUpstream returns ctx set up to report when an upstream HTTP request
// made with it has been written. Call it just before building the upstream
// request, and Sent once the response headers are in.
func (p *Probe) TraceUpstream(ctx context.Context) context.Context {
	if p == nil {
		return ctx
	}
	p.mu.Lock()
	p.sending = Now()
	p.wrote.Store(0)
	if p.trace == nil {
		p.trace = &httptrace.ClientTrace{WroteRequest: p.wroteRequest}
	}
	trace := p.trace
	p.mu.Unlock()
	if httptrace.ContextClientTrace(ctx) != nil {
		// Someone else traces this call; composing would mutate our shared
		// trace. The start of the call is then the mark.
		return ctx
	}
	return httptrace.WithClientTrace(ctx, trace)
}

func (p *Probe) wroteRequest(httptrace.WroteRequestInfo) { p.wrote.Store(Now()) }

// Sent marks that the upstream request has been written: the gateway's time
// stops at the moment the HTTP client finished writing it (or, when the
// client reports nothing, at the start of the call) and the upstream's
// begins.
func (p *Probe) Sent() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	at := p.wrote.Load()
	if at == 0 || at < p.sending {
		at = p.sending
	}
	p.pause(at)
	p.upstream = true
}

// Received marks that the upstream's response, or one stream chunk, has
// been read: the gateway's time starts again. While the gateway's time is
// already running (chunks read but not yet delivered to the client) it
// keeps counting from the earliest of them.
func (p *Probe) Received() {
	if p == nil {
		return
	}
	p.mu.Lock()
	if p.resume == 0 {
		p.resume = Now()
	}
	p.mu.Unlock()
}

func (p *Probe) pause(at int64) {
	if p.resume != 0 && at > p.resume {
		p.own += at - p.resume
	}
	p.resume = 0
}

// UnaryDone marks that the answer to a unary request has been written, and
// records the request's own time, when it went upstream at all. It records
// once: later calls, and calls on a stream (which records per chunk), do
// nothing.
func (p *Probe) UnaryDone(r *Recorder) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.upstream || p.flushes > 0 {
		return
	}
	p.pause(Now())
	if r != nil {
		r.Unary.RecordNanos(p.own)
	}
	p.own, p.upstream = 0, false
}

// ChunkWritten notes one stream chunk written to the client but not yet
// flushed.
func (p *Probe) ChunkWritten() {
	if p != nil {
		p.mu.Lock()
		p.unflushed++
		p.mu.Unlock()
	}
}

// ChunkDone marks that the chunks written since the last flush have been
// flushed to the client. The time since the oldest of them was read from the
// upstream is recorded once as the write's latency (Recorder.StreamWrite),
// and divided among the chunks as their cost (Recorder.StreamChunk: chunks
// that arrived together share the work of one write). The first call also
// records the stream's request part. Nothing is recorded for a request that
// did not go upstream.
func (p *Probe) ChunkDone(r *Recorder) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.resume == 0 || !p.upstream {
		return
	}
	now := Now()
	n := uint64(max(p.unflushed, 1))
	if r != nil {
		if p.flushes == 0 {
			r.StreamRequest.RecordNanos(p.own)
		}
		took := now - p.resume
		r.StreamWrite.RecordNanos(took)
		r.StreamChunk.RecordNanosN(took/int64(n), n)
	}
	p.flushes++
	p.unflushed = 0
	p.own = 0
	p.resume = 0 // waiting for the upstream again
}

type probeKey struct{}

// With returns ctx carrying p.
func With(ctx context.Context, p *Probe) context.Context {
	return context.WithValue(ctx, probeKey{}, p)
}

// From returns the Probe in ctx, or nil.
func From(ctx context.Context) *Probe {
	p, _ := ctx.Value(probeKey{}).(*Probe)
	return p
}
