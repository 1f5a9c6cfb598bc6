package audit

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
)

// Defaults of RequestLogOptions.
const (
	DefaultQueueSize           = 10_000
	DefaultBatchSize           = 200
	DefaultFlushInterval       = time.Second
	DefaultWriteTimeout        = 10 * time.Second
	DefaultMaxQueuedPayload    = 64 << 20
	DefaultTeamSettingsTTL     = 30 * time.Second
	defaultWriteAttempts       = 3
	defaultRetryBackoff        = 500 * time.Millisecond
	maxCapturedDocumentBytes   = 8 << 20
	truncatedDocumentPlacehold = `{"truncated":true}`
)

// RequestLogOptions configures NewRequestLog. Zero values take the
// defaults.
type RequestLogOptions struct {
	// Teams is where each team's payload capture switch is read; nil
	// captures nothing.
	Teams auth.TeamStore
	// QueueSize bounds the records waiting in memory; past it new records
	// are dropped (and counted), never waited for.
	QueueSize int
	// MaxQueuedPayloadBytes bounds the captured bodies waiting in memory;
	// past it a record is kept without its payload.
	MaxQueuedPayloadBytes int64
	// BatchSize is the most records per store write (at most QueueSize);
	// a batch is written when full, and every record at most
	// FlushInterval after it was queued.
	BatchSize     int
	FlushInterval time.Duration
	// WriteTimeout bounds each store write; a failed batch is tried three
	// times, then dropped (and counted).
	WriteTimeout time.Duration
	// TeamSettingsTTL is how long a team's capture switch is cached.
	TeamSettingsTTL time.Duration
	// Now replaces time.Now (tests).
	Now func() time.Time
	// Logger receives store failures and drops; slog.Default() when nil.
	Logger *slog.Logger
}

// RequestLogStats are the RequestLog's counters.
type RequestLogStats struct {
	// Queued is the records waiting in memory now.
	Queued int
	// Written counts records stored; Dropped those lost to a full queue
	// or a store that kept failing; PayloadsSkipped the payloads not
	// captured because the payload queue was full.
	Written, Dropped, PayloadsSkipped int64
}

// RequestLog writes request records and captured payloads off the request
// path: Observation.Finish puts a record in a bounded in-memory queue and
// returns at once (dropping it, counted in Stats, when the queue is full:
// the request is never slowed or refused for the audit trail's sake), and
// Run writes them in batches, redacting payloads first. Unlike the spend
// ledger it keeps no disk spool: request records are an audit aid, spend
// is the ledger's.
//
// Finish wakes Run's goroutine only when it must, not once per request (a
// wake-up costs tens of microseconds on a small VM): while records keep
// coming, Run writes what has queued each FlushInterval on its own timer
// and is woken early only when a batch is full; it stops the timer when an
// interval passed with nothing queued, and the next record wakes it.
type RequestLog struct {
	store    RequestStore
	opts     RequestLogOptions
	settings teamSettings

	// mu guards queue, flushes and ticking.
	mu    sync.Mutex
	queue itemQueue
	// flushes are the pending Flush calls: each is closed once everything
	// queued before it has been written.
	flushes []chan struct{}
	// ticking tells that Run's interval timer is running, so a record
	// joining an empty queue needs no wake-up: the next tick writes it.
	ticking bool
	// wake asks Run to look at the queue (a full batch, a Flush, a record
	// while the timer is stopped); sent without waiting, 1-buffered.
	wake chan struct{}

	queuedPayload atomic.Int64
	written       atomic.Int64
	dropped       atomic.Int64
	// draining and drainFailed belong to Run's goroutine: set once the
	// final drain has begun, and once a batch has failed during it.
	draining, drainFailed bool
	payloadsSkipped       atomic.Int64
	dropWarned            atomic.Bool
}

type logItem struct {
	rec     RequestRecord
	payload *pendingPayload
}

// pendingPayload is a capture waiting to be redacted and encoded.
type pendingPayload struct {
	request  *CapturedRequest
	response *CapturedResponse
	size     int64
}

