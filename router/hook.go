package router

import (
	"context"

	"github.com/switchboard-gw/switchboard/llm"
)

// AttemptHook is told when each attempt starts and when it ends, around
// the upstream call: telemetry makes a trace span of each attempt (which
// must exist before the call, so that the call carries its trace context)
// and records its metrics when it ends.
//
// Unlike an Observer, which only sees attempts that have ended, the hook
// gives the attempt a context of its own: the one AttemptStart returns is
// the parent of the provider call's context, and the one AttemptEnd
// receives. Both methods are called on the goroutine of the attempt
// (hedges run on their own), possibly concurrently for one request; they
// must be quick and safe for concurrent use.
type AttemptHook interface {
	// AttemptStart is called before the upstream call with the context of
	// the request (or of its hedge race) and the attempt as it starts
	// (Outcome, Latency and Usage are not known yet). It returns the
	// context the call runs in: ctx itself, or ctx with values added. It
	// must not cancel it.
	AttemptStart(ctx context.Context, a *llm.Attempt) context.Context
	// AttemptEnd is called once, when the attempt has ended, with the
	// context AttemptStart returned and the attempt's final record (as
	// the Observer receives it, which is called first). The record must
	// not be kept after AttemptEnd returns.
	AttemptEnd(ctx context.Context, a *llm.Attempt)
}
