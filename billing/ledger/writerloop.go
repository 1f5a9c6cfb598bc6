package ledger

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// loopState belongs to the background loop alone.
type loopState struct {
	// retryAt is when the loop may next try to replay the spool;
	// storeFailing is set from a failed store write to a successful one.
	retryAt      time.Time
	storeFailing bool
	backoff      backoff
	// replaying is the head segment being replayed, read once.
	replaying *replayPosition
	// batch is reused for every batch taken from the queue: an action is
	// finished (stored, spooled or put back) before the next is taken, and
	// stores do not keep the slice.
	batch []Record
}

type replayPosition struct {
	seg     *segment
	content segmentContent
	next    int // index of the first record not yet stored
}

// pendingPoll is how soon the loop looks again at a spool head that a
// spill is still writing (one fsync away).
const pendingPoll = 2 * time.Millisecond

type actionKind int

const (
	actExit   actionKind = iota
	actWrite             // write a batch to the store
	actSpool             // append a batch to the spool, behind what is there
	actReplay            // replay one chunk of the spool's head
)

type action struct {
	kind      actionKind
	batch     []Record
	seq       uint64 // the batch's place in the spool order
	lastSpill uint64 // the latest spill before the batch was taken
}

// run is the background loop. It alone writes to the store and replays,
// appends to and removes spool segments, so those need no coordination
// beyond the queue's mutex and the spool's reservations.
func (w *Writer) run() {
	defer close(w.done)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		a := w.next(timer)
		switch a.kind {
		case actExit:
			return
		case actWrite:
			w.writeBatch(a)
		case actSpool:
			w.spoolBatch(a)
		case actReplay:
			w.replayChunk()
		}
	}
}

