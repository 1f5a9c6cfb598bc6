package idempotency

import (
	"context"
	"sync"
	"time"
)

// claim is what an engine does for one key it granted as Started.
type claim interface {
	// renew extends the claim by LockTTL; false means it is lost.
	renew(ctx context.Context) (bool, error)
	// complete stores result for the key's ttl, unless another request
	// holds the key (ErrLeaseLost).
	complete(ctx context.Context, result []byte) error
	// abandon frees the key if this claim still holds it.
	abandon(ctx context.Context) error
}

// lease is a Started outcome's claim, renewed in the background until the
// request finishes or the context given to Begin ends.
type lease struct {
	claim claim

	mu       sync.Mutex
	finished bool
	stop     chan struct{}
}

func startLease(ctx context.Context, c claim, lockTTL time.Duration) *lease {
	l := &lease{claim: c, stop: make(chan struct{})}
	go l.renewEvery(ctx, max(lockTTL/3, time.Millisecond))
	return l
}

// renewEvery keeps the claim alive. It stops when the request finishes,
// when Begin's context ends (the request is over, finished or not: the
// claim then lapses within LockTTL), or when the claim is lost. A failed
// renewal (Redis briefly unreachable) is retried at the next tick.
func (l *lease) renewEvery(ctx context.Context, every time.Duration) {
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-l.stop:
			return
		case <-ticker.C:
			renewCtx, cancel := context.WithTimeout(ctx, every)
			held, err := l.claim.renew(renewCtx)
			cancel()
			if err == nil && !held {
				return
			}
		}
	}
}

// finish marks the lease finished once; false if it already was.
func (l *lease) finish() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.finished {
		return false
	}
	l.finished = true
	close(l.stop)
	return true
}

// Complete stores result as the key's answer, for the ttl given to Begin,
// and wakes the duplicates waiting for it. Call it (or Abandon) exactly
// once on a Started outcome; a failed Complete leaves the key to lapse.
func (o Outcome) Complete(ctx context.Context, result []byte) error {
	if o.lease == nil || !o.lease.finish() {
		return ErrNotStarted
	}
	return o.lease.claim.complete(ctx, result)
}

// Abandon frees the key without storing a result, for requests whose
// outcome must not be replayed; one waiting duplicate takes over as
// Started. After Complete or Abandon it does nothing and returns
// ErrNotStarted, so `defer out.Abandon(ctx)` is a safe guard.
func (o Outcome) Abandon(ctx context.Context) error {
	if o.lease == nil || !o.lease.finish() {
		return ErrNotStarted
	}
	return o.lease.claim.abandon(ctx)
}
