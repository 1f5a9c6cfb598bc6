package auth

import (
	"context"
	"sync"
	"time"
)

// finalFlushTimeout bounds the last write of last-used times when Run stops.
const finalFlushTimeout = 5 * time.Second

// Run does Keys' background work until ctx ends: every flush interval it
// writes the last-used times recorded since the previous flush and forgets
// failed-authentication records that have refilled; and when the store
// announces key changes (KeyChangeWatcher, e.g. Postgres LISTEN/NOTIFY), it
// applies them to the cache as they arrive, so a key revoked or changed
// through any instance is refused or re-read here within moments rather
// than when its cache entry ages out. It writes the last-used times once
// more before returning nil.
func (k *Keys) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	if w, ok := k.store.(KeyChangeWatcher); ok {
		wg.Go(func() { _ = w.WatchKeyChanges(ctx, k.ApplyChange) })
	}
	ticker := time.NewTicker(k.flushInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			flushCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finalFlushTimeout)
			defer cancel()
			if err := k.FlushUsage(flushCtx); err != nil {
				k.logger.Warn("could not record last-used times of keys at shutdown", "error", err)
			}
			return nil
		case <-ticker.C:
			if err := k.FlushUsage(ctx); err != nil && ctx.Err() == nil {
				k.logger.Debug("could not record last-used times of keys; will retry", "error", err)
			}
			k.limiter.prune()
		}
	}
}

// ApplyChange applies a change announced by another instance to the cache:
// a revoked key is refused from now on (during an outage too), a changed
// key is read again on its next use, and a resync makes every cached
// verification be checked again.
func (k *Keys) ApplyChange(c KeyChange) {
	switch {
	case c.Resync:
		k.cache.resync(k.now())
	case c.Revoked:
		k.cache.markRevoked(c.KeyID)
	case c.KeyID != "":
		k.cache.invalidateKey(c.KeyID)
	}
}
