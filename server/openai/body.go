package openai

import (
	"encoding/json"
	"net/http"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/openai/wire"
	"github.com/switchboard-gw/switchboard/server/internal/frontdoor"
)

// writeJSON writes v as a 200 JSON response.
func (h *handler) writeJSON(w http.ResponseWriter, r *http.Request, v any) {
	buf := frontdoor.GetBuffer()
	defer frontdoor.PutBuffer(buf)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false) // model output with <, > and & stays readable, as OpenAI sends it
	if err := enc.Encode(v); err != nil {
		h.fail(w, r, &llm.Error{Kind: llm.KindInternal, Message: "could not encode the response", Err: err})
		return
	}
	frontdoor.WriteJSON(w, buf.Bytes())
}

// writeCompletion writes a chat completion as a 200 JSON response, with the
// hand-written encoder of the hot path (the same bytes as writeJSON).
func (h *handler) writeCompletion(w http.ResponseWriter, r *http.Request, resp *wire.ChatResponse) {
	buf := frontdoor.GetBuffer()
	defer frontdoor.PutBuffer(buf)
	b, err := wire.AppendChatResponse(buf.AvailableBuffer(), resp)
	if err != nil {
		h.fail(w, r, &llm.Error{Kind: llm.KindInternal, Message: "could not encode the response", Err: err})
		return
	}
	buf.Write(append(b, '\n')) // AvailableBuffer then Write: the pooled memory is reused
	frontdoor.WriteJSON(w, buf.Bytes())
}
