package router

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// Causes of an attempt's cancellation by the router itself.
var (
	errTTFTTimeout  = errors.New("router: no first token in time")
	errIdleTimeout  = errors.New("router: no chunk in time")
	errTotalTimeout = errors.New("router: attempt took too long")
	errHedgeLost    = errors.New("router: another attempt answered first")
	errClosed       = errors.New("router: stream closed by the caller")
)

// attemptError turns the error of a call that the router's own timer cut
// short into a timeout error that names the limit. Errors of a call the
// caller abandoned (reqCtx done) or another attempt won (raceCtx) are
// returned as they are.
func attemptError(reqCtx, raceCtx, actx context.Context, m *member, err error) error {
	if reqCtx.Err() != nil || raceCtx.Err() != nil {
		return err
	}
	var limit time.Duration
	var code, what string
	switch context.Cause(actx) {
	case errTTFTTimeout:
		limit, code, what = m.timeouts.TTFT, "first_token_timeout", "sent no first token within"
	case errIdleTimeout:
		limit, code, what = m.timeouts.Idle, "idle_timeout", "sent nothing for"
	case errTotalTimeout:
		limit, code, what = m.timeouts.Total, "attempt_timeout", "did not finish within"
	default:
		return err
	}
	return &llm.Error{
		Kind:     llm.KindTimeout,
		Provider: m.d.ProviderName,
		Code:     code,
		Message:  fmt.Sprintf("deployment %s %s %s", m.d.Name, what, limit),
		Err:      err,
	}
}

// streamTimers cancel a stream attempt that waits too long for its first
// output (TTFT), between chunks (Idle), or overall (Total). One timer
// serves the first two: it is armed with TTFT and re-armed with Idle at
// every chunk once output started.
type streamTimers struct {
	gap     *time.Timer
	total   *time.Timer
	idle    time.Duration
	started atomic.Bool // output started: the gap timer means idle
}

func (t *streamTimers) arm(cancel context.CancelCauseFunc, to Timeouts) {
	t.idle = to.Idle
	fire := func() {
		if t.started.Load() {
			cancel(errIdleTimeout)
		} else {
			cancel(errTTFTTimeout)
		}
	}
	if to.TTFT > 0 {
		t.gap = time.AfterFunc(to.TTFT, fire)
	} else if to.Idle > 0 {
		// No first-token limit: the idle limit starts with the output.
		t.gap = time.AfterFunc(time.Duration(1<<62), fire)
		t.gap.Stop()
	}
	if to.Total > 0 {
		t.total = time.AfterFunc(to.Total, func() { cancel(errTotalTimeout) })
	}
}

// chunk notes a chunk: the idle limit starts again.
func (t *streamTimers) chunk() {
	if t.gap == nil {
		return
	}
	if t.idle <= 0 {
		if !t.started.Swap(true) {
			t.gap.Stop()
		}
		return
	}
	t.started.Store(true)
	t.gap.Reset(t.idle)
}

func (t *streamTimers) stop() {
	if t.gap != nil {
		t.gap.Stop()
	}
	if t.total != nil {
		t.total.Stop()
	}
}
