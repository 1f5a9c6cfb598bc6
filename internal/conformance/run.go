package conformance

import (
	"context"
	"errors"
	"io"
	"sort"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// callTimeout bounds one call. The simulator answers in microseconds; the
// bound only turns a hang into a failure.
const callTimeout = 30 * time.Second

// Run sends the scenario's request for model to p, unary or streamed, and
// reduces what came back to a Result. A stream is assembled with
// llm.Accumulator, as every caller of the gateway would assemble it.
func Run(ctx context.Context, p llm.Provider, model string, sc *Scenario, stream bool) Result {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	req := sc.Request(model)
	if !stream {
		return ResultOf(p.Complete(ctx, req))
	}
	s, err := p.Stream(ctx, req)
	if err != nil {
		return ResultOf(nil, err)
	}
	return collect(s)
}

// collect drains a stream into a Result, counting the argument deltas of
// each tool call of the first choice.
func collect(s llm.Stream) Result {
	defer s.Close()
	var acc llm.Accumulator
	deltas := map[int]int{}
	for {
		c, err := s.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return ResultOf(nil, err)
		}
		acc.Add(c)
		if c.ChoiceIndex != 0 {
			continue
		}
		for _, d := range c.ToolCalls {
			if _, ok := deltas[d.Index]; !ok {
				deltas[d.Index] = 0
			}
			if d.ArgumentsDelta != "" {
				deltas[d.Index]++
			}
		}
	}
	r := ResultOf(acc.Response(), nil)
	// The accumulator orders calls by their index; so do the counts.
	idx := make([]int, 0, len(deltas))
	for i := range deltas {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	r.ArgumentDeltas = make([]int, len(idx))
	for i, k := range idx {
		r.ArgumentDeltas[i] = deltas[k]
	}
	return r
}
