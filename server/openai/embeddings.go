package openai

import (
	"net/http"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/providers/openai/wire"
	"github.com/switchboard-gw/switchboard/server/internal/frontdoor"
)

// embeddings serves POST /v1/embeddings.
func (h *handler) embeddings(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	body, release, err := frontdoor.ReadBody(w, r, h.maxBody)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	in, err := wire.DecodeEmbeddingRequest(body)
	release()
	if err != nil {
		h.fail(w, r, err)
		return
	}
	req, err := wire.ToCanonicalEmbedRequest(in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	resp, err := h.core.Embed(r.Context(), p, req)
	if err != nil {
		frontdoor.SetErrorCost(r.Context(), w.Header(), err)
		h.fail(w, r, err)
		return
	}
	frontdoor.NoteServedBy(w, r, resp.Provider, resp.Deployment)
	frontdoor.SetCost(r.Context(), w.Header(), resp.Cost)
	h.writeJSON(w, r, wire.FromCanonicalEmbedResponse(resp, in.EncodingFormat))
}
