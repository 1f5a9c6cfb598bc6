package frontdoor

import (
	"net/http"

	"github.com/switchboard-gw/switchboard/billing/admit"
	"github.com/switchboard-gw/switchboard/llm"
)

// maxIdempotencyKeyLen bounds an Idempotency-Key (Stripe's limit).
const maxIdempotencyKeyLen = 255

// Admission reads a completion request's admission headers,
// Idempotency-Key and X-Switchboard-Max-Cost (US dollars, "0.05"), into
// admit.Notes in the returned request's context. The core fills them in;
// NoteServedBy writes them back as headers on success, and each front
// door's WriteError writes a refusal's (admit.SetErrorHeaders).
func Admission(r *http.Request) (*http.Request, error) {
	n := &admit.Notes{IdempotencyKey: r.Header.Get(admit.HeaderIdempotencyKey)}
	if len(n.IdempotencyKey) > maxIdempotencyKeyLen {
		return r, &llm.Error{Kind: llm.KindInvalidRequest, Param: "Idempotency-Key", Message: "the Idempotency-Key header is longer than 255 bytes"}
	}
	for i := 0; i < len(n.IdempotencyKey); i++ {
		if c := n.IdempotencyKey[i]; c < 0x20 || c > 0x7e {
			return r, &llm.Error{Kind: llm.KindInvalidRequest, Param: "Idempotency-Key", Message: "the Idempotency-Key header must be printable ASCII"}
		}
	}
	if v := r.Header.Get(admit.HeaderMaxCost); v != "" {
		nano, err := admit.ParseUSD(v)
		if err != nil {
			return r, &llm.Error{Kind: llm.KindInvalidRequest, Param: admit.HeaderMaxCost,
				Message: "the " + admit.HeaderMaxCost + " header must be an amount of US dollars such as 0.05: " + err.Error()}
		}
		n.MaxCostNanoUSD = nano
	}
	return r.WithContext(admit.WithNotes(r.Context(), n)), nil
}
