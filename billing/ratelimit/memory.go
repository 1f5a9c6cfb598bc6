package ratelimit

import (
	"context"
	"sync"
	"time"
)

// Memory is the in-process limiter, the embedded default: exact for one
// process, with the same semantics as Redis. Several gateway instances each
// with a Memory limiter admit up to that many times the limits; share a
// Redis to make them exact.
type Memory struct {
	clock func() time.Time

	mu      sync.Mutex
	buckets map[bucketKey]*memBucket
	// nextSweep is when (ms) drained buckets are next removed.
	nextSweep int64
}

// MemoryOptions configure a Memory limiter.
type MemoryOptions struct {
	// Clock is the time source (default time.Now); tests pass a fake one.
	Clock func() time.Time
}

type bucketKey struct {
	kind  Kind
	scope string
}

type memBucket struct {
	level, at int64
	// emptyAt is when (ms) the bucket has drained, for the sweep.
	emptyAt int64
}

// NewMemory returns an in-process limiter.
func NewMemory(opts MemoryOptions) *Memory {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	return &Memory{clock: opts.Clock, buckets: map[bucketKey]*memBucket{}}
}

// Local reports that the limiter keeps its state in this process: a check
// takes microseconds and no round trip, so a caller gains nothing by
// running it concurrently with other work (billing/admit reads it).
func (m *Memory) Local() bool { return true }

// Check implements Limiter.
func (m *Memory) Check(_ context.Context, limits []Limit, requestTokens int64) (Decision, error) {
	if err := validate(limits, requestTokens); err != nil {
		return Decision{}, err
	}
	if len(limits) == 0 {
		return Decision{Allowed: true}, nil
	}
	levels := make([]int64, len(limits))
	allowed := true
	m.mu.Lock()
	now := m.clock().UnixMilli()
	m.sweep(now)
	for i, l := range limits {
		levels[i] = m.level(l, now)
		if !fits(l, levels[i], units(l, requestTokens)) {
			allowed = false
		}
	}
	if allowed {
		for i, l := range limits {
			if cost := units(l, requestTokens); cost > 0 {
				levels[i] = addLevel(levels[i], cost)
				m.store(l, levels[i], now)
			}
		}
	}
	m.mu.Unlock()
	return decide(limits, requestTokens, levels, allowed), nil
}

// Adjust implements Limiter.
func (m *Memory) Adjust(_ context.Context, limits []Limit, delta int64) error {
	if err := validate(limits, abs(delta)); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.clock().UnixMilli()
	for _, l := range limits {
		if l.Kind == TPM && delta != 0 {
			m.store(l, addLevel(m.level(l, now), delta*window), now)
		}
	}
	return nil
}

// Peek implements Limiter. It leaves even the sweep alone: a read
// changes nothing.
func (m *Memory) Peek(_ context.Context, limits []Limit) (Decision, error) {
	if err := validate(limits, 0); err != nil {
		return Decision{}, err
	}
	levels := make([]int64, len(limits))
	m.mu.Lock()
	now := m.clock().UnixMilli()
	for i, l := range limits {
		levels[i] = m.level(l, now)
	}
	m.mu.Unlock()
	return peeked(limits, levels), nil
}

// level is limit l's bucket level at now.
func (m *Memory) level(l Limit, now int64) int64 {
	b, ok := m.buckets[bucketKey{l.Kind, l.Scope}]
	if !ok {
		return 0
	}
	return drain(b.level, b.at, now, l.PerMinute)
}

func (m *Memory) store(l Limit, level, now int64) {
	k := bucketKey{l.Kind, l.Scope}
	if level == 0 {
		delete(m.buckets, k)
		return
	}
	b, ok := m.buckets[k]
	if !ok {
		b = &memBucket{}
		m.buckets[k] = b
	}
	b.level, b.at, b.emptyAt = level, now, now+ceilDiv(level, l.PerMinute)
}

// sweep removes drained buckets, once a minute: memory stays bounded by
// the scopes active in the last minute or two.
func (m *Memory) sweep(now int64) {
	if now < m.nextSweep {
		return
	}
	m.nextSweep = now + window
	for k, b := range m.buckets {
		if b.emptyAt <= now {
			delete(m.buckets, k)
		}
	}
}

// Len is the number of limits the limiter holds state for (those not
// drained back to their full allowance, give or take a minute).
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.buckets)
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}