// NewRequestLog returns a RequestLog over store; Run does the writing.
func NewRequestLog(store RequestStore, opts RequestLogOptions) *RequestLog {
	if store == nil {
		panic("audit.NewRequestLog: nil RequestStore")
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = DefaultQueueSize
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	// A batch larger than the queue would never fill: the queue would
	// drop records while Run waited for it.
	opts.BatchSize = min(opts.BatchSize, opts.QueueSize)
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = DefaultFlushInterval
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = DefaultWriteTimeout
	}
	if opts.MaxQueuedPayloadBytes <= 0 {
		opts.MaxQueuedPayloadBytes = DefaultMaxQueuedPayload
	}
	if opts.TeamSettingsTTL <= 0 {
		opts.TeamSettingsTTL = DefaultTeamSettingsTTL
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &RequestLog{
		store:    store,
		opts:     opts,
		settings: teamSettings{store: opts.Teams, ttl: opts.TeamSettingsTTL, logger: opts.Logger},
		queue:    newItemQueue(opts.QueueSize),
		wake:     make(chan struct{}, 1),
	}
}

func (l *RequestLog) now() time.Time { return l.opts.Now() }

// TeamChanged drops what this instance cached of a team's capture switch,
// so that a change made through it applies from the next request. Other
// instances see it within TeamSettingsTTL.
func (l *RequestLog) TeamChanged(teamID string) {
	if l != nil {
		l.settings.forget(teamID)
	}
}

// Stats returns the counters.
func (l *RequestLog) Stats() RequestLogStats {
	return RequestLogStats{Queued: l.queued(), Written: l.written.Load(), Dropped: l.dropped.Load(), PayloadsSkipped: l.payloadsSkipped.Load()}
}

// enqueue hands a finished record to the writer without ever waiting.
func (l *RequestLog) enqueue(rec RequestRecord, p *pendingPayload) {
	if p != nil {
		p.size = int64(p.request.size())
		if p.response != nil {
			p.size += int64(p.response.size())
		}
		if l.queuedPayload.Add(p.size) > l.opts.MaxQueuedPayloadBytes {
			l.queuedPayload.Add(-p.size)
			l.payloadsSkipped.Add(1)
			p = nil
		}
	}
	rec.PayloadCaptured = p != nil
	l.mu.Lock()
	if l.queue.full() {
		l.mu.Unlock()
		if p != nil {
			l.queuedPayload.Add(-p.size)
		}
		l.dropped.Add(1)
		if !l.dropWarned.Swap(true) {
			l.opts.Logger.Warn("audit: request record queue is full; dropping records until it drains (see the dropped count)")
		}
		return
	}
	l.queue.push(logItem{rec: rec, payload: p})
	n := l.queue.len()
	wake := n == l.opts.BatchSize || (n == 1 && !l.ticking)
	l.mu.Unlock()
	if wake {
		l.signal()
	}
}

func (l *RequestLog) signal() {
	select {
	case l.wake <- struct{}{}:
	default: // a wake-up is pending already
	}
}

func (l *RequestLog) queued() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.queue.len()
}

