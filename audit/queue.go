package audit

// itemQueue is the RequestLog's in-memory queue: a ring that grows on
// demand up to its limit, so that an idle or lightly loaded gateway holds a
// few slots rather than the limit's worth (a record is a few hundred
// bytes; the default limit is 10,000 of them), and that gives back the
// ring a burst grew once the load is lower again (see trim). It is not
// safe for concurrent use: RequestLog.mu guards it.
type itemQueue struct {
	buf   []logItem
	head  int // index of the oldest item
	n     int
	limit int
	// peak is the most items held since the last trim.
	peak int
}

const (
	// initialQueueSlots is the ring's first size; it doubles from there.
	initialQueueSlots = 64
	// keptQueueSlots is the ring size trim always leaves alone: a few
	// batches at a few hundred requests a second.
	keptQueueSlots = 1024
)

func newItemQueue(limit int) itemQueue { return itemQueue{limit: limit} }

func (q *itemQueue) len() int { return q.n }

func (q *itemQueue) full() bool { return q.n >= q.limit }

// push adds it at the back of a queue that is not full.
func (q *itemQueue) push(it logItem) {
	if q.n == len(q.buf) {
		q.grow(min(max(2*len(q.buf), initialQueueSlots), max(q.limit, q.n+1)))
	}
	q.buf[(q.head+q.n)%len(q.buf)] = it
	q.n++
	q.peak = max(q.peak, q.n)
}

// grow moves the items, in order, to a ring of size slots (at least q.n).
func (q *itemQueue) grow(slots int) {
	grown := make([]logItem, slots)
	n := q.n
	q.pop(grown[:0], n)
	q.buf, q.head, q.n = grown, 0, n
}

// trim shrinks a ring larger than keptQueueSlots to twice the most items
// it held since the last trim, so that a burst's memory is given back
// once it is over but a steady load keeps its ring (called once per flush
// interval).
func (q *itemQueue) trim() {
	want := max(2*q.peak, initialQueueSlots)
	if len(q.buf) > keptQueueSlots && len(q.buf) > 2*want {
		q.grow(want)
	}
	q.peak = q.n
}

// pop moves the k oldest items to dst (reusing its array) and returns it.
// The freed slots are cleared so that their records and payloads can be
// collected.
func (q *itemQueue) pop(dst []logItem, k int) []logItem {
	dst = dst[:0]
	k = min(k, q.n)
	for k > 0 {
		end := min(q.head+k, len(q.buf))
		dst = append(dst, q.buf[q.head:end]...)
		clear(q.buf[q.head:end])
		k -= end - q.head
		q.n -= end - q.head
		q.head = end % len(q.buf)
	}
	if q.n == 0 {
		q.head = 0
	}
	return dst
}
