package auth

import (
	"sync"
	"sync/atomic"
	"time"
)

// Backoff between probes of a store that failed.
const (
	minProbeInterval = 250 * time.Millisecond
	maxProbeInterval = 5 * time.Second
)

// storeHealth is a small circuit breaker in front of the store on the
// request path. After a failure, verifications stop asking the store (stale
// cache entries are honoured, unknown keys get Unavailable at once) except
// for one probe at a time, spaced by a backoff that doubles up to
// maxProbeInterval. The first success closes it again. Without it, every
// request during an outage would wait for a connection attempt.
type storeHealth struct {
	down    atomic.Bool
	probing atomic.Bool

	mu       sync.Mutex
	retryAt  time.Time
	interval time.Duration
}

// shouldAsk reports whether a verification may ask the store now. When it
// returns true during an outage the caller is the probe and must report its
// outcome with succeeded or failed.
func (h *storeHealth) shouldAsk(now time.Time) bool {
	if !h.down.Load() {
		return true
	}
	h.mu.Lock()
	due := !now.Before(h.retryAt)
	h.mu.Unlock()
	return due && h.probing.CompareAndSwap(false, true)
}

// succeeded records that the store answered; it reports whether this ended
// an outage.
func (h *storeHealth) succeeded() bool {
	if !h.down.Load() {
		return false
	}
	h.mu.Lock()
	h.interval = 0
	h.mu.Unlock()
	h.probing.Store(false)
	return h.down.Swap(false)
}

// failed records that the store could not be reached; it reports whether
// this began an outage.
func (h *storeHealth) failed(now time.Time) bool {
	h.mu.Lock()
	switch {
	case h.interval == 0:
		h.interval = minProbeInterval
	case h.interval < maxProbeInterval:
		h.interval = min(2*h.interval, maxProbeInterval)
	}
	h.retryAt = now.Add(h.interval)
	h.mu.Unlock()
	h.probing.Store(false)
	return !h.down.Swap(true)
}

// isDown reports whether the store is considered unreachable.
func (h *storeHealth) isDown() bool { return h.down.Load() }

// abandoned releases a probe whose caller went away before the store
// answered, without judging the store.
func (h *storeHealth) abandoned() { h.probing.Store(false) }
