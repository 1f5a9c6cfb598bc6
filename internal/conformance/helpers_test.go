package conformance_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-gw/switchboard/internal/conformance"
	"github.com/switchboard-gw/switchboard/llm"
)

// outcome runs a scenario unary and streamed.
func outcome(p llm.Provider, model string, sc *conformance.Scenario) conformance.Outcome {
	ctx := context.Background()
	return conformance.Outcome{
		Unary:  conformance.Run(ctx, p, model, sc, false),
		Stream: conformance.Run(ctx, p, model, sc, true),
	}
}

// report fails t with a verdict's problems.
func report(t *testing.T, v conformance.Verdict) {
	t.Helper()
	for _, p := range v.Problems {
		t.Error(p)
	}
}

// observations gather, per target and scenario, the fields observed
// departing from the expectation or the base across every run, and how
// many runs there were, for the stale-deviation check.
type observations struct {
	mu     sync.Mutex
	fields map[[2]string]map[conformance.Field]bool
	runs   map[[2]string]int
}

func newObservations() *observations {
	return &observations{fields: map[[2]string]map[conformance.Field]bool{}, runs: map[[2]string]int{}}
}

func (o *observations) add(target, scenario string, v conformance.Verdict) {
	o.mu.Lock()
	defer o.mu.Unlock()
	k := [2]string{target, scenario}
	o.runs[k]++
	if o.fields[k] == nil {
		o.fields[k] = map[conformance.Field]bool{}
	}
	for f := range v.Observed {
		o.fields[k][f] = true
	}
}

// checkStale fails t for every difference a target declares that no run
// observed: the table must say only what is true. Only (target, scenario)
// pairs that ran wantRuns times (all of them, not a -run selection) are
// judged.
func (o *observations) checkStale(t *testing.T, targets []string, wantRuns int) {
	t.Helper()
	if t.Failed() {
		return // the failures say more than a stale entry would
	}
	var stale []string
	for _, target := range targets {
		for scenario, d := range conformance.Deviations[target] {
			k := [2]string{target, scenario}
			if d.Kind != conformance.Difference || o.runs[k] != wantRuns {
				continue
			}
			for _, f := range d.Fields {
				if !o.fields[k][f] {
					stale = append(stale, fmt.Sprintf("%s / %s: %s", target, scenario, f))
				}
			}
		}
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		t.Errorf("deviations.go declares differences no run observed; remove them:\n  %s", strings.Join(stale, "\n  "))
	}
}
