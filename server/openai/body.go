package openai

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/openai/wire"
)

// readBody reads the whole request body into a pooled buffer, refusing more
// than limit bytes with a PayloadTooLarge error (413). A declared
// Content-Length over the limit is refused before anything is read.
// Content-Type is not checked: curl's -d sends
// application/x-www-form-urlencoded, and the body is JSON either way.
//
// The caller must call release once it no longer needs the bytes; the wire
// decoders copy everything they keep, so that is right after decoding.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) (body []byte, release func(), err error) {
	if r.ContentLength > limit {
		return nil, nil, tooLarge(limit)
	}
	buf := getBuffer()
	release = func() { putBuffer(buf) }
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

func getBuffer() *bytes.Buffer {
	b := buffers.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooledBuffer {
		buffers.Put(b)
	}
}

// writeJSON writes v as a 200 JSON response.
func (h *handler) writeJSON(w http.ResponseWriter, r *http.Request, v any) {
	buf := getBuffer()
	defer putBuffer(buf)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false) // model output with <, > and & stays readable, as OpenAI sends it
	if err := enc.Encode(v); err != nil {
		h.fail(w, r, &llm.Error{Kind: llm.KindInternal, Message: "could not encode the response", Err: err})
		return
	}
	writeBody(w, buf.Bytes())
}

// writeCompletion writes a chat completion as a 200 JSON response, with the
// hand-written encoder of the hot path (the same bytes as writeJSON).
func (h *handler) writeCompletion(w http.ResponseWriter, r *http.Request, resp *wire.ChatResponse) {
	buf := getBuffer()
	defer putBuffer(buf)
	b, err := wire.AppendChatResponse(buf.AvailableBuffer(), resp)
	if err != nil {
		h.fail(w, r, &llm.Error{Kind: llm.KindInternal, Message: "could not encode the response", Err: err})
		return
	}
	buf.Write(append(b, '\n')) // AvailableBuffer then Write: the pooled memory is reused
	writeBody(w, buf.Bytes())
}

func writeBody(w http.ResponseWriter, body []byte) {
	hdr := w.Header()
	hdr.Set("Content-Type", "application/json")
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
