package ledger

import (
	"strconv"
	"testing"
)

// The ring keeps order across wrap-around and growth, and is full only at
// its limit, whatever size it has grown to.
func TestRecordQueueGrowsInOrderUpToItsLimit(t *testing.T) {
	q := newRecordQueue(1000)
	if len(q.buf) != initialQueueSlots {
		t.Fatalf("ring starts at %d slots, want %d", len(q.buf), initialQueueSlots)
	}
	next, want := 0, 0
	push := func(k int) {
		for range k {
			q.push(Record{RequestID: strconv.Itoa(next)})
			next++
		}
	}
	pop := func(k int) {
		for _, r := range q.pop(nil, k) {
			if r.RequestID != strconv.Itoa(want) {
				t.Fatalf("popped %s, want %d", r.RequestID, want)
			}
			want++
		}
	}
	push(200)
	pop(150) // head moves, so the next pushes wrap around
	push(900)
	if q.len() != 950 || q.full() {
		t.Fatalf("len %d full %v, want 950 and not full", q.len(), q.full())
	}
	push(50)
	if !q.full() || q.len() != 1000 {
		t.Fatalf("len %d full %v, want 1000 and full", q.len(), q.full())
	}
	pop(1000)
	if q.len() != 0 || want != next {
		t.Fatalf("len %d after draining, popped up to %d of %d", q.len(), want, next)
	}
}
