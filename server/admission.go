package server

import (
	"context"
	"net/http"

	"github.com/switchboard-gw/switchboard/billing/admit"
	"github.com/switchboard-gw/switchboard/llm"
)

// maxIdempotencyKeyLen bounds an idempotency key (Stripe's limit).
const maxIdempotencyKeyLen = 255

// withAdmission puts a Connect request's admission options in ctx: its
// max_cost_nano_usd and its idempotency_key (the Idempotency-Key header
// when the field is empty, for plain HTTP clients of the Connect
// protocol). The core fills in the Notes; setAdmissionHeaders writes them
// back.
func withAdmission(ctx context.Context, h http.Header, maxCostNanoUSD int64, key string) (context.Context, *admit.Notes, error) {
	if key == "" {
		key = h.Get(admit.HeaderIdempotencyKey)
	}
	if err := checkAdmission(maxCostNanoUSD, key); err != nil {
		return ctx, nil, err
	}
	n := &admit.Notes{IdempotencyKey: key, MaxCostNanoUSD: maxCostNanoUSD}
	return admit.WithNotes(ctx, n), n, nil
}

func checkAdmission(maxCost int64, key string) error {
	if maxCost < 0 {
		return &llm.Error{Kind: llm.KindInvalidRequest, Param: "max_cost_nano_usd", Message: "max_cost_nano_usd must not be negative"}
	}
	if len(key) > maxIdempotencyKeyLen {
		return &llm.Error{Kind: llm.KindInvalidRequest, Param: "idempotency_key", Message: "the idempotency key is longer than 255 bytes"}
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			return &llm.Error{Kind: llm.KindInvalidRequest, Param: "idempotency_key", Message: "the idempotency key must be printable ASCII"}
		}
	}
	return nil
}
