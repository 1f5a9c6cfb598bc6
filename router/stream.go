package router

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// Stream opens a stream on the deployments of req's model and returns once
// its first output (text, reasoning, tool call or finish) has arrived.
// Until then a failure, or a first token later than the deployment's TTFT
// timeout, moves on to the next deployment, transparently: nothing has
// reached the caller. After it, a failure ends the stream with an error
// (never a clean end), unless the alias continues broken streams on
// another deployment.
func (r *Router) Stream(ctx context.Context, req *llm.Request) (llm.Stream, error) {
	f := features{req: req}
	a, rule, err := r.pick(req.Model, &f)
	if err != nil {
		return nil, err
	}
	rn := r.newRun(ctx, f, a, rule, true)
	sa, err := rn.openStream(req, "")
	if err != nil {
		return nil, rn.routed(err)
	}
	s := &routedStream{rn: rn, req: req, cur: sa, routePending: true, eligible: continuable(req)}
	return s, nil
}

// openStream drives the run until a stream attempt produced its first
// output. reason, when set, replaces the reason of the attempts it makes.
func (rn *run) openStream(req *llm.Request, reason llm.AttemptReason) (*streamAttempt, error) {
	for {
		s, err := rn.next()
		if err != nil {
			return nil, err
		}
		if reason != "" {
			s.reason = reason
		}
		if err := rn.sleep(s.wait); err != nil {
			s.m.st.breaker.release(s.probe)
			return nil, llm.AsError(err)
		}
		open := func(ctx context.Context, s step) (*streamAttempt, error) { return openAttempt(rn, ctx, s, req) }
		sa, _, err := race(rn, s, open, (*streamAttempt).abandon)
		if err == nil {
			return sa, nil
		}
		if rn.lastVerdict == stop {
			return nil, err
		}
	}
}

// streamAttempt is one stream on one deployment.
type streamAttempt struct {
	ar      *attemptRun
	m       *member
	s       llm.Stream
	raceCtx context.Context
	ctx     context.Context
	cancel  context.CancelCauseFunc
	timers  streamTimers
	// prefix holds the chunks read before the first output, and the
	// first output; they are handed on before the stream is read again.
	prefix  []llm.Chunk
	ttft    time.Duration
	usage   *llm.Usage // the last usage the provider reported
	finish  bool       // a finish reason arrived
	outText int        // bytes of output received, for usage estimates
}

// maxPrefix bounds the chunks without output buffered before the first
// output; a provider that sends more is taken as having started.
const maxPrefix = 32

// openAttempt opens a stream on s.m and reads it up to its first output,
// moving through the deployment's credential pool on rate limits. It
// settles every failed call.
func openAttempt(rn *run, raceCtx context.Context, s step, req *llm.Request) (*streamAttempt, error) {
	m := s.m
	var keyBuf [8]int
	keys := m.serviceKeys(rn.now(), keyBuf[:0])
	providers := m.d.keys()
	reason := s.reason
	up := upstreamRequest(req, m.d)
	for i, k := range keys {
		sa := &streamAttempt{ar: rn.begin(raceCtx, m, reason, k, s.probe), m: m, raceCtx: raceCtx}
		sa.ar.req = req
		if rn.r.tokens != nil {
			sa.ar.output = &strings.Builder{}
		}
		sa.ctx, sa.cancel = context.WithCancelCause(sa.ar.ctx)
		sa.timers.arm(sa.cancel, m.timeouts)
		st, err := providers[k].Stream(sa.ctx, up)
		if err == nil {
			sa.s = st
			err = sa.prefetch()
		}
		if err == nil {
			sa.ttft = rn.r.clock.Now().Sub(sa.ar.start)
			sa.ar.markStreaming(sa.ttft)
			return sa, nil
		}
		err = attemptError(rn.ctx, raceCtx, sa.ctx, m, err)
		sa.release()
		if lost(raceCtx) {
			sa.ar.end(llm.OutcomeCanceled, err, llm.Usage{}, true, 0, settleRelease)
			return nil, err
		}
		if ra, ok := rateLimitedKey(err); ok && i < len(keys)-1 && rn.ctx.Err() == nil {
			m.coolKey(k, rn.now(), ra)
			sa.ar.end(llm.OutcomeFailed, err, llm.Usage{}, true, 0, settleNone)
			reason = llm.AttemptKey
			continue
		}
		v, _ := judge(rn.ctx, err)
		sa.ar.end(outcomeOf(rn.ctx), err, llm.Usage{}, true, 0, settleFor(v, rn.ctx))
		return nil, err
	}
	return nil, errors.New("router: deployment without keys") // unreachable
}

