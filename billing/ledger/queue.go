package ledger

// recordQueue is the Writer's in-memory queue: a ring buffer that grows on
// demand up to its limit and keeps its size, so that Enqueue, which runs on
// the request path, allocates nothing in a steady state, and an idle or
// lightly loaded gateway does not hold the limit's worth of memory.
type recordQueue struct {
	buf   []Record
	head  int // index of the oldest record
	n     int
	limit int
}

// initialQueueSlots is the ring's first size: a batch's worth at a few
// hundred requests a second.
const initialQueueSlots = 256

func newRecordQueue(limit int) recordQueue {
	return recordQueue{buf: make([]Record, min(limit, initialQueueSlots)), limit: limit}
}

func (q *recordQueue) len() int { return q.n }

func (q *recordQueue) full() bool { return q.n >= q.limit }

// push adds r at the back of a queue that is not full.
func (q *recordQueue) push(r Record) {
	if q.n == len(q.buf) {
		q.grow(min(max(2*len(q.buf), 1), max(q.limit, q.n+1)))
	}
	q.buf[(q.head+q.n)%len(q.buf)] = r
	q.n++
}

// grow moves the records, in order, to a ring of size slots.
func (q *recordQueue) grow(slots int) {
	grown := make([]Record, slots)
	n := q.n
	q.pop(grown[:0], n)
	q.buf, q.head, q.n = grown, 0, n
}

// pop moves the k oldest records to dst (reusing its array) and returns it.
// The freed slots are cleared so their strings can be collected.
func (q *recordQueue) pop(dst []Record, k int) []Record {
	dst = dst[:0]
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

// pushFront puts recs back in front of the queue, in order, growing it
// past its limit if need be (the rare path of a disk that refused them).
func (q *recordQueue) pushFront(recs []Record) {
	if q.n+len(recs) > len(q.buf) {
		grown := make([]Record, q.n+len(recs))
		copy(grown[len(recs):], q.pop(nil, q.n))
		copy(grown, recs)
		q.buf, q.head, q.n = grown, 0, len(grown)
		return
	}
	for i := len(recs) - 1; i >= 0; i-- {
		q.head = (q.head - 1 + len(q.buf)) % len(q.buf)
		q.buf[q.head] = recs[i]
		q.n++
	}
}
