package idempotency_test

import (
	"testing"

	"github.com/switchboard-gw/switchboard/billing/idempotency"
)

func TestMemory(t *testing.T) {
	runConformance(t, func(t *testing.T, opts idempotency.Options) (idempotency.Engine, idempotency.Engine) {
		m := idempotency.NewMemory(opts)
		return m, m
	})
}
