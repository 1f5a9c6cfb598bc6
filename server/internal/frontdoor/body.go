package frontdoor

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"sync"

	"github.com/switchboard-gw/switchboard/llm"
)

// ReadBody reads the whole request body into a pooled buffer, refusing more
// than limit bytes with a PayloadTooLarge error (413). A declared
// Content-Length over the limit is refused before anything is read.
// Content-Type is not checked: curl's -d sends
// application/x-www-form-urlencoded, and the body is JSON either way.
//
// The caller must call release once it no longer needs the bytes; the wire
// decoders copy everything they keep, so that is right after decoding.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64) (body []byte, release func(), err error) {
	if r.ContentLength > limit {
		return nil, nil, tooLarge(limit)
	}
	buf := GetBuffer()
	release = func() { PutBuffer(buf) }
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength) + 1) // +1: ReadFrom wants room to see EOF
	}
	_, err = buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	switch {
	case err == nil:
		return buf.Bytes(), release, nil
	case errors.As(err, &mbe):
		err = tooLarge(limit)
	case r.Context().Err() != nil:
		err = llm.AsError(r.Context().Err())
	default:
		err = &llm.Error{Kind: llm.KindInvalidRequest, Message: "could not read the request body", Err: err}
	}
	release()
	return nil, nil, err
}

func tooLarge(limit int64) *llm.Error {
	return &llm.Error{Kind: llm.KindPayloadTooLarge,
		Message: "request body is larger than the limit of " + strconv.FormatInt(limit, 10) + " bytes"}
}

// buffers are reused across requests and responses; a buffer that grew
// past maxPooledBuffer (a huge embedding list, say) is left to the GC.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledBuffer = 1 << 20

// GetBuffer returns an empty buffer from the pool.
func GetBuffer() *bytes.Buffer {
	b := buffers.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

// PutBuffer returns b to the pool; b must not be used afterwards.
func PutBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooledBuffer {
		buffers.Put(b)
	}
}

// WriteJSON writes body, a complete JSON document, as a 200 response with
// its length.
func WriteJSON(w http.ResponseWriter, body []byte) {
	hdr := w.Header()
	hdr.Set("Content-Type", "application/json")
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
