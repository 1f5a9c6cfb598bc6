package openai

import (
	"net/http"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/providers/openai/wire"
)

// embeddings serves POST /v1/embeddings.
func (h *handler) embeddings(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	body, release, err := readBody(w, r, h.maxBody)
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
		h.fail(w, r, err)
		return
	}
	noteServedBy(w, r, resp.Provider, resp.Deployment)
	h.writeJSON(w, r, wire.FromCanonicalEmbedResponse(resp, in.EncodingFormat))
}
