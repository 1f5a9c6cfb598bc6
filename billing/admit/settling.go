package admit

import (
	"context"
	"sync"

	"github.com/switchboard-gw/switchboard/billing/budget"
)

// settling tracks the settlements this instance has deferred until after
// their answers (llm.AfterAnswer), by budget scope, so that a request
// admitted after an answer reached its client waits for that answer's
// settlement before reserving: a sequential client sees the money each
// settlement frees, whichever connection (or HTTP/2 stream) it uses next.
// A request waits only for the settlements pending when it arrives, never
// for later ones, so a busy scope cannot starve it.
type settling struct {
	mu      sync.Mutex
	pending map[string]map[chan struct{}]struct{}
}

// begin registers a settlement of budgets and returns the channel end
// closes.
func (s *settling) begin(budgets []budget.Budget) chan struct{} {
	done := make(chan struct{})
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending == nil {
		s.pending = map[string]map[chan struct{}]struct{}{}
	}
	for _, b := range budgets {
		set := s.pending[b.Scope]
		if set == nil {
			set = map[chan struct{}]struct{}{}
			s.pending[b.Scope] = set
		}
		set[done] = struct{}{}
	}
	return done
}

// end marks the settlement begun with done as landed (or failed).
func (s *settling) end(budgets []budget.Budget, done chan struct{}) {
	s.mu.Lock()
	for _, b := range budgets {
		if set := s.pending[b.Scope]; set != nil {
			delete(set, done)
			if len(set) == 0 {
				delete(s.pending, b.Scope)
			}
		}
	}
	s.mu.Unlock()
	close(done)
}

// idle reports that no settlement is pending: wait would return at once.
func (s *settling) idle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending) == 0
}

// wait returns once every settlement of budgets' scopes pending now has
// landed, or when ctx ends.
func (s *settling) wait(ctx context.Context, budgets []budget.Budget) {
	s.mu.Lock()
	if len(s.pending) == 0 {
		s.mu.Unlock()
		return
	}
	var waits []chan struct{}
	for _, b := range budgets {
		for done := range s.pending[b.Scope] {
			waits = append(waits, done)
		}
	}
	s.mu.Unlock()
	for _, done := range waits {
		select {
		case <-done:
		case <-ctx.Done():
			return
		}
	}
}
