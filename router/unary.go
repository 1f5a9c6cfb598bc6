package router

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchboard-gw/switchboard/llm"
)

// Complete answers req from the deployments of its model: strategy order,
// failover, retries, fallbacks and hedging as the alias configures.
func (r *Router) Complete(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	f := features{req: req}
	a, rule, err := r.pick(req.Model, &f)
	if err != nil {
		return nil, err
	}
	rn := r.newRun(ctx, f, a, rule, false)
	call := func(ctx context.Context, p llm.Provider, m *member) (*llm.Response, llm.Usage, error) {
		resp, err := p.Complete(ctx, upstreamRequest(req, m.d))
		if err != nil {
			return nil, llm.Usage{}, err
		}
		return resp, resp.Usage, nil
	}
	resp, m, err := runUnary(rn, call)
	if err != nil {
		return nil, rn.routed(err)
	}
	resp.Provider, resp.Deployment = m.d.ProviderName, m.d.Name
	resp.Route = rn.route()
	return resp, nil
}

// Embed sends req to the deployments of its model like Complete.
func (r *Router) Embed(ctx context.Context, req *llm.EmbedRequest) (*llm.EmbedResponse, error) {
	f := features{embed: req}
	a, _, err := r.pick(req.Model, &f)
	if err != nil {
		return nil, err
	}
	rn := r.newRun(ctx, f, a, "", false)
	call := func(ctx context.Context, p llm.Provider, m *member) (*llm.EmbedResponse, llm.Usage, error) {
		e, ok := p.(llm.Embedder)
		if !ok {
			return nil, llm.Usage{}, &llm.Error{Kind: llm.KindInvalidRequest, Param: "model", Provider: m.d.ProviderName,
				Message: fmt.Sprintf("model %q does not offer embeddings", req.Model)}
		}
		up := *req
		up.Model = m.d.Model
		resp, err := e.Embed(ctx, &up)
		if err != nil {
			return nil, llm.Usage{}, err
		}
		return resp, resp.Usage, nil
	}
	resp, m, err := runUnary(rn, call)
	if err != nil {
		return nil, rn.routed(err)
	}
	resp.Provider, resp.Deployment = m.d.ProviderName, m.d.Name
	return resp, nil
}

func (r *Router) newRun(ctx context.Context, f features, a *compiledAlias, rule string, stream bool) *run {
	rn := &run{r: r, ctx: ctx, stream: stream, feat: f, primary: a, rule: rule}
	rn.visited = rn.visitBuf[:0]
	rn.tries = rn.triesBuf[:0]
	rn.attempts = rn.attBuf[:0]
	// Computed now, before any hedge goroutine may need it.
	rn.estInput = rn.feat.inputTokens()
	rn.primary.budget.request(rn.now())
	return rn
}

// unaryCall makes one call to one provider (one key of m).
type unaryCall[T any] func(ctx context.Context, p llm.Provider, m *member) (T, llm.Usage, error)

// runUnary drives the run until an attempt answers or nothing is left.
func runUnary[T any](rn *run, call unaryCall[T]) (T, *member, error) {
	var zero T
	for {
		s, err := rn.next()
		if err != nil {
			return zero, nil, err
		}
		if err := rn.sleep(s.wait); err != nil {
			s.m.st.breaker.release(s.probe)
			return zero, nil, llm.AsError(err)
		}
		v, m, err := race(rn, s, func(ctx context.Context, s step) (T, error) { return attemptUnary(rn, ctx, s, call) }, nil)
		if err == nil {
			return v, m, nil
		}
		if rn.lastVerdict == stop {
			return zero, nil, err
		}
	}
}

// attemptUnary calls m, moving through its credential pool on rate limits,
// and settles every call it makes.
func attemptUnary[T any](rn *run, ctx context.Context, s step, call unaryCall[T]) (T, error) {
	var zero T
	m := s.m
	var keyBuf [8]int
	keys := m.serviceKeys(rn.now(), keyBuf[:0])
	providers := m.d.keys()
	reason := s.reason
	for i, k := range keys {
		ar := rn.begin(ctx, m, reason, k, s.probe)
		actx, cancel := ar.ctx, context.CancelFunc(func() {})
		if m.timeouts.Total > 0 {
			actx, cancel = context.WithTimeoutCause(ar.ctx, m.timeouts.Total, errTotalTimeout)
		}
		v, usage, err := call(actx, providers[k], m)
		if err != nil {
			err = attemptError(rn.ctx, ctx, actx, m, err)
		}
		cancel()
		if err == nil {
			ar.end(llm.OutcomeOK, nil, usage, false, 0, settleSuccess)
			return v, nil
		}
		if lost(ctx) {
			ar.end(llm.OutcomeCanceled, err, llm.Usage{}, true, 0, settleRelease)
			return zero, err
		}
		if ra, ok := rateLimitedKey(err); ok && i < len(keys)-1 && rn.ctx.Err() == nil {
			m.coolKey(k, rn.now(), ra)
			ar.end(llm.OutcomeFailed, err, llm.Usage{}, true, 0, settleNone)
			reason = llm.AttemptKey
			continue
		}
		v2, _ := judge(rn.ctx, err)
		ar.end(outcomeOf(rn.ctx), err, llm.Usage{}, true, 0, settleFor(v2, rn.ctx))
		return zero, err
	}
	return zero, errors.New("router: deployment without keys") // unreachable: keys() is never empty
}

// outcomeOf is the outcome of a failed attempt: canceled when the caller
// went away.
func outcomeOf(ctx context.Context) llm.AttemptOutcome {
	if ctx.Err() != nil {
		return llm.OutcomeCanceled
	}
	return llm.OutcomeFailed
}

// settleFor is what a failure with verdict v tells the breaker.
func settleFor(v verdict, ctx context.Context) settle {
	switch {
	case ctx.Err() != nil:
		return settleRelease
	case v.countsAsFailure():
		return settleFailure
	}
	return settleSuccess // the deployment answered: the request was the problem
}

// lost reports whether ctx was canceled because its attempt lost a hedge
// race.
func lost(ctx context.Context) bool { return errors.Is(context.Cause(ctx), errHedgeLost) }
