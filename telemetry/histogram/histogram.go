package histogram

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// subBits is the number of mantissa bits kept per power of two: 2^subBits
// buckets per octave, so a bucket is at most 1/32 of its value wide.
const subBits = 5

const (
	perOctave = 1 << subBits
	// numBuckets covers every non-negative int64: values below perOctave
	// have a bucket each (the first group), then perOctave buckets for each
	// power of two from 2^subBits to 2^62.
	numBuckets = (63 - subBits + 1) * perOctave
)

// Histogram counts durations. The zero value is ready to use; it is safe for
// concurrent use and must not be copied after first use.
type Histogram struct {
	counts [numBuckets]atomic.Uint64
	sum    atomic.Int64 // nanoseconds; wraps after 292 years of recorded time
	max    atomic.Int64
}

// Record counts one duration. Negative durations count as zero.
func (h *Histogram) Record(d time.Duration) { h.RecordNanos(int64(d)) }

// RecordNanos counts one duration given in nanoseconds.
func (h *Histogram) RecordNanos(ns int64) { h.RecordNanosN(ns, 1) }

// RecordNanosN counts n occurrences of the same duration.
func (h *Histogram) RecordNanosN(ns int64, n uint64) {
	if n == 0 {
		return
	}
	if ns < 0 {
		ns = 0
	}
	h.counts[bucketOf(ns)].Add(n)
	h.sum.Add(ns * int64(n))
	for {
		m := h.max.Load()
		if ns <= m || h.max.CompareAndSwap(m, ns) {
			return
		}
	}
}

// bucketOf returns the index of the bucket holding ns (ns >= 0).
func bucketOf(ns int64) int {
	v := uint64(ns)
	if v < perOctave {
		return int(v)
	}
	exp := bits.Len64(v) - 1 // >= subBits
	shift := exp - subBits
	mantissa := int(v>>shift) - perOctave // 0 .. perOctave-1
	return (shift+1)*perOctave + mantissa
}

// bounds returns the smallest and largest value bucket i holds.
func bounds(i int) (lo, hi int64) {
	if i < perOctave {
		return int64(i), int64(i)
	}
	shift := i/perOctave - 1
	mantissa := i % perOctave
	lo = int64(perOctave+mantissa) << shift
	return lo, lo + int64(1)<<shift - 1 // the last bucket ends exactly at MaxInt64
}

// Snapshot returns the distribution recorded so far. Recording may go on
// concurrently; the snapshot is then consistent to within the records that
// raced with it.
func (h *Histogram) Snapshot() Snapshot {
	s := Snapshot{Sum: time.Duration(h.sum.Load()), Max: time.Duration(h.max.Load())}
	for i := range h.counts {
		n := h.counts[i].Load()
		if n == 0 {
			continue
		}
		lo, hi := bounds(i)
		s.Buckets = append(s.Buckets, Bucket{Lower: lo, Upper: hi, Count: n})
		s.Count += n
	}
	return s
}
