package openai

import (
	"errors"
	"io"
	"net/http"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/openai/wire"
)

// chatCompletions serves POST /v1/chat/completions.
func (h *handler) chatCompletions(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	body, release, err := readBody(w, r, h.maxBody)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	in, extra, err := wire.DecodeChatRequest(body)
	release()
	if err != nil {
		h.fail(w, r, err)
		return
	}
	req, err := wire.ToCanonicalRequest(in, extra)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if in.Stream {
		includeUsage := in.StreamOptions != nil && in.StreamOptions.IncludeUsage
		h.streamChat(w, r, p, req, includeUsage)
		return
	}
	resp, err := h.core.Complete(r.Context(), p, req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	noteServedBy(w, r, resp.Provider, resp.Deployment)
	h.writeJSON(w, r, wire.FromCanonicalResponse(resp))
}

// streamChat answers with server-sent events.
//
// The first chunk is awaited before anything is written, so a failure that
// happens before any output (the provider refusing, every fallback failing)
// still gets its proper HTTP status instead of a 200 stream with an error
// event in it. After that, errors become an error event and the stream ends
// without [DONE].
func (h *handler) streamChat(w http.ResponseWriter, r *http.Request, p *auth.Principal, req *llm.Request, includeUsage bool) {
	stream, err := h.core.Stream(r.Context(), p, req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	defer stream.Close()
	first, err := stream.Recv()
	if errors.Is(err, io.EOF) {
		// A stream without a single chunk is the provider misbehaving.
		h.fail(w, r, &llm.Error{Kind: llm.KindUpstream, Message: "the provider ended the stream without sending anything"})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}

	noteServedBy(w, r, first.Provider, first.Deployment)
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("X-Accel-Buffering", "no") // tell nginx-style proxies not to buffer the stream
	w.WriteHeader(http.StatusOK)

	sse := newEventWriter(w)
	defer sse.release()
	var usage chunkUsage
	c := first
	for {
		if err := sse.chunk(&c, &usage); err != nil {
			return // the client went away; the deferred Close releases the upstream
		}
		c, err = stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			h.logInternal(r, err)
			_ = sse.error(err)
			return
		}
	}
	if includeUsage {
		if err := sse.usage(&usage); err != nil {
			return
		}
	}
	_ = sse.done()
}
