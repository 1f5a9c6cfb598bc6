package budget

import (
	"context"
	"errors"
	"sync"
)

// flight lets concurrent callers that find the same window unseeded share
// one seeding: at the start of a window every request misses at once, and
// one ledger query is enough for all of them.
type flight struct {
	mu    sync.Mutex
	calls map[string]*flightCall
}

type flightCall struct {
	done chan struct{}
	err  error
}

// do runs fn once for all callers that arrive with the same name while it
// runs, and returns its error to each. A follower whose leader failed only
// because the leader's own context ended tries again itself, so one
// cancelled request does not fail the others.
func (f *flight) do(ctx context.Context, name string, fn func(ctx context.Context) error) error {
	for {
		f.mu.Lock()
		if f.calls == nil {
			f.calls = make(map[string]*flightCall)
		}
		c, following := f.calls[name]
		if !following {
			c = &flightCall{done: make(chan struct{})}
			f.calls[name] = c
		}
		f.mu.Unlock()

		if following {
			select {
			case <-c.done:
			case <-ctx.Done():
				return ctx.Err()
			}
			if c.err != nil && isContextError(c.err) && ctx.Err() == nil {
				continue
			}
			return c.err
		}

		c.err = fn(ctx)
		f.mu.Lock()
		delete(f.calls, name)
		f.mu.Unlock()
		close(c.done)
		return c.err
	}
}

func isContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
