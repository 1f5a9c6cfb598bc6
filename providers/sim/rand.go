package sim

import (
	"sync/atomic"
	"time"
)

// Everything the simulator "decides" comes from these few functions, so that
// the same request always gets the same answer without a shared random source
// (which would need a lock on the hot path).

const (
	fnvOffset64 = 14695981039346656037
	fnvPrime64  = 1099511628211
)

// hasher is FNV-1a, 64 bits: fast, allocation-free and stable across runs
// (unlike hash/maphash), which is what deterministic content needs.
type hasher uint64

func newHasher() hasher { return fnvOffset64 }

func (h hasher) str(s string) hasher {
	for i := 0; i < len(s); i++ {
		h ^= hasher(s[i])
		h *= fnvPrime64
	}
	// A separator so that ("ab","c") and ("a","bc") differ.
	h ^= 0xff
	h *= fnvPrime64
	return h
}

func (h hasher) u64(v uint64) hasher {
	for i := 0; i < 8; i++ {
		h ^= hasher(v & 0xff)
		h *= fnvPrime64
		v >>= 8
	}
	return h
}

func (h hasher) sum() uint64 { return mix64(uint64(h)) }

// mix64 is the splitmix64 finalizer: it spreads FNV's weak low bits.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// rng is splitmix64: a tiny deterministic generator seeded from a hash.
type rng struct{ state uint64 }

func newRNG(seed uint64) *rng { return &rng{state: seed} }

func (r *rng) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	return mix64(r.state)
}

// intn returns a value in [0, n); n <= 0 gives 0.
func (r *rng) intn(n int) int {
	if n <= 0 {
		return 0
	}
	return int(r.next() % uint64(n))
}

// between returns a value in [lo, hi].
func (r *rng) between(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.intn(hi-lo+1)
}

// float returns a value in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

const base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// appendBase62 appends n base62 characters derived from seed.
func appendBase62(dst []byte, seed uint64, n int) []byte {
	r := rng{state: seed}
	for i := 0; i < n; i++ {
		dst = append(dst, base62Alphabet[r.next()%62])
	}
	return dst
}

// base62ID returns prefix followed by n base62 characters derived from seed.
func base62ID(prefix string, seed uint64, n int) string {
	b := make([]byte, 0, len(prefix)+n)
	b = append(b, prefix...)
	return string(appendBase62(b, seed, n))
}

var uniqueCounter atomic.Uint64

// uniqueSeed returns a value no other call in this process returns, for ids
// that must differ between responses (completion and request ids).
func uniqueSeed() uint64 {
	return mix64(uniqueCounter.Add(1)*0x9e3779b97f4a7c15 ^ uint64(time.Now().UnixNano()))
}
