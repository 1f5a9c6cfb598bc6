package histogram

import (
	"math"
	"time"
)

// Snapshot is a histogram's distribution at one moment, or over a window
// (see Sub). Its JSON form is stable:
//
//	{"count": 3, "sum_ns": 1200, "max_ns": 700, "buckets": [{"lo": 240, "hi": 247, "n": 2}, ...]}
type Snapshot struct {
	// Count is the number of recorded values.
	Count uint64 `json:"count"`
	// Sum is the total of the recorded values.
	Sum time.Duration `json:"sum_ns"`
	// Max is the largest recorded value. In a snapshot made by Sub it is the
	// upper bound of the highest non-empty bucket.
	Max time.Duration `json:"max_ns"`
	// Buckets lists the non-empty buckets in increasing order.
	Buckets []Bucket `json:"buckets"`
}

// Bucket counts the values between Lower and Upper nanoseconds, inclusive.
type Bucket struct {
	Lower int64  `json:"lo"`
	Upper int64  `json:"hi"`
	Count uint64 `json:"n"`
}

// Quantile returns the value below which a fraction q (0..1) of the recorded
// values lie: the middle of the bucket holding that rank, never more than
// Max. It returns 0 for an empty snapshot.
func (s Snapshot) Quantile(q float64) time.Duration {
	if s.Count == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(s.Count)))
	rank = max(rank, 1)
	var seen uint64
	for _, b := range s.Buckets {
		seen += b.Count
		if seen >= rank {
			mid := b.Lower + (b.Upper-b.Lower)/2
			if s.Max > 0 && time.Duration(mid) > s.Max {
				return s.Max
			}
			return time.Duration(mid)
		}
	}
	return s.Max
}

// Mean returns the average recorded value, 0 for an empty snapshot.
func (s Snapshot) Mean() time.Duration {
	if s.Count == 0 {
		return 0
	}
	return s.Sum / time.Duration(s.Count)
}

// Sub returns the distribution of the values recorded between prev and s,
// two snapshots of the same histogram with prev taken first. Max becomes the
// upper bound of the highest bucket that gained values (the true maximum of
// the window is not known).
func (s Snapshot) Sub(prev Snapshot) Snapshot {
	before := make(map[int64]uint64, len(prev.Buckets))
	for _, b := range prev.Buckets {
		before[b.Lower] = b.Count
	}
	out := Snapshot{Sum: s.Sum - prev.Sum}
	for _, b := range s.Buckets {
		n := b.Count - min(before[b.Lower], b.Count)
		if n == 0 {
			continue
		}
		out.Buckets = append(out.Buckets, Bucket{Lower: b.Lower, Upper: b.Upper, Count: n})
		out.Count += n
		out.Max = time.Duration(b.Upper)
	}
	return out
}
