package idempotency_test

import (
	"testing"

	"github.com/switchboard-gw/switchboard/billing/idempotency"
	"github.com/switchboard-gw/switchboard/internal/redistest"
)

// TestRedis runs the conformance suite over two engines, each with its own
// client, sharing one Redis and one prefix: two gateway instances.
func TestRedis(t *testing.T) {
	redistest.URL(t) // skip early, before the subtests
	runConformance(t, func(t *testing.T, opts idempotency.Options) (idempotency.Engine, idempotency.Engine) {
		prefix := redistest.KeyPrefix(t)
		return idempotency.NewRedis(redistest.Client(t), prefix, opts), idempotency.NewRedis(redistest.Client(t), prefix, opts)
	})
}
