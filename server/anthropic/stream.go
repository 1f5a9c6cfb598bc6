package anthropic

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/anthropic/wire"
	"github.com/switchboard-gw/switchboard/server/internal/frontdoor"
	"github.com/switchboard-gw/switchboard/server/internal/routeheader"
	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

// stream answers with the Messages event stream: message_start, per content
// block content_block_start, content_block_delta (text_delta,
// input_json_delta, thinking_delta, signature_delta) and content_block_stop,
// a ping after the first block starts (as the API sends one), then
// message_delta (stop_reason, cumulative usage) and message_stop. The
// events come from wire.StreamEncoder; this writes and flushes them.
//
// The first chunk is awaited before anything is written, so a failure that
// happens before any output (the provider refusing, every fallback failing)
// still gets its proper HTTP status. After that an error becomes an error
// event and the stream ends without message_stop, so no client mistakes a
// cut-off answer for a whole one.
func (h *handler) stream(w http.ResponseWriter, r *http.Request, p *auth.Principal, req *llm.Request) {
	stream, err := h.core.Stream(r.Context(), p, req)
	if err != nil {
		frontdoor.SetErrorCost(r.Context(), w.Header(), err)
		h.fail(w, r, err)
		return
	}
	defer stream.Close()
	first, err := stream.Recv()
	if errors.Is(err, io.EOF) {
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
	hdr.Set("Content-Type", "text/event-stream; charset=utf-8")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("X-Accel-Buffering", "no") // tell nginx-style proxies not to buffer the stream
	// The cost is known at the end: it goes in a trailer, also when the
	// stream fails after attempts that consumed tokens.
	frontdoor.DeclareCostTrailer(hdr)
	w.WriteHeader(http.StatusOK)
	var cost frontdoor.StreamCost
	defer func() { cost.SetTrailer(r.Context(), hdr) }()

	requestID := frontdoor.RequestID(r)
	sse := &eventWriter{EventWriter: frontdoor.NewEventWriter(w, overhead.From(r.Context()), h.overhead)}
	defer sse.Release()
	enc := wire.NewStreamEncoder(messageID("", requestID), req.Model)
	var events []wire.StreamEvent
	c := first
	for {
		cost.Chunk(&c)
		out := outgoingChunk(c, requestID)
		events = enc.Encode(&out, events[:0])
		if err := sse.events(events); err != nil {
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
			cost.Error(err)
			frontdoor.LogInternal(h.logger, r, err)
			_ = sse.error(err, requestID)
			return
		}
	}
	if err := sse.events(enc.Finish(events[:0])); err != nil {
		return
	}
	_ = sse.Flush()
}

// eventWriter writes Anthropic's server-sent events ("event: <type>" then
// "data: <json>") on a frontdoor.EventWriter.
type eventWriter struct {
	*frontdoor.EventWriter
	pinged bool
}

var pingEvent = []byte("event: ping\ndata: {\"type\":\"ping\"}\n\n")

// events writes evs without flushing, and a ping after the first
// content_block_start.
func (e *eventWriter) events(evs []wire.StreamEvent) error {
	for i := range evs {
		if err := e.event(evs[i].Type, &evs[i]); err != nil {
			return err
		}
		if !e.pinged && evs[i].Type == wire.EventContentBlockStart {
			e.pinged = true
			if err := e.Write(pingEvent); err != nil {
				return err
			}
		}
	}
	return nil
}

// error sends an error event, in the body shape of an error response, and
// flushes.
func (e *eventWriter) error(err error, requestID string) error {
	_, body := errorResponse(llm.AsError(err))
	body.RequestID = requestID
	if err := e.event(wire.EventError, &body); err != nil {
		return err
	}
	return e.Flush()
}

// event writes one event named name with v as its data.
func (e *eventWriter) event(name string, v any) error {
	buf := e.Buf()
	buf.Reset()
	buf.WriteString("event: ")
	buf.WriteString(name)
	buf.WriteString("\ndata: ")
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil { // Encode ends the line with '\n'
		return err
	}
	buf.WriteByte('\n')
	return e.Write(buf.Bytes())
}
