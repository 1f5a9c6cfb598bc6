package ledger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of WriterOptions.
const (
	DefaultQueueSize     = 10_000
	DefaultBatchSize     = 500
	DefaultFlushInterval = 500 * time.Millisecond
	DefaultWriteTimeout  = 10 * time.Second
	DefaultRetryMin      = 250 * time.Millisecond
	DefaultRetryMax      = 30 * time.Second
)

// WriterOptions configures NewWriter. Zero values take the defaults.
type WriterOptions struct {
	// SpoolDir is the directory of the disk spool (required; created with
	// mode 0700). Each gateway process needs its own: a second writer on
	// the same directory is refused.
	SpoolDir string
	// QueueSize bounds the records held in memory; past it Enqueue writes
	// to the spool itself.
	QueueSize int
	// BatchSize is the most records per store write; a batch is written
	// when it is full or FlushInterval after its first record was queued.
	BatchSize     int
	FlushInterval time.Duration
	// WriteTimeout bounds each store write.
	WriteTimeout time.Duration
	// RetryMin and RetryMax bound the backoff between replay attempts
	// while the store is failing (doubling, with jitter).
	RetryMin, RetryMax time.Duration
	// Logger receives warnings (store failures, unreadable spool lines);
	// slog.Default() when nil.
	Logger *slog.Logger
}

