package auth

import (
	"crypto/sha256"
	"sync"
	"time"
)

// verifiedCache remembers verifications by secret hash. It holds no secrets
// (only HMACs, which are useless without the server secret) and at most max
// entries. Entries are of two sorts:
//
//   - successes, fresh for ttl after the store confirmed them, then stale:
//     a stale success sends the next verification to the store, and is
//     honoured in its place only while the store cannot be reached, until
//     staleFor after the last confirmation;
//   - revocations (tombstones), which are final, so they hold without asking
//     the store, during an outage too.
//
// Unknown keys are never remembered: anyone can make up hashes to fill a
// cache with.
type verifiedCache struct {
	ttl      time.Duration
	staleFor time.Duration
	max      int
	usage    *usageRecorder

	mu      sync.RWMutex
	entries map[[sha256.Size]byte]cacheEntry
	// gen counts invalidations. A lookup that started before an
	// invalidation must not insert what it read (see put).
	gen uint64
}

type cacheEntry struct {
	keyID     string
	principal *Principal      // set for a virtual key
	admin     *AdminPrincipal // set for an admin credential
	revoked   bool
	// expiresAt is checked on every hit: the key's own expiry, or the end
	// of the grace period of a secret retired by a rotation (retired).
	expiresAt  time.Time
	retired    bool
	freshUntil time.Time
	staleUntil time.Time
	usage      *usageCell
}

// cacheState is what get found.
type cacheState int

const (
	cacheMiss cacheState = iota
	cacheFresh
	cacheStale // usable only when the store cannot be reached
)

func newVerifiedCache(ttl, staleFor time.Duration, max int, usage *usageRecorder) *verifiedCache {
	if ttl <= 0 || max <= 0 {
		return &verifiedCache{usage: usage} // disabled: get misses, put drops
	}
	return &verifiedCache{ttl: ttl, staleFor: staleFor, max: max, usage: usage,
		entries: make(map[[sha256.Size]byte]cacheEntry)}
}

func (c *verifiedCache) enabled() bool { return c.entries != nil }

func (c *verifiedCache) get(hash [sha256.Size]byte, now time.Time) (cacheEntry, cacheState) {
	if !c.enabled() {
		return cacheEntry{}, cacheMiss
	}
	c.mu.RLock()
	e, ok := c.entries[hash]
	c.mu.RUnlock()
	switch {
	case !ok || !now.Before(e.staleUntil):
		return cacheEntry{}, cacheMiss
	case now.Before(e.freshUntil):
		return e, cacheFresh
	}
	return e, cacheStale
}

func (c *verifiedCache) generation() uint64 {
	if !c.enabled() {
		return 0
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

// put stores what the store just said about hash, unless an invalidation
// happened since gen was read: the record behind e may be the one that was
// just changed or revoked.
func (c *verifiedCache) put(hash [sha256.Size]byte, e cacheEntry, now time.Time, gen uint64) {
	if !c.enabled() {
		return
	}
	if e.revoked {
		e.freshUntil = now.Add(c.staleFor) // final: no need to ask again
	} else {
		e.freshUntil = now.Add(c.ttl)
	}
	e.staleUntil = now.Add(c.staleFor)
	e.usage = c.usage.cell(e.keyID)
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

// makeRoom drops entries past their staleness bound and, if the cache is
// still full, arbitrary ones (Go's map order is randomised) down to 7/8 of
// max, so a full cache is not swept again on every insert.
func (c *verifiedCache) makeRoom(now time.Time) {
	for h, e := range c.entries {
		if !now.Before(e.staleUntil) {
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

// remove forgets one hash (the store no longer knows it).
func (c *verifiedCache) remove(hash [sha256.Size]byte) {
	if !c.enabled() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, hash)
}

// invalidateKey forgets every cached verification of the key, current and
// retired secrets alike, so the next use asks the store; while the store is
// unreachable the key is then refused rather than served from a record
// that is known to be out of date.
func (c *verifiedCache) invalidateKey(keyID string) {
	if !c.enabled() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for h, e := range c.entries {
		if e.keyID == keyID {
			delete(c.entries, h)
		}
	}
}

// markRevoked turns every cached verification of the key into a revocation.
func (c *verifiedCache) markRevoked(keyID string) {
	if !c.enabled() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for h, e := range c.entries {
		if e.keyID == keyID {
			e.revoked = true
			e.freshUntil = e.staleUntil
			c.entries[h] = e
		}
	}
}

// resync makes every success stale, so each is checked against the store
// on its next use; they stay usable as the outage fallback.
func (c *verifiedCache) resync(now time.Time) {
	if !c.enabled() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for h, e := range c.entries {
		if !e.revoked && now.Before(e.freshUntil) {
			e.freshUntil = now
			c.entries[h] = e
		}
	}
}
