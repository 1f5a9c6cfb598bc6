package loadbench

import (
	"slices"
	"sort"
	"sync"
	"time"
)

// tally collects the results of the counted requests of one run.
type tally struct {
	mu       sync.Mutex
	latency  []time.Duration
	ttfb     []time.Duration
	bodyTime []time.Duration // latency - ttfb: the time the body took to arrive
	events   int64
	errors   int
	// errorKinds counts errors by message, for the report.
	errorKinds map[string]int
}

func newTally() *tally { return &tally{errorKinds: map[string]int{}} }

func (t *tally) add(r result) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if r.err != nil {
		t.errors++
		if len(t.errorKinds) < 20 {
			t.errorKinds[r.err.Error()]++
		}
		return
	}
	t.latency = append(t.latency, r.latency)
	t.ttfb = append(t.ttfb, r.ttfb)
	t.bodyTime = append(t.bodyTime, r.latency-r.ttfb)
	t.events += int64(r.events)
}

func (t *tally) ok() int { return len(t.latency) }

// quantiles are the usual points of a distribution.
type quantiles struct {
	P50, P90, P99, Max time.Duration
}

// quantilesOf sorts ds and returns its quantiles (nearest rank).
func quantilesOf(ds []time.Duration) quantiles {
	if len(ds) == 0 {
		return quantiles{}
	}
	slices.Sort(ds)
	at := func(q float64) time.Duration {
		i := sort.Search(len(ds), func(i int) bool { return float64(i+1) >= q*float64(len(ds)) })
		return ds[min(i, len(ds)-1)]
	}
	return quantiles{P50: at(0.5), P90: at(0.9), P99: at(0.99), Max: ds[len(ds)-1]}
}
