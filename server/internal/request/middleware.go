package request

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

// HeaderID is the response header that carries the request id.
const HeaderID = "X-Request-Id"

// Middleware gives every request an Info (and so an id, sent back as the
// X-Request-Id header) and, when logger is enabled at Debug, logs the request
// when it ends: method, path, status, bytes, duration, request id and key id.
// It never logs headers or bodies, so no secret can reach the log.
//
// It starts the request's overhead probe and, when the handler returns,
// records the own time of a unary request that went upstream into rec
// (unless the handler recorded it already, after flushing its answer;
// streams record per chunk as they write). rec may be nil.
//
// Work the gateway defers until the answer is out (llm.AfterAnswer: budget
// settlement) runs when the handler has returned, after a flush: before the
// connection's next request is read for an answer of known length, on its
// own goroutine otherwise (Info.runAfterAnswer).
//
// When Debug is off the only per-request cost is the Info, its id and the
// probe: the response writer is not wrapped.
func Middleware(logger *slog.Logger, rec *overhead.Recorder, next http.Handler) http.Handler {
	return MiddlewareWithHooks(logger, rec, nil, next)
}

// Hooks let the server observe every request around the handler
// (telemetry: the server span, request metrics, the access log).
type Hooks struct {
	// Begin runs before the handler, with the request's Info made; it
	// returns the request to serve (with values added to its context), or
	// r.
	Begin func(r *http.Request, info *Info) *http.Request
	// End runs once the handler has returned, with the request Begin
	// returned and how the response went.
	End func(r *http.Request, info *Info, res Result)
}

// Result is what the middleware saw of a response.
type Result struct {
	// Status is the HTTP status written (200 when the handler wrote
	// nothing); Bytes the size of the body written.
	Status int
	Bytes  int64
}

// MiddlewareWithHooks is Middleware calling hooks around the handler.
// With hooks (End set) the request is not logged at Debug: the End hook
// is the request's log (the access log).
func MiddlewareWithHooks(logger *slog.Logger, rec *overhead.Recorder, hooks *Hooks, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := &Info{ID: NewID(), deferring: true}
		info.Overhead.Start()
		w.Header()[HeaderID] = []string{info.ID}
		r = r.WithContext(overhead.With(With(r.Context(), info), &info.Overhead))
		if hooks != nil && hooks.End != nil {
			if hooks.Begin != nil {
				r = hooks.Begin(r, info)
			}
			rw := &recorder{ResponseWriter: w}
			next.ServeHTTP(rw, r)
			info.Overhead.UnaryDone(rec)
			// The request's telemetry ends with the answer, before the
			// work deferred until after it.
			hooks.End(r, info, Result{Status: rw.statusOrOK(), Bytes: rw.bytes})
			info.runAfterAnswer(w)
			return
		}
		if !logger.Enabled(r.Context(), slog.LevelDebug) {
			next.ServeHTTP(w, r)
			info.Overhead.UnaryDone(rec)
			info.runAfterAnswer(w)
			return
		}
		start := time.Now()
		rw := &recorder{ResponseWriter: w}
		next.ServeHTTP(rw, r)
		info.Overhead.UnaryDone(rec)
		info.runAfterAnswer(w)
		attrs := []slog.Attr{
			slog.String("request_id", info.ID),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("proto", r.Proto),
			slog.Int("status", rw.statusOrOK()),
			slog.Int64("bytes", rw.bytes),
			slog.Duration("duration", time.Since(start)),
		}
		if info.Principal != nil {
			attrs = append(attrs, slog.String("key_id", info.Principal.KeyID))
		}
		if info.Admin {
			attrs = append(attrs, slog.Bool("admin", true))
		}
		if info.Provider != "" {
			attrs = append(attrs, slog.String("provider", info.Provider), slog.String("deployment", info.Deployment))
		}
		logger.LogAttrs(r.Context(), slog.LevelDebug, "request", attrs...)
	})
}

// recorder notes the status and size of a response. It forwards Flush (SSE
// and Connect streaming flush per message) and exposes the original writer
// through Unwrap for http.ResponseController (full duplex, deadlines).
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *recorder) statusOrOK() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}
