package audit

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Defaults of SweeperOptions.
const (
	DefaultRequestRetention = 90 * 24 * time.Hour
	DefaultPayloadRetention = 30 * 24 * time.Hour
	DefaultSweepInterval    = time.Hour
	DefaultSweepBatch       = 5_000
)

// SweeperOptions configures NewSweeper.
type SweeperOptions struct {
	// RequestRetention is how long request records are kept; 0 is
	// DefaultRequestRetention, negative keeps them for ever.
	RequestRetention time.Duration
	// PayloadRetention is how long captured payloads are kept for teams
	// that set no retention of their own; 0 is DefaultPayloadRetention.
	// It is counted in whole days (rounded up), as team retentions are.
	PayloadRetention time.Duration
	// Batch bounds the rows deleted per store call (0: DefaultSweepBatch).
	Batch int
	// Now replaces time.Now (tests use a fake clock).
	Now    func() time.Time
	Logger *slog.Logger
}

// Sweeper deletes request records and captured payloads whose retention
// has ended: records older than RequestRetention, payloads older than
// their team's PayloadRetentionDays (or the default). The serve command
// runs it periodically; tests call Sweep directly.
type Sweeper struct {
	store RequestStore
	opts  SweeperOptions
}

// NewSweeper returns a Sweeper over store.
func NewSweeper(store RequestStore, opts SweeperOptions) *Sweeper {
	if opts.RequestRetention == 0 {
		opts.RequestRetention = DefaultRequestRetention
	}
	if opts.PayloadRetention <= 0 {
		opts.PayloadRetention = DefaultPayloadRetention
	}
	if opts.Batch <= 0 {
		opts.Batch = DefaultSweepBatch
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Sweeper{store: store, opts: opts}
}

// Swept counts what one Sweep deleted.
type Swept struct {
	Records, Payloads int64
}

// Sweep deletes, batch after batch, everything whose retention has ended
// at the current time.
func (s *Sweeper) Sweep(ctx context.Context) (Swept, error) {
	now := storedTime(s.opts.Now())
	q := ExpiryQuery{Now: now, DefaultPayloadRetentionDays: days(s.opts.PayloadRetention), Limit: s.opts.Batch}
	if s.opts.RequestRetention > 0 {
		q.RecordsBefore = now.Add(-s.opts.RequestRetention)
	}
	var total Swept
	for {
		records, payloads, err := s.store.DeleteExpired(ctx, q)
		total.Records += records
		total.Payloads += payloads
		if err != nil {
			return total, fmt.Errorf("audit: retention sweep: %w", err)
		}
		if records < int64(q.Limit) && payloads < int64(q.Limit) {
			return total, nil
		}
	}
}

// Run sweeps every interval (DefaultSweepInterval when not positive),
// starting at once, until ctx ends. Failures are logged and retried at
// the next interval.
func (s *Sweeper) Run(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		interval = DefaultSweepInterval
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		swept, err := s.Sweep(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.opts.Logger.Warn("audit: retention sweep failed; retrying at the next interval", "error", err)
		case swept.Records > 0 || swept.Payloads > 0:
			s.opts.Logger.Info("audit: retention sweep", "request_records_deleted", swept.Records, "payloads_deleted", swept.Payloads)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// days is d in whole days, rounded up.
func days(d time.Duration) int {
	const day = 24 * time.Hour
	return int((d + day - 1) / day)
}
