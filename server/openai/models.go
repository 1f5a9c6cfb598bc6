package openai

import (
	"net/http"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/openai/wire"
)

// listModels serves GET /v1/models: the aliases the caller's key may use.
func (h *handler) listModels(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	models, err := h.core.ListModels(r.Context(), p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, wire.FromCanonicalModels(models))
}

// getModel serves GET /v1/models/{id}: one entry of that list, or 404.
func (h *handler) getModel(w http.ResponseWriter, r *http.Request, p *auth.Principal, id string) {
	models, err := h.core.ListModels(r.Context(), p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, m := range models {
		if m.ID == id {
			list := wire.FromCanonicalModels([]llm.ModelInfo{m})
			h.writeJSON(w, r, &list.Data[0])
			return
		}
	}
	WriteError(w, &llm.Error{Kind: llm.KindNotFound, Code: "model_not_found", Param: "model",
		Message: "The model '" + id + "' does not exist or this key may not use it"})
}
