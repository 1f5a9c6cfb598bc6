package anthropic

import (
	"encoding/json"
	"net/http"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/anthropic/wire"
	"github.com/switchboard-gw/switchboard/server/internal/frontdoor"
	"github.com/switchboard-gw/switchboard/server/internal/routeheader"
	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

// messages serves POST /v1/messages.
func (h *handler) messages(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	in, req, err := h.decode(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if r, err = frontdoor.Admission(r); err != nil {
		h.fail(w, r, err)
		return
	}
	if in.Stream {
		h.stream(w, r, p, req)
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
	h.writeJSON(w, r, messageFrom(resp, frontdoor.RequestID(r)))
	// Flushing now instead of when the handler returns costs no extra write
	// (the length is known) and lets the overhead include the write itself.
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	overhead.From(r.Context()).UnaryDone(h.overhead)
}

// decode reads and converts a Messages request body. max_tokens is
// required, as the API requires it; count_tokens relaxes that itself.
func (h *handler) decode(w http.ResponseWriter, r *http.Request) (*wire.MessagesRequest, *llm.Request, error) {
	in, err := h.decodeWire(w, r)
	if err != nil {
		return nil, nil, err
	}
	req, err := toCanonical(in)
	return in, req, err
}

// decodeWire reads and decodes the body, without converting it.
func (h *handler) decodeWire(w http.ResponseWriter, r *http.Request) (*wire.MessagesRequest, error) {
	body, release, err := frontdoor.ReadBody(w, r, h.maxBody)
	if err != nil {
		return nil, err
	}
	in, err := wire.DecodeRequest(body)
	release()
	return in, err
}

// toCanonical converts a decoded request, giving tool ids back their
// provider's form.
func toCanonical(in *wire.MessagesRequest) (*llm.Request, error) {
	req, err := wire.ToCanonicalRequest(in)
	if err != nil {
		return nil, err
	}
	unwrapToolIDs(req)
	return req, nil
}

// messageFrom writes a canonical response as the message object the client
// receives: the client-facing ids, and the stop reason the wire package
// maps (end_turn, max_tokens, stop_sequence, tool_use, refusal).
func messageFrom(resp *llm.Response, requestID string) *wire.MessagesResponse {
	out := wire.FromCanonicalResponse(resp)
	out.ID = messageID(resp.ID, requestID)
	if len(resp.Choices) > 0 {
		wrapToolIDs(out.Content, resp.Choices[0].Message.ToolCalls)
	}
	if out.StopReason == nil {
		// A provider that gave no finish reason finished its turn.
		reason := wire.StopEndTurn
		out.StopReason = &reason
	}
	return out
}

// writeJSON writes v as a 200 JSON response.
func (h *handler) writeJSON(w http.ResponseWriter, r *http.Request, v any) {
	buf := frontdoor.GetBuffer()
	defer frontdoor.PutBuffer(buf)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false) // model output with <, > and & stays readable
	if err := enc.Encode(v); err != nil {
		h.fail(w, r, &llm.Error{Kind: llm.KindInternal, Message: "could not encode the response", Err: err})
		return
	}
	frontdoor.WriteJSON(w, buf.Bytes())
}
