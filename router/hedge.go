package router

import (
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// DefaultHedgeDelay is the hedge delay of a percentile policy whose
// deployment has too few samples yet and no fixed Delay.
const DefaultHedgeDelay = time.Second

func hedgeMax(h HedgePolicy) int {
	if h.Max <= 0 {
		return 1
	}
	return h.Max
}

// hedgeDelay is how long the attempt on m may run before a hedge starts.
func (rn *run) hedgeDelay(m *member) time.Duration {
	p := rn.cur.Hedge
	if p.Percentile > 0 {
		if d, ok := m.st.hedgeDelay(rn.stream, p.Percentile); ok {
			return max(d, time.Millisecond)
		}
	}
	if p.Delay > 0 {
		return p.Delay
	}
	return DefaultHedgeDelay
}

// hedgeStep returns the companion attempt of a hedge: the next deployment
// of the current alias not called yet, if its breaker and the retry budget
// allow. Hedges are extra load, so they draw on the retry budget.
func (rn *run) hedgeStep() (step, bool) {
	if rn.hedges >= hedgeMax(rn.cur.Hedge) {
		return step{}, false
	}
	now := rn.now()
	for i := rn.pos; i < len(rn.order); i++ {
		m := rn.order[i]
		if rn.find(m.st) != nil || !m.st.breaker.wouldAllow(m.breaker, now) {
			continue
		}
		if !rn.primary.budget.withdraw(&rn.primary.Retry, now) {
			rn.budgetSpent = true
			return step{}, false
		}
		ok, probe := m.st.breaker.allow(m.breaker, now)
		if !ok || !rn.admitted(m, probe) {
			continue
		}
		// Take it out of the order so that failover does not call it again.
		rn.order[rn.pos], rn.order[i] = rn.order[i], rn.order[rn.pos]
		rn.pos++
		rn.hedges++
		return step{m: m, reason: llm.AttemptHedge, probe: probe}, true
	}
	return step{}, false
}
