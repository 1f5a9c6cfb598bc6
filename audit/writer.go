package audit

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
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
	// BatchSize is the most records per store write; a batch is written
	// when full or FlushInterval after its first record arrived.
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
type RequestLog struct {
	store    RequestStore
	opts     RequestLogOptions
	settings teamSettings
	queue    chan logItem

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
	// flushed, when set, marks a Flush: closed once everything queued
	// before it is written.
	flushed chan struct{}
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
		queue:    make(chan logItem, opts.QueueSize),
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
	return RequestLogStats{Queued: len(l.queue), Written: l.written.Load(), Dropped: l.dropped.Load(), PayloadsSkipped: l.payloadsSkipped.Load()}
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
	select {
	case l.queue <- logItem{rec: rec, payload: p}:
	default:
		if p != nil {
			l.queuedPayload.Add(-p.size)
		}
		l.dropped.Add(1)
		if !l.dropWarned.Swap(true) {
			l.opts.Logger.Warn("audit: request record queue is full; dropping records until it drains (see the dropped count)")
		}
	}
}

// Flush returns once every record finished before the call has been
// written (or dropped), or when ctx ends. Run must be running.
func (l *RequestLog) Flush(ctx context.Context) error {
	done := make(chan struct{})
	select {
	case l.queue <- logItem{flushed: done}:
	case <-ctx.Done():
		return ctx.Err()
	}
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
	batch := make([]logItem, 0, l.opts.BatchSize)
	var flushes []chan struct{}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	write := func(wctx context.Context) {
		if len(batch) > 0 {
			l.write(wctx, batch)
			clear(batch)
			batch = batch[:0]
		}
		for _, f := range flushes {
			close(f)
		}
		flushes = flushes[:0]
		timer.Stop()
	}
	add := func(it logItem) {
		if it.flushed != nil {
			flushes = append(flushes, it.flushed)
			write(ctx)
			return
		}
		if len(batch) == 0 {
			timer.Reset(l.opts.FlushInterval)
		}
		batch = append(batch, it)
		if len(batch) >= l.opts.BatchSize {
			write(ctx)
		}
	}
	for {
		select {
		case it := <-l.queue:
			add(it)
		case <-timer.C:
			write(ctx)
		case <-ctx.Done():
			// Drain what was queued before the end, detached from ctx. Once
			// a batch fails here the store is taken to be down: the rest is
			// dropped at once rather than retried batch by batch, which
			// would hold the process's exit for minutes.
			final := context.WithoutCancel(ctx)
			l.draining = true
			for {
				select {
				case it := <-l.queue:
					if it.flushed != nil {
						flushes = append(flushes, it.flushed)
						continue
					}
					batch = append(batch, it)
					if len(batch) >= l.opts.BatchSize {
						write(final)
					}
				default:
					write(final)
					return nil
				}
			}
		}
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
		l.opts.Logger.Error("audit: could not store request records while shutting down; dropping what is still queued", "records", len(records), "queued", len(l.queue), "error", err)
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
