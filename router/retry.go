package router

import (
	"sync"
	"time"
)

// budgetPeriod is the window over which the retry budget compares retries
// with requests.
const budgetPeriod = 10 * time.Second

// budget is an alias's retry budget: over the last budgetPeriod, retries
// and hedges may add at most ratio of the requests, plus minPerSecond per
// second. A retry that would exceed it is not made; the request ends with
// the error it had. This bounds the extra load an outage causes, whatever
// each request's own retry settings say.
type budget struct {
	mu  sync.Mutex
	win window
}

// request counts a request (its first attempt).
func (b *budget) request(now int64) {
	b.mu.Lock()
	b.win.at(now).firstOnly++
	b.mu.Unlock()
}

// withdraw takes one retry from the budget, or reports that it is spent.
func (b *budget) withdraw(p *RetryPolicy, now int64) bool {
	if p.BudgetRatio < 0 {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.win.sum(now)
	allowed := p.BudgetRatio*float64(s.firstOnly) + p.BudgetMinPerSecond*budgetPeriod.Seconds()
	if float64(s.retries)+1 > allowed {
		return false
	}
	b.win.at(now).retries++
	return true
}

// backoff is the full-jitter backoff before the n-th retry (n from 0).
func backoff(p *RetryPolicy, n int, random func() float64) time.Duration {
	if p.Backoff <= 0 {
		return 0
	}
	ceiling := p.Backoff
	for i := 0; i < n && (p.MaxBackoff <= 0 || ceiling < p.MaxBackoff); i++ {
		ceiling *= 2
	}
	if p.MaxBackoff > 0 && ceiling > p.MaxBackoff {
		ceiling = p.MaxBackoff
	}
	return time.Duration(random() * float64(ceiling))
}
