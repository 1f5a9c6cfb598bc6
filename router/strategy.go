package router

import "time"

// Strategy chooses the order in which an alias's deployments are tried.
type Strategy string

// Strategies.
const (
	// StrategyPriority tries deployments by Priority (lower first), ties in
	// list order. It is the default: a plain list is tried in order.
	StrategyPriority Strategy = "priority"
	// StrategyWeighted picks the first deployment at random in proportion
	// to the weights, and the fallbacks likewise among the rest.
	StrategyWeighted Strategy = "weighted"
	// StrategyLeastLatency prefers the lowest moving average of time to
	// first token (streams) or latency (unary), scaled up by the recent
	// error rate; deployments without a recent sample are tried first, and
	// a share of requests (Exploration) goes to another deployment so that
	// one that recovered is measured again.
	StrategyLeastLatency Strategy = "least_latency"
	// StrategyLowestCost prefers the deployment whose declared prices give
	// the request the lowest estimated cost.
	StrategyLowestCost Strategy = "lowest_cost"
	// StrategyUsageBased prefers the deployment with the most headroom
	// under its declared requests and tokens per minute, as counted by the
	// router itself.
	StrategyUsageBased Strategy = "usage_based"
)

// Strategies lists the strategy names.
func Strategies() []Strategy {
	return []Strategy{StrategyPriority, StrategyWeighted, StrategyLeastLatency, StrategyLowestCost, StrategyUsageBased}
}

// Valid reports whether s names a strategy ("" is the default, priority).
func (s Strategy) Valid() bool {
	switch s {
	case "", StrategyPriority, StrategyWeighted, StrategyLeastLatency, StrategyLowestCost, StrategyUsageBased:
		return true
	}
	return false
}

// latencyMaxAge is how old the last sample of a deployment may be before
// the least-latency strategy treats it as unmeasured and tries it again.
const latencyMaxAge = time.Minute

// DefaultExploration is the least-latency strategy's default exploration.
const DefaultExploration = 0.05

// defaultOutputTokens is the output the lowest-cost strategy assumes when
// the request sets no max_tokens.
const defaultOutputTokens = 256

// order fills dst with the alias's members in the order to try them.
func (a *compiledAlias) order(dst []*member, f *features, stream bool, now int64, random func() float64) []*member {
	dst = append(dst[:0], a.members...)
	switch a.Strategy {
	case StrategyWeighted:
		weightedShuffle(dst, random)
	case StrategyLeastLatency:
		var scores [maxSorted]float64
		if len(dst) <= maxSorted {
			s := scores[:len(dst)]
			for i, m := range dst {
				s[i] = m.st.latencyScore(stream, now, latencyMaxAge)
			}
			sortBy(dst, s)
		}
		if len(dst) > 1 && a.exploration > 0 && random() < a.exploration {
			j := 1 + int(random()*float64(len(dst)-1))
			dst[0], dst[j] = dst[j], dst[0]
		}
	case StrategyLowestCost:
		var scores [maxSorted]float64
		if len(dst) <= maxSorted {
			s := scores[:len(dst)]
			in := float64(f.inputTokens())
			out := float64(defaultOutputTokens)
			if f.req != nil && f.req.MaxTokens != nil && *f.req.MaxTokens > 0 {
				out = float64(*f.req.MaxTokens)
			}
			for i, m := range dst {
				s[i] = m.d.Price.InputPerMTok*in + m.d.Price.OutputPerMTok*out
			}
			sortBy(dst, s)
		}
	case StrategyUsageBased:
		var scores [maxSorted]float64
		if len(dst) <= maxSorted {
			s := scores[:len(dst)]
			for i, m := range dst {
				s[i] = -m.st.headroom(m.d.Limits, now)
			}
			sortBy(dst, s)
		}
	}
	if a.hasLimits || len(dst) > 1 {
		demoteUnavailable(dst, now)
	}
	return dst
}

// maxSorted bounds the aliases whose deployments are scored; larger ones
// (unusual) keep their list order under the scoring strategies.
const maxSorted = 32

// sortBy sorts ms by ascending score, stably (insertion sort: aliases have
// a handful of deployments).
func sortBy(ms []*member, s []float64) {
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
}

// weightedShuffle orders ms by weighted random sampling without
// replacement.
func weightedShuffle(ms []*member, random func() float64) {
	total := 0
	for _, m := range ms {
		total += m.d.weight()
	}
	for i := 0; i < len(ms)-1; i++ {
		r := int(random() * float64(total))
		j := i
		for ; j < len(ms)-1; j++ {
			r -= ms[j].d.weight()
			if r < 0 {
				break
			}
		}
		total -= ms[j].d.weight()
		ms[i], ms[j] = ms[j], ms[i]
	}
}

// demoteUnavailable moves deployments that asked to be left alone
// (Retry-After running) or are over a declared limit to the end, keeping
// the order otherwise. They are still tried when nothing else is left.
func demoteUnavailable(ms []*member, now int64) {
	var later [maxSorted]*member
	n, k := 0, 0
	for _, m := range ms {
		if (m.st.cooling(now) || (m.hasLimits && m.st.headroom(m.d.Limits, now) <= 0)) && k < maxSorted {
			later[k] = m
			k++
			continue
		}
		ms[n] = m
		n++
	}
	copy(ms[n:], later[:k])
}