// Flush returns once every record finished before the call has been
// written (or dropped), or when ctx ends. Run must be running.
func (l *RequestLog) Flush(ctx context.Context) error {
	done := make(chan struct{})
	l.mu.Lock()
	l.flushes = append(l.flushes, done)
	l.mu.Unlock()
	l.signal()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run writes queued records until ctx ends, then writes what is still
// queued (for at most WriteTimeout per batch) and returns nil.
func (l *RequestLog) Run(ctx context.Context) error {
	timer := time.NewTimer(l.opts.FlushInterval)
	timer.Stop()
	defer timer.Stop()
	batch := make([]logItem, 0, l.opts.BatchSize)
	// Once ctx has ended the drain's rules apply, even with a wake-up
	// pending.
	for ctx.Err() == nil {
		select {
		case <-l.wake:
			batch = l.serve(ctx, timer, false, batch)
		case <-timer.C:
			batch = l.serve(ctx, timer, true, batch)
		case <-ctx.Done():
		}
	}
	l.drain(context.WithoutCancel(ctx), batch)
	return nil
}

// serve answers a wake-up, or a tick of the interval timer: it writes the
// full batches queued, and on a tick or for a Flush everything queued, and
// keeps the timer running while records keep coming. It stops early when
// ctx ends, leaving the rest (and the Flush calls) to the drain. It
// returns batch, emptied, for reuse.
func (l *RequestLog) serve(ctx context.Context, timer *time.Timer, tick bool, batch []logItem) []logItem {
	l.mu.Lock()
	flushes := l.flushes
	l.flushes = nil
	queued := l.queue.len()
	if tick {
		l.queue.trim()
	}
	switch {
	case tick && queued == 0:
		// A whole interval without a record: stop ticking; the next
		// record wakes Run.
		l.ticking = false
	case tick || (!l.ticking && queued > 0):
		// Rearmed before writing, so that a record queued during a slow
		// write still waits no more than one interval.
		l.ticking = true
		timer.Reset(l.opts.FlushInterval)
	}
	l.mu.Unlock()

	// owed is what must be written even in a batch that is not full.
	owed := 0
	if tick || len(flushes) > 0 {
		owed = queued
	}
	for {
		l.mu.Lock()
		if ctx.Err() != nil {
			l.flushes = append(flushes, l.flushes...)
			l.mu.Unlock()
			return batch[:0]
		}
		n := l.queue.len()
		if n == 0 || (n < l.opts.BatchSize && owed <= 0) {
			l.mu.Unlock()
			break
		}
		batch = l.queue.pop(batch, l.opts.BatchSize)
		l.mu.Unlock()
		owed -= len(batch)
		l.write(ctx, batch)
		clear(batch)
	}
	for _, f := range flushes {
		close(f)
	}
	return batch[:0]
}

// drain writes everything still queued when Run's context has ended,
// detached from it (ctx here is not canceled). Once a batch fails the
// store is taken to be down: the rest is dropped at once rather than
// retried batch by batch, which would hold the process's exit for minutes
// (see write).
func (l *RequestLog) drain(ctx context.Context, batch []logItem) {
	l.draining = true
	var flushes []chan struct{}
	for {
		l.mu.Lock()
		flushes = append(flushes, l.flushes...)
		l.flushes = nil
		batch = l.queue.pop(batch, l.opts.BatchSize)
		l.mu.Unlock()
		if len(batch) == 0 {
			break
		}
		l.write(ctx, batch)
		clear(batch)
	}
	for _, f := range flushes {
		close(f)
	}
}

// write redacts and encodes the batch's payloads and stores the batch,
// trying a few times before dropping it.
func (l *RequestLog) write(ctx context.Context, batch []logItem) {
	records := make([]RequestRecord, len(batch))
	var payloads []Payload
	for i, it := range batch {
		records[i] = it.rec
		if it.payload == nil {
			continue
		}
		l.queuedPayload.Add(-it.payload.size)
		payloads = append(payloads, l.encode(it.rec, it.payload))
	}
	var err error
	attempts := defaultWriteAttempts
	if l.draining {
		if l.drainFailed {
			l.dropped.Add(int64(len(records)))
			return
		}
		attempts = 1
	}
	for attempt := range attempts {
		if attempt > 0 {
			select {
			case <-time.After(defaultRetryBackoff << attempt):
			case <-ctx.Done():
			}
		}
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.opts.WriteTimeout)
		err = l.store.WriteRequests(wctx, records, payloads)
		cancel()
		if err == nil {
			l.written.Add(int64(len(records)))
			return
		}
	}
	l.dropped.Add(int64(len(records)))
	if l.draining {
		l.drainFailed = true
		l.opts.Logger.Error("audit: could not store request records while shutting down; dropping what is still queued", "records", len(records), "queued", l.queued(), "error", err)
		return
	}
	l.opts.Logger.Error("audit: could not store request records; dropped them", "records", len(records), "error", err)
}

// encode redacts a capture and turns it into the stored Payload.
func (l *RequestLog) encode(rec RequestRecord, p *pendingPayload) Payload {
	out := Payload{RequestID: rec.RequestID, Time: rec.Time, KeyID: rec.KeyID, TeamID: rec.TeamID, UserID: rec.UserID}
	p.request.redact()
	out.Request = encodeDocument(p.request)
	if p.response == nil {
		p.response = &CapturedResponse{}
	}
	p.response.redact()
	out.Response = encodeDocument(p.response)
	return out
}

func encodeDocument(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil || len(b) > maxCapturedDocumentBytes {
		return []byte(truncatedDocumentPlacehold)
	}
	return b
}

func isNotFound(err error) bool { return errors.Is(err, auth.ErrNotFound) }
