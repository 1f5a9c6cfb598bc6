package auth

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// usageResolution is the finest last-used precision kept: a key used
	// many times a second costs one atomic store a second, not one a
	// request.
	usageResolution = int64(time.Second / time.Microsecond)
	// usageIdleDrop is how long a key's cell is kept after its last use
	// has been written, so the map does not grow with every key ever seen.
	usageIdleDrop = time.Hour
)

// usageRecorder collects last-used times in memory, for Flush to write in
// one batch every few seconds instead of one write per request.
type usageRecorder struct {
	mu    sync.Mutex
	cells map[string]*usageCell
	// flushMu serialises flushes, which own the flushed fields.
	flushMu sync.Mutex
}

// usageCell is one key's last use, in unix microseconds. Cache entries
// point at it, so recording a use is one atomic load (and at most one
// store a second) on the request path.
type usageCell struct {
	keyID   string
	owner   *usageRecorder
	last    atomic.Int64
	flushed int64 // the last value written; guarded by owner.flushMu
	dropped atomic.Bool
}

func newUsageRecorder() *usageRecorder {
	return &usageRecorder{cells: make(map[string]*usageCell)}
}

// cell returns the key's cell, creating it.
func (r *usageRecorder) cell(keyID string) *usageCell {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.cells[keyID]
	if !ok {
		c = &usageCell{keyID: keyID, owner: r}
		r.cells[keyID] = c
	}
	return c
}

// touch records a use at now.
func (c *usageCell) touch(now time.Time) {
	if c == nil {
		return
	}
	if c.dropped.Load() {
		// Dropped from the map after a long idle time while a cache entry
		// still pointed at it: record through a live cell.
		c.owner.cell(c.keyID).touch(now)
		return
	}
	us := now.UnixMicro()
	if us-c.last.Load() >= usageResolution {
		c.last.Store(us)
	}
}

// pending returns the uses not yet written, and drops cells that have been
// idle and written for a long time.
func (r *usageRecorder) pending(now time.Time) []KeyUsage {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []KeyUsage
	idleBefore := now.Add(-usageIdleDrop).UnixMicro()
	for id, c := range r.cells {
		last := c.last.Load()
		switch {
		case last > c.flushed:
			out = append(out, KeyUsage{KeyID: id, UsedAt: time.UnixMicro(last).UTC()})
		case last < idleBefore:
			c.dropped.Store(true)
			delete(r.cells, id)
		}
	}
	return out
}

// markWritten records that these uses are stored.
func (r *usageRecorder) markWritten(usage []KeyUsage) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, u := range usage {
		if c, ok := r.cells[u.KeyID]; ok {
			c.flushed = max(c.flushed, u.UsedAt.UnixMicro())
		}
	}
}

// FlushUsage writes the last-used times recorded since the previous flush
// in one batch. Run calls it periodically and once more when it stops; on
// failure the times are kept for the next attempt.
func (k *Keys) FlushUsage(ctx context.Context) error {
	k.usage.flushMu.Lock()
	defer k.usage.flushMu.Unlock()
	batch := k.usage.pending(k.now())
	if len(batch) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, k.storeTimeout)
	defer cancel()
	if err := k.store.RecordKeyUsage(ctx, batch); err != nil {
		return storeError(err)
	}
	k.usage.markWritten(batch)
	return nil
}
