package histogram_test

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/telemetry/histogram"
)

func TestEmpty(t *testing.T) {
	var h histogram.Histogram
	s := h.Snapshot()
	if s.Count != 0 || s.Quantile(0.5) != 0 || s.Mean() != 0 || len(s.Buckets) != 0 {
		t.Fatalf("empty snapshot %+v", s)
	}
}

// Quantiles agree with the exact ones within the bucket precision (1/32 of
// the value, so half of that from the bucket's middle) over a wide range.
func TestQuantilesWithinPrecision(t *testing.T) {
	var h histogram.Histogram
	rng := rand.New(rand.NewPCG(1, 2))
	values := make([]int64, 20000)
	for i := range values {
		// log-uniform from 1 ns to about 10 s
		values[i] = int64(math.Exp(rng.Float64() * math.Log(1e10)))
		h.RecordNanos(values[i])
	}
	slices.Sort(values)
	s := h.Snapshot()
	if s.Count != uint64(len(values)) {
		t.Fatalf("count %d, want %d", s.Count, len(values))
	}
	if s.Max != time.Duration(values[len(values)-1]) {
		t.Fatalf("max %v, want %v", s.Max, time.Duration(values[len(values)-1]))
	}
	for _, q := range []float64{0.01, 0.1, 0.5, 0.9, 0.99, 0.999, 1} {
		exact := values[int(math.Ceil(q*float64(len(values))))-1]
		got := int64(s.Quantile(q))
		if diff := math.Abs(float64(got-exact)) / float64(max(exact, 1)); diff > 1.0/32 {
			t.Errorf("q%.3f = %d, exact %d (off by %.2f%%)", q, got, exact, diff*100)
		}
	}
}

// Small values are exact, negative ones count as zero, and the largest
// int64 lands in the last bucket.
func TestExtremes(t *testing.T) {
	var h histogram.Histogram
	for _, v := range []int64{-5, 0, 1, 31, 32, math.MaxInt64} {
		h.RecordNanos(v)
	}
	s := h.Snapshot()
	want := []histogram.Bucket{
		{Lower: 0, Upper: 0, Count: 2}, {Lower: 1, Upper: 1, Count: 1},
		{Lower: 31, Upper: 31, Count: 1}, {Lower: 32, Upper: 32, Count: 1},
	}
	if !slices.Equal(s.Buckets[:4], want) {
		t.Fatalf("buckets %+v, want prefix %+v", s.Buckets, want)
	}
	last := s.Buckets[4]
	if last.Upper != math.MaxInt64 || last.Upper-last.Lower > last.Lower/32 || last.Count != 1 {
		t.Fatalf("last bucket %+v", last)
	}
}

// Buckets tile the range: each starts right after the previous one ends.
func TestBucketsAreContiguous(t *testing.T) {
	var h histogram.Histogram
	for v := int64(0); v < 1<<12; v++ {
		h.RecordNanos(v)
	}
	s := h.Snapshot()
	for i := 1; i < len(s.Buckets); i++ {
		if s.Buckets[i].Lower != s.Buckets[i-1].Upper+1 {
			t.Fatalf("gap between %+v and %+v", s.Buckets[i-1], s.Buckets[i])
		}
	}
	for _, b := range s.Buckets {
		if b.Count != uint64(b.Upper-b.Lower+1) {
			t.Fatalf("bucket %+v holds %d values, want %d", b, b.Count, b.Upper-b.Lower+1)
		}
	}
}

func TestRecordNanosNCountsEachOccurrence(t *testing.T) {
	var h histogram.Histogram
	h.RecordNanosN(1000, 3)
	h.RecordNanosN(5, 0) // nothing
	s := h.Snapshot()
	if s.Count != 3 || s.Sum != 3000 || s.Max != 1000 || len(s.Buckets) != 1 {
		t.Fatalf("snapshot %+v", s)
	}
}

func TestSubGivesTheWindow(t *testing.T) {
	var h histogram.Histogram
	for range 100 {
		h.Record(time.Millisecond)
	}
	before := h.Snapshot()
	for range 50 {
		h.Record(10 * time.Microsecond)
	}
	w := h.Snapshot().Sub(before)
	if w.Count != 50 || w.Sum != 50*10*time.Microsecond {
		t.Fatalf("window count %d sum %v", w.Count, w.Sum)
	}
	if q := w.Quantile(0.99); q < 9*time.Microsecond || q > 11*time.Microsecond {
		t.Fatalf("window p99 %v, want about 10µs", q)
	}
	if w.Max < 10*time.Microsecond || w.Max > 11*time.Microsecond {
		t.Fatalf("window max %v", w.Max)
	}
}

func TestConcurrentRecordsAllCount(t *testing.T) {
	var h histogram.Histogram
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 10000 {
				h.RecordNanos(int64(g*1000 + i))
			}
		})
	}
	wg.Wait()
	if s := h.Snapshot(); s.Count != 80000 {
		t.Fatalf("count %d, want 80000", s.Count)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	var h histogram.Histogram
	h.Record(3 * time.Microsecond)
	h.Record(5 * time.Millisecond)
	b, err := json.Marshal(h.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	var back histogram.Snapshot
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Count != 2 || back.Quantile(1) != back.Max || back.Max != 5*time.Millisecond || len(back.Buckets) != 2 {
		t.Fatalf("round trip %s -> %+v", b, back)
	}
}

func BenchmarkRecord(b *testing.B) {
	var h histogram.Histogram
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		v := int64(12345)
		for pb.Next() {
			h.RecordNanos(v)
			v = v*1103515245 + 12345&(1<<24-1)
		}
	})
}
