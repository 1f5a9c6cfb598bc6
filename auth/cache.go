package auth

import (
	"crypto/sha256"
	"sync"
	"time"
)

// verifiedCache remembers successful verifications by secret hash. It holds
// no secrets (only HMACs, which are useless without the server secret), only
// successes (a failing store or an unknown key is asked again every time),
// and at most max entries.
type verifiedCache struct {
	ttl time.Duration
	max int

	mu      sync.RWMutex
	entries map[[sha256.Size]byte]cacheEntry
	// gen counts invalidations. A lookup that started before an
	// invalidation must not insert what it read (see put).
	gen uint64
}

type cacheEntry struct {
	principal   *Principal
	expiresAt   time.Time // the key's own expiry, checked on every hit
	cachedUntil time.Time
}

func newVerifiedCache(ttl time.Duration, max int) *verifiedCache {
	if ttl <= 0 || max <= 0 {
		return &verifiedCache{} // disabled: get misses, put drops
	}
	return &verifiedCache{ttl: ttl, max: max, entries: make(map[[sha256.Size]byte]cacheEntry)}
}

func (c *verifiedCache) enabled() bool { return c.entries != nil }

func (c *verifiedCache) get(hash [sha256.Size]byte, now time.Time) (cacheEntry, bool) {
	if !c.enabled() {
		return cacheEntry{}, false
	}
	c.mu.RLock()
	e, ok := c.entries[hash]
	c.mu.RUnlock()
	if !ok || !now.Before(e.cachedUntil) {
		return cacheEntry{}, false
	}
	return e, true
}

func (c *verifiedCache) generation() uint64 {
	if !c.enabled() {
		return 0
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

// put stores e unless an invalidation happened since gen was read: the
// record behind e may be the one that was just revoked.
func (c *verifiedCache) put(hash [sha256.Size]byte, e cacheEntry, now time.Time, gen uint64) {
	if !c.enabled() {
		return
	}
	e.cachedUntil = now.Add(c.ttl)
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if _, present := c.entries[hash]; !present && len(c.entries) >= c.max {
		c.makeRoom(now)
	}
	c.entries[hash] = e
}

// makeRoom drops stale entries and, if the cache is still full, arbitrary
// ones (Go's map order is randomised) down to 7/8 of max, so a full cache of
// fresh entries is not swept again on every insert.
func (c *verifiedCache) makeRoom(now time.Time) {
	for h, e := range c.entries {
		if !now.Before(e.cachedUntil) {
			delete(c.entries, h)
		}
	}
	target := c.max - c.max/8
	if target >= c.max {
		target = c.max - 1
	}
	for h := range c.entries {
		if len(c.entries) <= target {
			break
		}
		delete(c.entries, h)
	}
}

// invalidate forgets the verification of the secret with this hash.
func (c *verifiedCache) invalidate(hash []byte) {
	if !c.enabled() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if len(hash) == sha256.Size {
		delete(c.entries, [sha256.Size]byte(hash))
	}
}

// purge forgets every verification.
func (c *verifiedCache) purge() {
	if !c.enabled() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.entries)
}
