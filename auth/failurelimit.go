package auth

import (
	"errors"
	"fmt"
	"hash/maphash"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// Defaults of the failed-authentication limiter.
const (
	DefaultMaxAuthFailures   = 60
	DefaultAuthFailureWindow = time.Minute
	// maxTrackedAddresses bounds the limiter's memory; past it, addresses
	// whose allowance has refilled are forgotten first, then any.
	maxTrackedAddresses = 100_000
	limiterShards       = 16
)

// FailureLimiter rate limits failed authentications per client address, so
// keys cannot be guessed at speed. Each address has a token bucket of
// maxFailures tokens that refills at maxFailures per window; every failed
// authentication takes a token, and an address with no token left is
// refused, whatever key it sends, with RateLimited (HTTP 429, Connect
// ResourceExhausted) and a RetryAfter of the time until its next token.
// Refusing successes too is deliberate: otherwise the limiter would answer
// "right" and "wrong" differently and still let guessing through.
//
// IPv6 addresses are grouped by /64, the block one host usually has. A
// request without a failure costs one atomic load while no address is
// being tracked, and one shard lookup otherwise.
type FailureLimiter struct {
	capacity float64
	perToken time.Duration // refill interval of one token
	now      func() time.Time
	seed     maphash.Seed
	tracked  atomic.Int64
	shards   [limiterShards]limiterShard
}

type limiterShard struct {
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens  float64
	updated time.Time
}

// NewFailureLimiter allows maxFailures failed authentications per address
// in a burst, refilled at maxFailures per window. It returns nil (no
// limiting) when maxFailures is not positive.
func NewFailureLimiter(maxFailures int, window time.Duration) *FailureLimiter {
	if maxFailures <= 0 {
		return nil
	}
	if window <= 0 {
		window = DefaultAuthFailureWindow
	}
	l := &FailureLimiter{
		capacity: float64(maxFailures),
		perToken: window / time.Duration(maxFailures),
		now:      time.Now,
		seed:     maphash.MakeSeed(),
	}
	for i := range l.shards {
		l.shards[i].buckets = make(map[string]*bucket)
	}
	return l
}

// SetClock replaces time.Now, for tests.
func (l *FailureLimiter) SetClock(now func() time.Time) { l.now = now }

// addressKey is the bucket of a remote address: the IP, or its /64 for
// IPv6. An address it cannot parse is its own bucket.
func addressKey(remoteAddr string) string {
	host := remoteAddr
	if h, _, err := net.SplitHostPort(remoteAddr); err == nil {
		host = h
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is6() {
		prefix, _ := ip.Prefix(64)
		return prefix.String()
	}
	return ip.String()
}

func (l *FailureLimiter) shard(key string) *limiterShard {
	return &l.shards[maphash.String(l.seed, key)%limiterShards]
}

// refill brings b up to date at now.
func (l *FailureLimiter) refill(b *bucket, now time.Time) {
	if elapsed := now.Sub(b.updated); elapsed > 0 {
		b.tokens = min(l.capacity, b.tokens+float64(elapsed)/float64(l.perToken))
		b.updated = now
	}
}

// check refuses an address that has no failure left, before its credential
// is looked at.
func (l *FailureLimiter) check(remoteAddr string) *llm.Error {
	if l == nil || l.tracked.Load() == 0 {
		return nil
	}
	key := addressKey(remoteAddr)
	s := l.shard(key)
	now := l.now()
	s.mu.Lock()
	b, ok := s.buckets[key]
	var wait time.Duration
	if ok {
		l.refill(b, now)
		if b.tokens < 1 {
			wait = time.Duration((1 - b.tokens) * float64(l.perToken))
		}
	}
	s.mu.Unlock()
	if wait <= 0 {
		return nil
	}
	return errTooManyFailures(wait)
}

// noteFailure takes a token from the address when err is a failed
// authentication: a refused credential, not a missing one (a client that
// sends none is not guessing) and not an unavailable store.
func (l *FailureLimiter) noteFailure(remoteAddr string, err error) {
	if l == nil || llm.KindOf(err) != llm.KindUnauthenticated || errors.Is(err, ErrMissingKey) {
		return
	}
	key := addressKey(remoteAddr)
	s := l.shard(key)
	now := l.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buckets[key]
	if !ok {
		if l.tracked.Load() >= maxTrackedAddresses {
			l.sweep(s, now)
		}
		b = &bucket{tokens: l.capacity, updated: now}
		s.buckets[key] = b
		l.tracked.Add(1)
	}
	l.refill(b, now)
	b.tokens = max(0, b.tokens-1)
}

// sweep forgets the shard's addresses whose allowance has refilled (they
// behave as if never seen) and, if that frees nothing, an arbitrary half.
func (l *FailureLimiter) sweep(s *limiterShard, now time.Time) {
	before := len(s.buckets)
	for key, b := range s.buckets {
		if l.refill(b, now); b.tokens >= l.capacity {
			delete(s.buckets, key)
		}
	}
	if len(s.buckets) == before {
		for key := range s.buckets {
			if len(s.buckets) <= before/2 {
				break
			}
			delete(s.buckets, key)
		}
	}
	l.tracked.Add(int64(len(s.buckets) - before))
}

func errTooManyFailures(wait time.Duration) *llm.Error {
	secs := int64((wait + time.Second - 1) / time.Second)
	return &llm.Error{
		Kind:       llm.KindRateLimited,
		Code:       "too_many_failed_authentications",
		RetryAfter: time.Duration(secs) * time.Second,
		Err:        ErrTooManyFailures,
		Message:    fmt.Sprintf("too many failed authentication attempts from your address; retry in %d s", secs),
	}
}

// prune forgets addresses whose allowance has refilled, so the request path
// returns to its one-atomic-load fast path once an attack is over.
func (l *FailureLimiter) prune() {
	if l == nil || l.tracked.Load() == 0 {
		return
	}
	now := l.now()
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		for key, b := range s.buckets {
			if l.refill(b, now); b.tokens >= l.capacity {
				delete(s.buckets, key)
				l.tracked.Add(-1)
			}
		}
		s.mu.Unlock()
	}
}