// prefetch reads until the first output.
func (sa *streamAttempt) prefetch() error {
	for {
		c, err := sa.s.Recv()
		if errors.Is(err, io.EOF) {
			if len(sa.prefix) == 0 {
				return &llm.Error{Kind: llm.KindUpstream, Provider: sa.m.d.ProviderName, Message: "the provider ended the stream without sending anything"}
			}
			return errUnfinished(sa.m)
		}
		if err != nil {
			return err
		}
		sa.note(&c)
		sa.prefix = append(sa.prefix, c)
		if hasOutput(&c) || len(sa.prefix) >= maxPrefix {
			sa.timers.chunk()
			return nil
		}
	}
}

// recv returns the next chunk: the buffered ones first.
func (sa *streamAttempt) recv() (llm.Chunk, error) {
	if len(sa.prefix) > 0 {
		c := sa.prefix[0]
		sa.prefix[0] = llm.Chunk{}
		sa.prefix = sa.prefix[1:]
		return c, nil
	}
	c, err := sa.s.Recv()
	if err != nil {
		return c, err
	}
	sa.timers.chunk()
	sa.note(&c)
	return c, nil
}

// note keeps what settling the attempt needs from a chunk.
func (sa *streamAttempt) note(c *llm.Chunk) {
	if c.Usage != nil {
		u := *c.Usage
		sa.usage = &u
	}
	if c.FinishReason != "" {
		sa.finish = true
	}
	sa.outText += len(c.Text) + len(c.Refusal)
	if c.Reasoning != nil {
		sa.outText += len(c.Reasoning.Text)
	}
	for i := range c.ToolCalls {
		sa.outText += len(c.ToolCalls[i].Name) + len(c.ToolCalls[i].ArgumentsDelta)
	}
	if out := sa.ar.output; out != nil {
		out.WriteString(c.Text)
		out.WriteString(c.Refusal)
		if c.Reasoning != nil {
			out.WriteString(c.Reasoning.Text)
		}
		for i := range c.ToolCalls {
			out.WriteString(c.ToolCalls[i].Name)
			out.WriteString(c.ToolCalls[i].ArgumentsDelta)
		}
	}
}

// spent is the attempt's usage: reported, or estimated from the output
// received (which end counts instead, when the router has a TokenCounter).
func (sa *streamAttempt) spent() (llm.Usage, bool) {
	if sa.usage != nil {
		return *sa.usage, false
	}
	return llm.Usage{OutputTokens: textTokens(sa.outText)}, true
}

// release stops the attempt's timers and upstream stream.
func (sa *streamAttempt) release() {
	sa.timers.stop()
	if sa.s != nil {
		_ = sa.s.Close()
	}
	sa.cancel(nil)
}

// abandon settles an attempt that produced output but lost a hedge race.
func (sa *streamAttempt) abandon() {
	sa.cancel(errHedgeLost)
	sa.release()
	u, est := sa.spent()
	sa.ar.end(llm.OutcomeCanceled, nil, u, est, sa.ttft, settleRelease)
}

// hasOutput reports whether c carries generated output (or the end of it).
func hasOutput(c *llm.Chunk) bool {
	return c.Text != "" || c.Refusal != "" || c.Reasoning != nil || len(c.ToolCalls) > 0 ||
		c.FinishReason != "" || c.TextSignature != ""
}

// errUnfinished is the error of a stream that ended without a finish
// reason: it was cut, and must not reach the caller as a clean end.
func errUnfinished(m *member) error {
	return &llm.Error{Kind: llm.KindUpstream, Provider: m.d.ProviderName, Code: "stream_truncated",
		Message: "the provider ended the stream before the answer was finished"}
}
