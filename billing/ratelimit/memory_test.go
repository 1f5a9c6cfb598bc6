package ratelimit_test

import (
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/ratelimit"
)

func TestMemoryConformance(t *testing.T) {
	runConformance(t, func(t *testing.T, clock func() time.Time) ratelimit.Limiter {
		return ratelimit.NewMemory(ratelimit.MemoryOptions{Clock: clock})
	})
}

func TestMemoryForgetsDrainedScopes(t *testing.T) {
	clock := newFakeClock()
	m := ratelimit.NewMemory(ratelimit.MemoryOptions{Clock: clock.Now})
	for _, scope := range []string{"key:a", "key:b", "key:c"} {
		check(t, m, list(rpm(scope, 60)), 0)
	}
	check(t, m, list(tpm("key:a", 60)), 0) // costs nothing: no state
	if n := m.Len(); n != 3 {
		t.Fatalf("Len() = %d, want 3", n)
	}
	clock.Advance(2 * time.Minute)
	check(t, m, list(rpm("key:d", 60)), 0)
	if n := m.Len(); n != 1 {
		t.Fatalf("Len() = %d after the others drained, want 1", n)
	}
}
