package router

// window counts events over a rolling period split into windowBuckets
// buckets: a bucket is reset when time moves past it, and a sum covers the
// buckets of the last period. It is not safe for concurrent use: its owner
// holds a lock.
type window struct {
	width   int64 // nanoseconds per bucket
	buckets [windowBuckets]bucket
}

const windowBuckets = 10

// bucket holds the counts of one slice of time.
type bucket struct {
	slot      int64 // time / width of the bucket's slice
	ok, fail  int64
	requests  int64
	tokens    int64
	retries   int64
	firstOnly int64
}

func newWindow(period int64) window {
	w := period / windowBuckets
	if w <= 0 {
		w = 1
	}
	return window{width: w}
}

// at returns the bucket for time now, reset if it held an older slice.
func (w *window) at(now int64) *bucket {
	slot := now / w.width
	b := &w.buckets[slot%windowBuckets]
	if b.slot != slot {
		*b = bucket{slot: slot}
	}
	return b
}

// sum adds up the buckets of the period ending at now.
func (w *window) sum(now int64) bucket {
	slot := now / w.width
	var s bucket
	for i := range w.buckets {
		b := &w.buckets[i]
		if b.slot > slot-windowBuckets && b.slot <= slot {
			s.ok += b.ok
			s.fail += b.fail
			s.requests += b.requests
			s.tokens += b.tokens
			s.retries += b.retries
			s.firstOnly += b.firstOnly
		}
	}
	return s
}

// reset forgets everything.
func (w *window) reset() { w.buckets = [windowBuckets]bucket{} }