func (o WriterOptions) withDefaults() WriterOptions {
	o.QueueSize = orDefault(o.QueueSize, DefaultQueueSize)
	o.BatchSize = min(orDefault(o.BatchSize, DefaultBatchSize), o.QueueSize)
	o.FlushInterval = orDefault(o.FlushInterval, DefaultFlushInterval)
	o.WriteTimeout = orDefault(o.WriteTimeout, DefaultWriteTimeout)
	o.RetryMin = orDefault(o.RetryMin, DefaultRetryMin)
	o.RetryMax = max(orDefault(o.RetryMax, DefaultRetryMax), o.RetryMin)
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// WriterStats are the Writer's counters, for metrics.
type WriterStats struct {
	// QueueLength is the records waiting in memory; InFlight those in a
	// store write under way.
	QueueLength int
	InFlight    int
	// SpoolSegments, SpoolBytes and SpoolRecords measure the spool now.
	SpoolSegments int
	SpoolBytes    int64
	SpoolRecords  int64
	// Written counts records the store acknowledged (Replayed of them came
	// from the spool); Spooled, records written to the spool; Failed,
	// store writes that failed.
	Written  int64
	Replayed int64
	Spooled  int64
	Failed   int64
	// Corrupt counts spool lines that could not be read (a line torn by a
	// crash); Rejected, records the store refused as invalid, kept in the
	// spool directory's rejected file; Dropped, records lost because
	// neither the store nor the disk would take them.
	Corrupt  int64
	Rejected int64
	Dropped  int64
}

// ErrDropped: a record was lost because the store and the spool both
// failed (see Writer.Enqueue).
var ErrDropped = errors.New("ledger: spend record dropped: neither the store nor the spool took it")

// Writer takes spend records off the request path and into a store:
// batched in the background, spooled to disk while the store fails, and
// replayed in order once it answers again. See the package documentation.
type Writer struct {
	store SpendWriter
	opts  WriterOptions
	log   *slog.Logger
	spool *spool

	mu sync.Mutex
	// queue holds records in Enqueue order; firstQueued is when the oldest
	// of them arrived (the flush deadline counts from it).
	queue       recordQueue
	firstQueued time.Time
	// nextSeq numbers spool positions: every batch taken from the queue
	// and every spill reserves one, so spool order is Enqueue order.
	nextSeq uint64
	// lastSpill is the position of the latest spill.
	lastSpill uint64
	closed    bool

	wake      chan struct{} // the loop has something to look at
	closing   chan struct{} // closed by Close
	done      chan struct{} // closed when the loop has exited
	closeOnce sync.Once
	closeErr  error

	// writeCtx is the parent of every store write; Close cancels it when
	// its own context ends.
	writeCtx     context.Context
	cancelWrites context.CancelFunc

	inFlight                                                       atomic.Int64
	written, replayed, spooled, failed, corrupt, rejected, dropped atomic.Int64

	loop loopState
}

// NewWriter opens the spool in o.SpoolDir and starts the background loop,
// which first replays what an earlier process left in the spool.
func NewWriter(store SpendWriter, o WriterOptions) (*Writer, error) {
	if store == nil {
		return nil, errors.New("ledger: NewWriter needs a store")
	}
	if o.SpoolDir == "" {
		return nil, errors.New("ledger: WriterOptions.SpoolDir is required")
	}
	o = o.withDefaults()
	sp, maxSeq, err := openSpool(o.SpoolDir, o.Logger)
	if err != nil {
		return nil, err
	}
	w := &Writer{
		store: store, opts: o, log: o.Logger, spool: sp,
		queue:   newRecordQueue(o.QueueSize),
		nextSeq: maxSeq + 1,
		wake:    make(chan struct{}, 1),
		closing: make(chan struct{}),
		done:    make(chan struct{}),
		loop:    loopState{backoff: backoff{min: o.RetryMin, max: o.RetryMax}},
	}
	w.writeCtx, w.cancelWrites = context.WithCancel(context.Background())
	if n := sp.records.Load(); n > 0 {
		w.log.Info("ledger: replaying spooled spend records left by an earlier run",
			"records", n, "segments", sp.segmentCount(), "dir", o.SpoolDir)
	}
	go w.run()
	return w, nil
}

// Enqueue hands a record to the writer. It never waits for the store: the
// record joins a bounded in-memory queue, or, when the queue is full or the
// writer closed, is written to the spool at once together with everything
// queued before it (a disk write, the price of never dropping a record).
// It fails only for a record that Validate refuses (after Normalize), or,
// with ErrDropped, when that spool write fails too.
func (w *Writer) Enqueue(r Record) error {
	r = r.Normalize()
	if err := r.Validate(); err != nil {
		return err
	}
	w.mu.Lock()
	if !w.closed && !w.queue.full() {
		w.queue.push(r)
		n := w.queue.len()
		if n == 1 {
			w.firstQueued = time.Now()
		}
		w.mu.Unlock()
		if n == 1 || n == w.opts.BatchSize {
			w.signal()
		}
		return nil
	}
	return w.spillLocked(r)
}

// spillLocked writes the queue and r to a new spool segment. It is called
// with w.mu held and releases it before the disk write; the segment's
// place in the order is reserved first, so replay waits for it and later
// batches go behind it.
func (w *Writer) spillLocked(r Record) error {
	batch := append(w.queue.pop(make([]Record, 0, w.queue.len()+1), w.queue.len()), r)
	seq := w.nextSeq
	w.nextSeq++
	w.lastSpill = seq
	w.spool.reservePending(seq)
	w.mu.Unlock()
	w.signal()

	if err := w.spool.fillPending(seq, batch); err != nil {
		// Put the queued records back in front (they were fine in memory)
		// and lose only the new one, unless the loop has exited (Close
		// finished meanwhile) and nothing would take them.
		lost := batch[len(batch)-1:]
		w.mu.Lock()
		select {
		case <-w.done:
			lost = batch
		default:
			w.queue.pushFront(batch[:len(batch)-1])
			if w.queue.len() > 0 {
				w.firstQueued = time.Now()
			}
		}
		w.mu.Unlock()
		w.dropped.Add(int64(len(lost)))
		w.log.Error("ledger: spend records dropped: the queue is full or closed and the spool cannot be written",
			"records", len(lost), "request_id", r.RequestID, "attempt", r.Attempt, "error", err)
		return fmt.Errorf("%w: %w", ErrDropped, err)
	}
	w.spooled.Add(int64(len(batch)))
	return nil
}

func (w *Writer) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Close flushes the writer, for shutdown (SIGTERM): the queued records are
// written to the store, or to the spool when the store fails or ctx ends
// first (ctx bounds the store writes, never the spool's). It returns when
// no record is left in memory, with an error only if some were dropped
// because the spool could not be written either. The spool is not
// replayed here; the next NewWriter on the directory does it. Records
// enqueued after Close go straight to the spool. Close is idempotent.
func (w *Writer) Close(ctx context.Context) error {
	w.closeOnce.Do(func() {
		w.mu.Lock()
		w.closed = true
		w.mu.Unlock()
		close(w.closing)
	})
	stop := context.AfterFunc(ctx, w.cancelWrites)
	defer stop()
	<-w.done
	w.cancelWrites() // no store write is left to bound
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.spool.lock != nil {
		if err := w.spool.close(); err != nil {
			w.closeErr = errors.Join(w.closeErr, err)
		}
	}
	return w.closeErr
}

// Stats returns the writer's counters.
func (w *Writer) Stats() WriterStats {
	w.mu.Lock()
	queued := w.queue.len()
	w.mu.Unlock()
	return WriterStats{
		QueueLength:   queued,
		InFlight:      int(w.inFlight.Load()),
		SpoolSegments: w.spool.segmentCount(),
		SpoolBytes:    w.spool.bytes.Load(),
		SpoolRecords:  w.spool.records.Load(),
		Written:       w.written.Load(),
		Replayed:      w.replayed.Load(),
		Spooled:       w.spooled.Load(),
		Failed:        w.failed.Load(),
		Corrupt:       w.corrupt.Load(),
		Rejected:      w.rejected.Load(),
		Dropped:       w.dropped.Load(),
	}
}
