package openai

import (
	"errors"
	"io"
	"net/http"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/openai/wire"
	"github.com/switchboard-gw/switchboard/server/internal/frontdoor"
	"github.com/switchboard-gw/switchboard/server/internal/routeheader"
	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

// chatCompletions serves POST /v1/chat/completions.
func (h *handler) chatCompletions(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	body, release, err := frontdoor.ReadBody(w, r, h.maxBody)
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
	if r, err = frontdoor.Admission(r); err != nil {
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
		frontdoor.SetErrorCost(r.Context(), w.Header(), err)
		h.fail(w, r, err)
		return
	}
	frontdoor.NoteServedBy(w, r, resp.Provider, resp.Deployment)
	routeheader.Set(w.Header(), resp.Route)
	frontdoor.SetCost(r.Context(), w.Header(), resp.Cost)
	h.writeCompletion(w, r, wire.FromCanonicalResponse(resp))
	// Flushing now instead of when the handler returns costs no extra write
	// (the length is known) and lets the overhead include the write itself.
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	overhead.From(r.Context()).UnaryDone(h.overhead)
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
		frontdoor.SetErrorCost(r.Context(), w.Header(), err)
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
		frontdoor.SetErrorCost(r.Context(), w.Header(), err)
		h.fail(w, r, err)
		return
	}

	frontdoor.NoteServedBy(w, r, first.Provider, first.Deployment)
	routeheader.Set(w.Header(), first.Route)
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("X-Accel-Buffering", "no") // tell nginx-style proxies not to buffer the stream
	// The cost is known at the end: it goes in a trailer (and in the
	// include_usage chunk), also when the stream fails after attempts
	// that consumed tokens.
	frontdoor.DeclareCostTrailer(hdr)
	w.WriteHeader(http.StatusOK)

	sse := newEventWriter(w, overhead.From(r.Context()), h.overhead)
	defer sse.Release()
	var usage chunkUsage
	defer func() { usage.cost.SetTrailer(r.Context(), hdr) }()
	c := first
	for {
		if err := sse.chunk(&c, &usage); err != nil {
			return // the client went away; the deferred Close releases the upstream
		}
		// Flush unless the next chunk is already here: it then leaves in
		// the same write (see frontdoor.EventWriter.FlushDue).
		if sse.FlushDue(stream) {
			if err := sse.Flush(); err != nil {
				return
			}
		}
		c, err = stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			usage.cost.Error(err)
			frontdoor.LogInternal(h.logger, r, err)
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
