package idempotency

import (
	"context"
	"sync"
	"time"
)

// Memory is the in-process Engine: the embedded default for a single
// gateway. Waiters sleep on a channel closed when the running request
// finishes.
type Memory struct {
	opts Options

	mu      sync.Mutex
	entries map[string]*memEntry
	sweepAt time.Time
}

// memEntry is one key: a running request's claim, or a stored result.
type memEntry struct {
	fingerprint string
	done        bool
	result      []byte
	// expires is when the claim lapses (running) or the result is
	// forgotten (done).
	expires time.Time
	ttl     time.Duration
	// finished is closed when a running request completes or is abandoned.
	finished chan struct{}
}

// NewMemory returns an empty in-process engine.
func NewMemory(opts Options) *Memory {
	return &Memory{opts: opts.withDefaults(), entries: make(map[string]*memEntry)}
}

var _ Engine = (*Memory)(nil)

// Begin implements Engine.
func (m *Memory) Begin(ctx context.Context, key, fingerprint string, ttl time.Duration) (Outcome, error) {
	if err := checkKey(key); err != nil {
		return Outcome{}, err
	}
	waitCtx, cancel := m.opts.waitBound(ctx)
	defer cancel()
	for {
		m.mu.Lock()
		now := time.Now()
		e := m.entries[key]
		if e != nil && !now.Before(e.expires) {
			m.drop(key, e)
			e = nil
		}
		if e == nil {
			m.sweep(now)
			e = &memEntry{fingerprint: fingerprint, expires: now.Add(m.opts.LockTTL), ttl: resultTTL(ttl), finished: make(chan struct{})}
			m.entries[key] = e
			m.mu.Unlock()
			return Outcome{Kind: Started, lease: startLease(ctx, &memClaim{m: m, key: key, entry: e}, m.opts.LockTTL)}, nil
		}
		if e.fingerprint != fingerprint {
			m.mu.Unlock()
			return Outcome{Kind: Conflict}, nil
		}
		if e.done {
			result := append([]byte(nil), e.result...)
			m.mu.Unlock()
			return Outcome{Kind: Replay, Result: result}, nil
		}
		finished, lapse := e.finished, e.expires.Sub(now)
		m.mu.Unlock()

		// Wake when the request finishes, or when its claim would lapse
		// (it may have been renewed meanwhile: then wait again).
		timer := time.NewTimer(lapse)
		select {
		case <-finished:
		case <-timer.C:
		case <-waitCtx.Done():
			timer.Stop()
			return Outcome{}, stoppedWaiting(waitCtx)
		}
		timer.Stop()
	}
}

// drop removes e and wakes its waiters. Called with m.mu held.
func (m *Memory) drop(key string, e *memEntry) {
	if m.entries[key] == e {
		delete(m.entries, key)
	}
	if !e.done {
		closeOnce(e.finished)
	}
}

// sweep forgets lapsed claims and expired results, at most once a minute.
// Called with m.mu held when an entry is added.
func (m *Memory) sweep(now time.Time) {
	if now.Before(m.sweepAt) {
		return
	}
	m.sweepAt = now.Add(time.Minute)
	for key, e := range m.entries {
		if !now.Before(e.expires) {
			m.drop(key, e)
		}
	}
}

func closeOnce(ch chan struct{}) {
	select {
	case <-ch:
	default:
		close(ch)
	}
}

// memClaim is a Started request's hold on its entry.
type memClaim struct {
	m     *Memory
	key   string
	entry *memEntry
}

// holds reports whether the claim's entry is still the key's running
// entry. Called with m.mu held.
func (c *memClaim) holds() bool {
	return c.m.entries[c.key] == c.entry && !c.entry.done
}

func (c *memClaim) renew(context.Context) (bool, error) {
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	if !c.holds() {
		return false, nil
	}
	c.entry.expires = time.Now().Add(c.m.opts.LockTTL)
	return true, nil
}

// complete stores the result if the claim still holds the key, or if the
// claim lapsed and nobody took the key since.
func (c *memClaim) complete(_ context.Context, result []byte) error {
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	now := time.Now()
	current := c.m.entries[c.key]
	if current != nil && current != c.entry && now.Before(current.expires) {
		return ErrLeaseLost
	}
	e := c.entry
	e.done, e.result, e.expires = true, append([]byte(nil), result...), now.Add(e.ttl)
	c.m.entries[c.key] = e
	closeOnce(e.finished)
	return nil
}

func (c *memClaim) abandon(context.Context) error {
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	if c.holds() {
		c.m.drop(c.key, c.entry)
	}
	return nil
}
