package router

import (
	"context"
	"time"
)

// raceResult is the end of one attempt of a race.
type raceResult[T any] struct {
	v   T
	m   *member
	err error
	i   int // launch order
}

// race makes the attempt s and, when the alias hedges, starts another on
// the next deployment if the first has produced nothing after the hedge
// delay (up to the alias's hedge count); the first to produce wins and the
// others are canceled (an attempt that succeeds after losing is given to
// discard). race returns the winner, or the last failure once every
// attempt it started failed, having noted each with rn.fail. Without
// hedging it makes the one attempt on the caller's goroutine.
func race[T any](rn *run, s step, attempt func(ctx context.Context, s step) (T, error), discard func(T)) (T, *member, error) {
	if !rn.cur.Hedge.enabled() || rn.hedges >= hedgeMax(rn.cur.Hedge) {
		rn.called(s.m)
		v, err := attempt(rn.ctx, s)
		if err != nil {
			rn.fail(s.m, err)
			return v, nil, err
		}
		return v, s.m, nil
	}
	results := make(chan raceResult[T], 1+hedgeMax(rn.cur.Hedge))
	var cancels []context.CancelCauseFunc
	inflight := 0
	launch := func(s step) {
		rn.called(s.m)
		ctx, cancel := context.WithCancelCause(rn.ctx)
		cancels = append(cancels, cancel)
		inflight++
		i := len(cancels) - 1
		go func() {
			v, err := attempt(ctx, s)
			results <- raceResult[T]{v: v, m: s.m, err: err, i: i}
		}()
	}
	launch(s)
	timer := time.NewTimer(rn.hedgeDelay(s.m))
	defer timer.Stop()
	var zero T
	var last error
	for inflight > 0 {
		select {
		case res := <-results:
			inflight--
			if res.err == nil {
				abandon(cancels, res.i, inflight, results, discard)
				return res.v, res.m, nil
			}
			last = res.err
			if rn.fail(res.m, res.err) == stop {
				abandon(cancels, -1, inflight, results, discard)
				return zero, nil, last
			}
		case <-timer.C:
			if hs, ok := rn.hedgeStep(); ok {
				launch(hs)
				if rn.hedges < hedgeMax(rn.cur.Hedge) {
					timer.Reset(rn.hedgeDelay(hs.m))
				}
			}
		}
	}
	return zero, nil, last
}

// abandon cancels the attempts still running (all but the winner) and
// lets them finish on their own: each settles itself as canceled, and one
// that succeeded anyway goes to discard.
func abandon[T any](cancels []context.CancelCauseFunc, winner, inflight int, results chan raceResult[T], discard func(T)) {
	for i, c := range cancels {
		if i != winner {
			c(errHedgeLost)
		}
	}
	if inflight == 0 {
		return
	}
	go func() {
		for range inflight {
			if res := <-results; res.err == nil && discard != nil {
				discard(res.v)
			}
		}
	}()
}
