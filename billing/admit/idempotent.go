package admit

import (
	"context"
	"encoding/json"
	"errors"
	"io"

	"github.com/switchboard-gw/switchboard/billing/idempotency"
	"github.com/switchboard-gw/switchboard/llm"
)

// beginIdempotent claims the request's idempotency key, namespaced by the
// virtual key so that two tenants never meet. The fingerprint is the route
// (unary or stream) and the canonical request: the same key with another
// request is a conflict, whichever transport sent it.
func (t *Ticket) beginIdempotent(ctx context.Context, route string, req *llm.Request) error {
	c := t.c
	body, err := json.Marshal(req)
	if err != nil {
		return llm.AsError(err)
	}
	key := t.caller.KeyID + ":" + t.notes.IdempotencyKey
	out, err := c.o.Idempotency.Begin(ctx, key, idempotency.Fingerprint([]byte(route), body), c.o.IdempotencyTTL)
	switch {
	case errors.Is(err, idempotency.ErrInProgress):
		return errIdempotencyInProgress
	case err != nil:
		return c.degraded(ctx, "idempotency keys", &c.stats.idempotencyFailures, err)
	}
	switch out.Kind {
	case idempotency.Conflict:
		return errIdempotencyConflict
	case idempotency.Replay:
		var r storedResult
		if err := json.Unmarshal(out.Result, &r); err != nil || (r.Response == nil && r.Error == nil) {
			// Not ours to read (another version wrote it): run the request.
			c.o.Logger.WarnContext(ctx, "limits: unreadable idempotent result; running the request again", "error", err)
			return nil
		}
		t.replay = &r
		t.notes.Replayed = true
	case idempotency.Started:
		t.idem, t.hasIdem = out, true
	}
	return nil
}

// abandonIdempotent frees the key of a request refused after claiming it
// (rate limit, budget): a retry must run for real.
func (t *Ticket) abandonIdempotent(ctx context.Context) {
	if t.hasIdem {
		_ = t.idem.Abandon(context.WithoutCancel(ctx))
	}
}

// storedResult is what an idempotency key keeps: the answer, or the error
// a retry of the same request would get again.
type storedResult struct {
	Response *llm.Response `json:"response,omitempty"`
	Error    *storedError  `json:"error,omitempty"`
}

type storedError struct {
	Kind     int    `json:"kind"`
	Code     string `json:"code,omitempty"`
	Param    string `json:"param,omitempty"`
	Message  string `json:"message"`
	Provider string `json:"provider,omitempty"`
	Status   int    `json:"status,omitempty"`
}

func encodeResponse(resp *llm.Response) []byte {
	b, _ := json.Marshal(storedResult{Response: resp})
	return b
}

func encodeError(err error) []byte {
	e := llm.AsError(err)
	b, _ := json.Marshal(storedResult{Error: &storedError{Kind: int(e.Kind), Code: e.Code, Param: e.Param,
		Message: e.Message, Provider: e.Provider, Status: e.Status}})
	return b
}

// replayable reports whether err is an answer a retry of the same request
// gets again, so it is stored: the client's own mistakes. Everything a
// retry could change (rate limits, budgets, upstream failures, timeouts,
// a client that went away) frees the key instead.
func replayable(err error) bool {
	switch llm.KindOf(err) {
	case llm.KindInvalidRequest, llm.KindContextTooLong, llm.KindNotFound, llm.KindPayloadTooLarge:
		var e *llm.Error
		// Admission's own refusals are not final answers.
		return !errors.As(err, &e) || (e.Code != CodeIdempotencyConflict && e.Code != CodeIdempotencyInProgress)
	}
	return false
}

func (r *storedResult) err() error {
	e := r.Error
	return &llm.Error{Kind: llm.Kind(e.Kind), Code: e.Code, Param: e.Param, Message: e.Message, Provider: e.Provider, Status: e.Status}
}

// Replay returns the stored answer of a replayed request: its response, or
// its error.
func (t *Ticket) Replay() (*llm.Response, error) {
	if t.replay == nil {
		return nil, errors.New("admit: not a replay")
	}
	if t.replay.Error != nil {
		return nil, t.replay.err()
	}
	return t.replay.Response, nil
}

// ReplayStream returns the stored answer of a replayed stream as a stream:
// the stored final response in one chunk per choice, then the usage.
func (t *Ticket) ReplayStream() (llm.Stream, error) {
	resp, err := t.Replay()
	if err != nil {
		return nil, err
	}
	return &replayStream{chunks: responseChunks(resp)}, nil
}

// responseChunks renders a response as the chunks of a stream.
func responseChunks(resp *llm.Response) []llm.Chunk {
	var out []llm.Chunk
	for i, ch := range resp.Choices {
		c := llm.Chunk{ID: resp.ID, Model: resp.Model, Created: resp.Created, ChoiceIndex: ch.Index, Role: llm.RoleAssistant,
			Text: ch.Message.Text(), Refusal: ch.Message.Refusal, FinishReason: ch.FinishReason, RawFinishReason: ch.RawFinishReason,
			Provider: resp.Provider, Deployment: resp.Deployment, SystemFingerprint: resp.SystemFingerprint}
		if i == 0 {
			c.Route = resp.Route
		}
		for _, p := range ch.Message.Parts {
			if p.Signature != "" {
				c.TextSignature = p.Signature
			}
		}
		for j, r := range ch.Message.Reasoning {
			if j == 0 {
				rr := r
				c.Reasoning = &rr
			}
		}
		for j, tc := range ch.Message.ToolCalls {
			c.ToolCalls = append(c.ToolCalls, llm.ToolCallDelta{Index: j, ID: tc.ID, Name: tc.Name, ArgumentsDelta: tc.Arguments, Signature: tc.Signature})
		}
		out = append(out, c)
	}
	usage := resp.Usage
	out = append(out, llm.Chunk{ID: resp.ID, Model: resp.Model, Created: resp.Created, Usage: &usage,
		Provider: resp.Provider, Deployment: resp.Deployment})
	return out
}

type replayStream struct {
	chunks []llm.Chunk
	next   int
}

func (s *replayStream) Recv() (llm.Chunk, error) {
	if s.next >= len(s.chunks) {
		return llm.Chunk{}, io.EOF
	}
	c := s.chunks[s.next]
	s.next++
	return c, nil
}

func (s *replayStream) Close() error { return nil }

// Buffered: every chunk is already here.
func (s *replayStream) Buffered() bool { return true }
