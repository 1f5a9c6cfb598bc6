package router

import (
	"errors"
	"io"

	"github.com/switchboard-gw/switchboard/llm"
)

// routedStream is the stream the caller reads: the current attempt's
// chunks, stamped with the deployment that serves them and, on the first
// chunk (and the first after a continuation), the route. It settles each
// attempt when it ends, and continues on another deployment when the
// alias asks for it and the stream can be continued.
type routedStream struct {
	rn  *run
	req *llm.Request
	cur *streamAttempt

	// The stream's identity as the caller first saw it, kept on the
	// chunks of continuations.
	id, model string
	created   int64

	routePending bool
	continued    bool // the current attempt continues an earlier one
	dropRole     bool // the continuation's role chunk is not repeated
	eligible     bool // the output so far can be continued
	text         []byte
	prior        llm.Usage // usage of the attempts before the current one
	continuation int

	err    error // sticky: io.EOF or the error the caller got
	closed bool
}

func (s *routedStream) Recv() (llm.Chunk, error) {
	if s.err != nil {
		return llm.Chunk{}, s.err
	}
	for {
		c, err := s.cur.recv()
		if err == nil {
			if s.dropRole && c.Role != "" {
				c.Role = ""
				if !hasOutput(&c) && c.Usage == nil {
					continue
				}
			}
			s.dropRole = false
			s.keep(&c)
			s.stamp(&c)
			return c, nil
		}
		if errors.Is(err, io.EOF) {
			if s.cur.finish {
				s.finish()
				s.err = io.EOF
				return llm.Chunk{}, io.EOF
			}
			err = errUnfinished(s.cur.m)
		}
		err = attemptError(s.rn.ctx, s.cur.raceCtx, s.cur.ctx, s.cur.m, err)
		broken := s.cur
		broken.release()
		u, est := broken.spent()
		outcome, settle := llm.OutcomeBroken, settleFailure
		if s.rn.ctx.Err() != nil {
			outcome, settle = llm.OutcomeCanceled, settleRelease
		}
		u = broken.ar.end(outcome, err, u, est, broken.ttft, settle)
		if s.resume(err, u) {
			continue
		}
		s.err = err
		return llm.Chunk{}, err
	}
}

// keep notes what a continuation would need from c.
func (s *routedStream) keep(c *llm.Chunk) {
	if !s.eligible {
		return
	}
	if c.ChoiceIndex != 0 || len(c.ToolCalls) > 0 || c.Reasoning != nil || c.Refusal != "" {
		s.eligible, s.text = false, nil
		return
	}
	s.text = append(s.text, c.Text...)
}

// stamp labels c with the deployment, the stream's identity and the route.
func (s *routedStream) stamp(c *llm.Chunk) {
	m := s.cur.m
	c.Provider, c.Deployment = m.d.ProviderName, m.d.Name
	if s.continued {
		c.ID, c.Model, c.Created = s.id, s.model, s.created
		if c.Usage != nil {
			u := s.prior
			u.Add(*c.Usage)
			c.Usage = &u
		}
	} else {
		if c.ID != "" {
			s.id = c.ID
		}
		if c.Model != "" {
			s.model = c.Model
		}
		if c.Created != 0 {
			s.created = c.Created
		}
	}
	if s.routePending {
		s.routePending = false
		c.Route = s.rn.route()
	}
}

// finish settles the current attempt after its last chunk.
func (s *routedStream) finish() {
	sa := s.cur
	sa.release()
	u, est := sa.spent()
	sa.ar.end(llm.OutcomeOK, nil, u, est, sa.ttft, settleSuccess)
}

// resume continues a broken stream on another deployment when the alias
// allows it and the output so far can be continued: the request is sent
// again with the partial answer appended as an assistant message, and the
// new stream's output follows the old one's. spent is the broken attempt's
// usage, added to the usage the caller is finally told.
func (s *routedStream) resume(err error, spent llm.Usage) bool {
	p := s.rn.primary.Continuation
	if !p.Enabled || s.continuation >= max(p.Max, 1) || !s.eligible || s.cur.finish || s.rn.ctx.Err() != nil {
		return false
	}
	if s.rn.fail(s.cur.m, err) == stop {
		return false
	}
	req, ok := continuationRequest(s.req, string(s.text))
	if !ok {
		return false
	}
	sa, cerr := s.rn.openStream(req, llm.AttemptContinuation)
	if cerr != nil {
		return false // the caller gets the break itself
	}
	s.prior.Add(spent)
	s.cur = sa
	s.continuation++
	s.continued, s.dropRole, s.routePending = true, true, true
	return true
}

// Close stops the stream. An attempt still running is settled as canceled,
// with its usage so far (reported or estimated).
func (s *routedStream) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	if sa := s.cur; sa != nil && !sa.ar.ended {
		sa.cancel(errClosed)
		sa.release()
		u, est := sa.spent()
		sa.ar.end(llm.OutcomeCanceled, nil, u, est, sa.ttft, settleRelease)
	}
	if s.err == nil {
		s.err = &llm.Error{Kind: llm.KindCanceled, Message: "stream closed"}
	}
	return nil
}

// Buffered forwards llm.Buffered: buffered chunks are ready.
func (s *routedStream) Buffered() bool {
	return s.err == nil && (len(s.cur.prefix) > 0 || llm.IsBuffered(s.cur.s))
}

// continuable reports whether a stream of req could be continued at all.
func continuable(req *llm.Request) bool {
	if req.N > 1 {
		return false
	}
	if f := req.ResponseFormat; f != nil && f.Type != llm.ResponseFormatText && f.Type != "" {
		return false // partial JSON does not resume reliably
	}
	return true
}

// continuationRequest is req with the partial answer appended as an
// assistant message, and max_tokens reduced by what was already produced.
func continuationRequest(req *llm.Request, partial string) (*llm.Request, bool) {
	c := *req
	if partial != "" {
		c.Messages = make([]llm.Message, len(req.Messages), len(req.Messages)+1)
		copy(c.Messages, req.Messages)
		c.Messages = append(c.Messages, llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{llm.TextPart(partial)}})
	}
	if req.MaxTokens != nil {
		left := *req.MaxTokens - EstimateOutputTokens(partial)
		if left < 1 {
			return nil, false // the answer had reached its limit anyway
		}
		c.MaxTokens = &left
	}
	return &c, true
}
