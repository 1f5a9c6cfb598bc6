package upstream

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"syscall"

	"github.com/switchboard-gw/switchboard/llm"
)

// MaxResponseBytes bounds a unary response body.
const MaxResponseBytes = 256 << 20

// TransportError classifies a failure of the provider called name to answer
// at all. The cause is kept for logs; it names the URL, never the
// credentials (which travel in headers).
func TransportError(ctx context.Context, name string, err error) *llm.Error {
	e := &llm.Error{Provider: name, Err: err}
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.Is(ctx.Err(), context.Canceled) || errors.Is(err, context.Canceled):
		e.Kind, e.Message = llm.KindCanceled, "request canceled"
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		e.Kind, e.Message = llm.KindTimeout, name+" did not answer before the deadline"
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Kind, e.Message = llm.KindUnavailable, "could not connect to "+name+": connection refused"
	case errors.As(err, &dnsErr):
		e.Kind, e.Message = llm.KindUnavailable, "could not resolve the host of "+name
	case errors.As(err, &netErr) && netErr.Timeout():
		e.Kind, e.Message = llm.KindTimeout, "the connection to "+name+" timed out"
	default:
		e.Kind, e.Message = llm.KindUnavailable, "could not reach "+name
	}
	return e
}

// ReadError classifies a failure while reading a response body.
func ReadError(ctx context.Context, name string, err error) *llm.Error {
	if ctx.Err() != nil {
		return TransportError(ctx, name, err)
	}
	return &llm.Error{Kind: llm.KindUpstream, Provider: name, Message: "the connection to " + name + " broke while reading the response", Err: err}
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// ReadBody reads a whole body of at most MaxResponseBytes into a pooled
// buffer; the caller returns it with PutBuffer once decoded.
func ReadBody(ctx context.Context, name string, body io.Reader) (*bytes.Buffer, error) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	if _, err := buf.ReadFrom(io.LimitReader(body, MaxResponseBytes+1)); err != nil {
		PutBuffer(buf)
		return nil, ReadError(ctx, name, err)
	}
	if buf.Len() > MaxResponseBytes {
		PutBuffer(buf)
		return nil, &llm.Error{Kind: llm.KindUpstream, Provider: name, Message: "the response from " + name + " is too large"}
	}
	return buf, nil
}

// PutBuffer returns a buffer from ReadBody to the pool.
func PutBuffer(b *bytes.Buffer) {
	if b.Cap() <= 4<<20 { // do not pin huge buffers
		bufPool.Put(b)
	}
}
