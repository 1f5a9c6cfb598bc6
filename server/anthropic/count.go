package anthropic

import (
	"context"
	"fmt"
	"net/http"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/router"
)

// countTokens serves POST /v1/messages/count_tokens: the body of a
// Messages request (max_tokens optional, stream ignored), answered with
// {"input_tokens": N}.
func (h *handler) countTokens(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	in, err := h.decodeWire(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if in.MaxTokens == nil {
		// The conversion wants one; counting does not use it.
		one := int64(1)
		in.MaxTokens = &one
	}
	req, err := toCanonical(in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	n, err := h.countInputTokens(r.Context(), p, req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, struct {
		InputTokens int64 `json:"input_tokens"`
	}{n})
}

// countInputTokens asks the core when it counts tokens itself. Otherwise
// the model must be an alias the key may use (403 when the key may not use
// it, 404 when there is no such alias), and the answer is the router's
// estimate.
//
// TODO(billing/tokens): the exact counter being written there should back
// InputTokenCounter on the gateway; until then this is an estimate.
func (h *handler) countInputTokens(ctx context.Context, p *auth.Principal, req *llm.Request) (int64, error) {
	if c, ok := h.core.(InputTokenCounter); ok {
		return c.CountInputTokens(ctx, p, req)
	}
	if !p.Allows(req.Model) {
		return 0, &llm.Error{Kind: llm.KindPermissionDenied, Param: "model", Code: "model_not_allowed",
			Message: fmt.Sprintf("this API key may not use the model %q", req.Model)}
	}
	models, err := h.core.ListModels(ctx, p)
	if err != nil {
		return 0, err
	}
	for _, m := range models {
		if m.ID == req.Model {
			return router.EstimateInputTokens(req), nil
		}
	}
	return 0, &llm.Error{Kind: llm.KindNotFound, Param: "model", Code: "model_not_found",
		Message: fmt.Sprintf("model: %q is not an alias of this gateway", req.Model)}
}
