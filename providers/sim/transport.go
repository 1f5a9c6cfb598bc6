package sim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"runtime/debug"
	"strconv"
)

// HandlerTransport returns an http.RoundTripper that serves every request by
// calling h in memory: no sockets, no ports. It is how the gateway reaches
// its in-process simulator, and it behaves like a connection where it
// matters:
//
//   - the response is returned as soon as the handler commits it (first
//     Flush, a buffer's worth of body, or return), and every Flush reaches
//     the reader as it happens, so streams stream;
//   - the request's context is the handler's, so cancelling a request stops
//     the handler, and closing the response body early cancels it too;
//   - a handler that aborts (panic(http.ErrAbortHandler), as net/http
//     handlers do to cut a connection) makes RoundTrip fail before the
//     response, or the body read fail with io.ErrUnexpectedEOF after it.
//
// The Host of the URL is ignored; any base URL such as http://sim/v1 works.
func HandlerTransport(h http.Handler) http.RoundTripper { return handlerTransport{h} }

type handlerTransport struct{ h http.Handler }

// errConnectionCut is what a reader sees when the handler aborted.
var errConnectionCut = fmt.Errorf("sim: server closed the connection: %w", io.ErrUnexpectedEOF)

// pipeBufferSize is how much unflushed body the writer holds, like
// net/http's response buffer.
const pipeBufferSize = 8 << 10

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL == nil {
		closeBody(req)
		return nil, errors.New("sim: request has no URL")
	}
	ctx, cancel := context.WithCancel(req.Context())
	pr, pw := io.Pipe()
	// A cancelled request ends the body with the context's error and
	// unblocks a handler waiting for the reader.
	stopAfter := context.AfterFunc(ctx, func() { pw.CloseWithError(context.Cause(ctx)) })

	sreq := req.WithContext(ctx)
	sreq.Header = req.Header.Clone() // the handler may change its copy; the caller's stays as sent
	if sreq.Header == nil {
		sreq.Header = make(http.Header)
	}
	sreq.RequestURI = req.URL.RequestURI()
	sreq.RemoteAddr = "127.0.0.1:0"
	if sreq.Host == "" {
		sreq.Host = req.URL.Host
	}
	if sreq.Body == nil {
		sreq.Body = http.NoBody
	}
	if sreq.Proto == "" {
		sreq.Proto, sreq.ProtoMajor, sreq.ProtoMinor = "HTTP/1.1", 1, 1
	}

	w := &pipeResponseWriter{ctx: ctx, header: make(http.Header), pw: pw, committed: make(chan struct{})}
	finished := make(chan bool, 1) // true when the handler aborted
	go func() {
		aborted := true
		defer func() {
			if aborted {
				// Any panic cuts the "connection", as in net/http, which
				// also logs the ones that are not deliberate aborts.
				if p := recover(); p != nil && p != http.ErrAbortHandler {
					log.Printf("sim: panic serving %s: %v\n%s", req.URL.Path, p, debug.Stack())
				}
				pw.CloseWithError(errConnectionCut)
			}
			stopAfter()
			closeBody(req)
			finished <- aborted
		}()
		t.h.ServeHTTP(w, sreq)
		w.finish()
		aborted = false
	}()

	select {
	case <-w.committed:
	case aborted := <-finished:
		if aborted && !w.isCommitted() {
			cancel()
			return nil, errConnectionCut
		}
	case <-ctx.Done():
		cancel()
		return nil, context.Cause(ctx)
	}
	return &http.Response{
		Status:        strconv.Itoa(w.status) + " " + http.StatusText(w.status),
		StatusCode:    w.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        w.sent,
		Body:          &pipeBody{pr: pr, cancel: cancel},
		ContentLength: contentLength(w.sent),
		Request:       req,
	}, nil
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

func contentLength(h http.Header) int64 {
	if v := h.Get("Content-Length"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	}
	return -1
}

// pipeBody is the response body; closing it stops the handler.
type pipeBody struct {
	pr     *io.PipeReader
	cancel context.CancelFunc
}

func (b *pipeBody) Read(p []byte) (int, error) { return b.pr.Read(p) }

func (b *pipeBody) Close() error {
	b.pr.Close()
	b.cancel()
	return nil
}

// pipeResponseWriter buffers the body like net/http does and hands it to the
// pipe on Flush, when the buffer fills, and when the handler returns.
type pipeResponseWriter struct {
	ctx       context.Context
	header    http.Header
	sent      http.Header // snapshot taken at commit
	status    int
	buf       []byte
	pw        *io.PipeWriter
	committed chan struct{}
	isCommit  bool // whether committed was closed; only the handler goroutine reads it
}

func (w *pipeResponseWriter) Header() http.Header { return w.header }

func (w *pipeResponseWriter) WriteHeader(code int) {
	if w.status != 0 || code < 200 {
		return // informational and repeated WriteHeader calls are ignored, as net/http does
	}
	w.status = code
}

func (w *pipeResponseWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if len(w.buf)+len(p) > pipeBufferSize {
		if err := w.FlushError(); err != nil {
			return 0, err
		}
		if len(p) > pipeBufferSize {
			return w.pw.Write(p)
		}
	}
	w.buf = append(w.buf, p...)
	return len(p), nil
}

// Flush sends the buffered body to the reader.
func (w *pipeResponseWriter) Flush() { _ = w.FlushError() }

// FlushError is Flush for http.ResponseController: it reports a reader that
// went away.
func (w *pipeResponseWriter) FlushError() error {
	w.commit()
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.pw.Write(w.buf)
	w.buf = w.buf[:0]
	return err
}

func (w *pipeResponseWriter) commit() {
	if w.isCommit {
		return
	}
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.sent = w.header.Clone()
	w.isCommit = true
	close(w.committed)
}

func (w *pipeResponseWriter) isCommitted() bool {
	select {
	case <-w.committed:
		return true
	default:
		return false
	}
}

// finish ends a response whose handler returned. A handler that returned
// because the request was cancelled did not complete its answer: the reader
// gets the cancellation, not a clean end of body.
func (w *pipeResponseWriter) finish() {
	if err := w.FlushError(); err != nil {
		return
	}
	if w.ctx.Err() != nil {
		w.pw.CloseWithError(context.Cause(w.ctx))
		return
	}
	w.pw.Close()
}
