package audit

import (
	"strconv"
	"testing"
)

// The ring keeps order across wrap-around and growth, grows only on
// demand, is full at its limit, and gives back what a burst grew.
func TestItemQueueGrowsInOrderUpToItsLimitAndTrimsAfterABurst(t *testing.T) {
	q := newItemQueue(5000)
	if len(q.buf) != 0 {
		t.Fatalf("an empty queue holds %d slots", len(q.buf))
	}
	next, want := 0, 0
	push := func(k int) {
		for range k {
			q.push(logItem{rec: RequestRecord{RequestID: strconv.Itoa(next)}})
			next++
		}
	}
	pop := func(k int) {
		for _, it := range q.pop(nil, k) {
			if it.rec.RequestID != strconv.Itoa(want) {
				t.Fatalf("popped %s, want %d", it.rec.RequestID, want)
			}
			want++
		}
	}
	push(50)
	if len(q.buf) != initialQueueSlots {
		t.Fatalf("%d slots for 50 items, want %d", len(q.buf), initialQueueSlots)
	}
	pop(40) // the head moves: the next pushes wrap around, then grow
	push(4000)
	pop(10)
	push(1000)
	if !q.full() || q.len() != 5000 || len(q.buf) != 5000 {
		t.Fatalf("len %d, %d slots, full %v: want 5000, 5000, full", q.len(), len(q.buf), q.full())
	}
	pop(4990)
	q.trim() // the burst's peak: nothing given back yet
	if len(q.buf) != 5000 {
		t.Fatalf("trim right after the burst left %d slots", len(q.buf))
	}
	q.trim() // an interval at 10 items: the ring shrinks, keeping them
	if len(q.buf) != initialQueueSlots || q.len() != 10 {
		t.Fatalf("after a quiet interval: %d slots, %d items", len(q.buf), q.len())
	}
	pop(10)
	if want != next {
		t.Fatalf("popped %d of %d", want, next)
	}
}