// next waits until there is something to do. While the spool holds
// anything, queued records wait behind it so the store receives records in
// Enqueue order: in memory while the replay makes progress, and moved to
// the spool's tail while the store fails (and at Close), so the queue does
// not fill up during an outage.
func (w *Writer) next(timer *time.Timer) action {
	for {
		now := time.Now()
		w.mu.Lock()
		spooled := w.spool.nonEmpty()
		n := w.queue.len()
		closing := w.closed
		due := n >= w.opts.BatchSize || (n > 0 && (closing || now.Sub(w.firstQueued) >= w.opts.FlushInterval))
		toSpool := spooled && (closing || w.loop.storeFailing)
		// With nothing spooled yet while the store fails, the disk failed
		// too (the batch came back from spoolBatch): wait for the backoff.
		backingOff := !spooled && !closing && w.loop.storeFailing && now.Before(w.loop.retryAt)
		if due && !backingOff && (!spooled || toSpool) {
			a := action{kind: actWrite, batch: w.takeLocked(min(n, w.opts.BatchSize), now), seq: w.nextSeq, lastSpill: w.lastSpill}
			w.nextSeq++
			w.mu.Unlock()
			if spooled {
				a.kind = actSpool
			}
			return a
		}
		replayDue := spooled && !closing && !now.Before(w.loop.retryAt)
		if replayDue || (closing && n == 0) {
			w.mu.Unlock()
			if replayDue {
				return action{kind: actReplay}
			}
			return action{kind: actExit}
		}
		wait := time.Duration(-1)
		if n > 0 && (!spooled || toSpool) {
			wait = w.opts.FlushInterval - now.Sub(w.firstQueued)
		}
		if (spooled && !closing) || backingOff {
			if d := w.loop.retryAt.Sub(now); wait < 0 || d < wait {
				wait = d
			}
		}
		w.mu.Unlock()
		if wait >= 0 {
			timer.Reset(wait)
		}
		select {
		case <-w.wake:
		case <-w.closing:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// takeLocked removes the k oldest records from the queue, into the
// loop's reusable batch.
func (w *Writer) takeLocked(k int, now time.Time) []Record {
	w.loop.batch = w.queue.pop(w.loop.batch, k)
	if w.queue.len() > 0 {
		// The rest arrived later than the oldest; counting their deadline
		// from now delays them by at most one interval.
		w.firstQueued = now
	}
	return w.loop.batch
}

// writeBatch writes a batch to the store, or spools it when that fails.
func (w *Writer) writeBatch(a action) {
	if err := w.storeBatch(a.batch); err != nil {
		w.loop.storeFailing = true
		w.failed.Add(1)
		w.log.Warn("ledger: the spend store failed; spooling the batch to disk", "records", len(a.batch), "error", err)
		w.loop.retryAt = time.Now().Add(w.loop.backoff.next())
		w.spoolBatch(a)
		return
	}
	w.loop.storeFailing = false
	w.written.Add(int64(len(a.batch)))
}

// storeBatch writes records to the store. When the store refuses the
// batch as invalid, it writes them one by one and sets aside those it
// refuses, so that one bad record cannot block the others forever. It
// returns an error only when the store is failing.
func (w *Writer) storeBatch(records []Record) error {
	w.inFlight.Store(int64(len(records)))
	defer w.inFlight.Store(0)
	err := w.write(records)
	if err == nil || !errors.Is(err, ErrInvalidRecord) {
		return err
	}
	for _, r := range records {
		err := w.write([]Record{r})
		switch {
		case err == nil:
		case errors.Is(err, ErrInvalidRecord):
			w.reject(r, err)
		default:
			return err // the store is failing: the batch will be retried whole, idempotently
		}
	}
	return nil
}

func (w *Writer) write(records []Record) error {
	ctx, cancel := context.WithTimeout(w.writeCtx, w.opts.WriteTimeout)
	defer cancel()
	return w.store.WriteSpend(ctx, records)
}

// spoolBatch appends a batch to the spool at its reserved place. When the
// disk fails too, the batch goes back to the front of the queue to be
// tried again later, except during Close, where it is lost and reported.
func (w *Writer) spoolBatch(a action) {
	err := w.spool.write(a.seq, a.batch, a.lastSpill)
	if err == nil {
		w.spooled.Add(int64(len(a.batch)))
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		w.dropped.Add(int64(len(a.batch)))
		w.closeErr = errors.Join(w.closeErr, fmt.Errorf("%w: %d records: %w", ErrDropped, len(a.batch), err))
		w.log.Error("ledger: spend records dropped at shutdown: neither the store nor the spool took them",
			"records", len(a.batch), "error", err)
		return
	}
	w.log.Error("ledger: cannot write the spool; keeping the batch in memory", "records", len(a.batch), "error", err)
	w.queue.pushFront(a.batch)
	w.firstQueued = time.Now()
	w.loop.retryAt = time.Now().Add(w.loop.backoff.next())
}

// replayChunk writes the next chunk of the spool's head segment to the
// store, and removes the segment once all of it is stored.
func (w *Writer) replayChunk() {
	p := w.loop.replaying
	if p == nil {
		seg := w.spool.head()
		if seg == nil {
			return
		}
		if seg.pending {
			w.loop.retryAt = time.Now().Add(pendingPoll)
			return
		}
		content, err := w.spool.read(seg)
		if err != nil {
			w.log.Error("ledger: cannot read a spool segment; will try again", "segment", seg.path, "error", err)
			w.loop.retryAt = time.Now().Add(w.loop.backoff.next())
			return
		}
		if content.torn {
			w.corrupt.Add(1)
			w.log.Warn("ledger: a spool segment ends in a truncated line (the process stopped while writing it); skipping that line, replaying the rest",
				"segment", seg.path)
		}
		if len(content.badLines) > 0 {
			w.corrupt.Add(int64(len(content.badLines)))
			w.log.Warn("ledger: skipping unreadable lines of a spool segment; the segment will be kept as *"+corruptSuffix,
				"segment", seg.path, "lines", content.badLines)
		}
		p = &replayPosition{seg: seg, content: content}
		w.loop.replaying = p
	}
	records := p.content.records
	if p.next < len(records) {
		chunk := records[p.next:min(p.next+w.opts.BatchSize, len(records))]
		if err := w.storeBatch(chunk); err != nil {
			w.loop.storeFailing = true
			w.failed.Add(1)
			delay := w.loop.backoff.next()
			w.loop.retryAt = time.Now().Add(delay)
			w.log.Warn("ledger: the spend store is still failing; spooled records wait", "spooled_records", w.spool.records.Load(),
				"retry_in", delay.Round(time.Millisecond), "error", err)
			return
		}
		w.loop.storeFailing = false
		w.loop.backoff.reset()
		p.next += len(chunk)
		w.written.Add(int64(len(chunk)))
		w.replayed.Add(int64(len(chunk)))
		if p.next < len(records) {
			return
		}
	}
	if err := w.spool.remove(p.seg, len(p.content.badLines) > 0); err != nil {
		w.log.Error("ledger: cannot remove a replayed spool segment; will try again", "segment", p.seg.path, "error", err)
		w.loop.retryAt = time.Now().Add(w.loop.backoff.next())
		return
	}
	w.loop.replaying = nil
}

// backoff doubles from min to max, with ±25% jitter so that gateway
// instances recovering together do not retry in step.
type backoff struct {
	min, max, cur time.Duration
}

func (b *backoff) next() time.Duration {
	if b.cur == 0 {
		b.cur = b.min
	} else {
		b.cur = min(2*b.cur, b.max)
	}
	return b.cur - b.cur/4 + rand.N(b.cur/2+1)
}

func (b *backoff) reset() { b.cur = 0 }
