package openai

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/openai/wire"
	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

// Stream sends a streamed chat completion. Errors the upstream reports
// before the stream starts (a non-2xx status) are returned here; errors met
// later come from Recv.
func (p *Provider) Stream(ctx context.Context, req *llm.Request) (llm.Stream, error) {
	body, err := p.chatBody(req, true)
	if err != nil {
		return nil, err
	}
	resp, err := p.send(ctx, http.MethodPost, p.chatURL, body, "text/event-stream")
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		// An error object with status 200, or a server that ignored
		// stream: true and answered in one piece.
		defer resp.Body.Close()
		buf, err := p.readBody(ctx, resp.Body)
		if err != nil {
			return nil, err
		}
		overhead.From(ctx).Received()
		defer putBuffer(buf)
		r, err := p.decodeCompletion(resp, buf.Bytes())
		if err != nil {
			return nil, err
		}
		return newReplayStream(r), nil
	}
	return &sseStream{
		ctx:      ctx,
		provider: p.cfg.Name,
		body:     resp.Body,
		sse:      newSSEReader(resp.Body),
		probe:    overhead.From(ctx),
	}, nil
}

// sseStream is the pull-based stream over an upstream SSE body. Recv reads
// and decodes one event at a time into reused buffers; Close may be called
// from another goroutine to abandon the stream.
type sseStream struct {
	ctx      context.Context
	provider string
	body     io.ReadCloser
	sse      *sseReader
	// probe is told when each event has been read (nil: not measured).
	probe *overhead.Probe

	chunk   wire.ChatChunk // decode target, reused
	pending []llm.Chunk    // converted chunks not yet returned
	next    int
	err     error // terminal: io.EOF after a complete stream, or the failure

	// choiceState tracks, by choice index, whether a choice has started
	// (1) and finished (2), to tell a complete stream from a cut one.
	choiceState []uint8

	done      atomic.Bool // [DONE] was read
	closed    atomic.Bool
	closeOnce sync.Once
}

func (s *sseStream) Recv() (llm.Chunk, error) {
	for {
		if s.next < len(s.pending) {
			c := s.pending[s.next]
			s.pending[s.next] = llm.Chunk{}
			s.next++
			return c, nil
		}
		if s.err != nil {
			return llm.Chunk{}, s.err
		}
		if s.closed.Load() {
			s.err = &llm.Error{Kind: llm.KindCanceled, Provider: s.provider, Message: "stream closed"}
			continue
		}
		s.pending, s.next = s.pending[:0], 0
		s.err = s.readEvent()
	}
}

// readEvent reads one SSE event and converts it into s.pending. It returns
// nil to go on, io.EOF at a proper end, or the terminal error.
func (s *sseStream) readEvent() error {
	ev, err := s.sse.Next()
	s.probe.Received()
	if err != nil {
		if errors.Is(err, io.EOF) {
			if s.complete() {
				return io.EOF
			}
			return s.premature(nil)
		}
		return s.readFailure(err)
	}
	data := bytes.TrimSpace(ev.Data)
	if len(data) == 0 {
		return nil
	}
	if string(data) == "[DONE]" {
		s.done.Store(true)
		return io.EOF
	}
	if string(ev.Name) == "error" {
		return wire.ClassifyError(s.provider, 0, nil, data)
	}
	cs := s.chunk.Choices[:cap(s.chunk.Choices)]
	clear(cs) // elements must not keep the previous chunk's fields
	s.chunk = wire.ChatChunk{Choices: cs[:0]}
	if err := wire.DecodeChatChunk(data, &s.chunk); err != nil {
		if ev.AtEOF {
			return s.premature(err)
		}
		return &llm.Error{Kind: llm.KindUpstream, Provider: s.provider, Message: "malformed chunk from " + s.provider, Err: err}
	}
	if len(s.chunk.Error) > 0 && string(s.chunk.Error) != "null" {
		return wire.ClassifyError(s.provider, 0, nil, data)
	}
	s.pending = wire.ToCanonicalChunks(&s.chunk, s.pending)
	for i := range s.pending {
		c := &s.pending[i]
		c.Provider = s.provider
		s.track(c)
	}
	return nil
}

func (s *sseStream) track(c *llm.Chunk) {
	if c.Usage != nil && c.FinishReason == "" && c.Role == "" && c.Text == "" && len(c.ToolCalls) == 0 {
		return // the usage chunk belongs to no choice
	}
	i := c.ChoiceIndex
	if i < 0 || i > 1024 {
		return
	}
	for len(s.choiceState) <= i {
		s.choiceState = append(s.choiceState, 0)
	}
	if c.FinishReason != "" {
		s.choiceState[i] = 2
	} else if s.choiceState[i] == 0 {
		s.choiceState[i] = 1
	}
}

// complete reports whether a body that ended without [DONE] still ended
// properly: every choice that started has a finish reason.
func (s *sseStream) complete() bool {
	finished := false
	for _, st := range s.choiceState {
		if st == 1 {
			return false
		}
		finished = finished || st == 2
	}
	return finished
}

func (s *sseStream) premature(cause error) error {
	return &llm.Error{Kind: llm.KindUpstream, Provider: s.provider, Message: "stream ended prematurely: " + s.provider + " closed it before the end of the answer", Err: cause}
}

func (s *sseStream) readFailure(err error) error {
	switch {
	case s.ctx.Err() != nil:
		e := llm.AsError(s.ctx.Err())
		return &llm.Error{Kind: e.Kind, Provider: s.provider, Message: e.Message, Err: err}
	case s.closed.Load():
		return &llm.Error{Kind: llm.KindCanceled, Provider: s.provider, Message: "stream closed", Err: err}
	case errors.Is(err, errEventTooLarge):
		return &llm.Error{Kind: llm.KindUpstream, Provider: s.provider, Message: "oversized event from " + s.provider, Err: err}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return s.premature(err)
	}
	return &llm.Error{Kind: llm.KindUpstream, Provider: s.provider, Message: "the connection to " + s.provider + " broke mid-stream", Err: err}
}

// Buffered reports whether the next Recv returns without waiting for the
// upstream: converted chunks are pending, the stream has ended, or a whole
// event is already buffered (llm.Buffered).
func (s *sseStream) Buffered() bool {
	return s.next < len(s.pending) || s.err != nil || s.sse.Buffered()
}

// Close releases the connection. It is idempotent and safe to call from
// another goroutine while Recv blocks (Recv then returns a Canceled error).
func (s *sseStream) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		if s.done.Load() {
			// After [DONE] only the end of the body is left: read it so the
			// connection can be reused, but never wait long for it.
			t := time.AfterFunc(time.Second, func() { s.body.Close() })
			_, _ = io.CopyN(io.Discard, s.body, 4<<10)
			t.Stop()
		}
		s.body.Close()
	})
	return nil
}

// replayStream serves a unary answer as a stream, for servers that ignore
// stream: true.
type replayStream struct {
	chunks []llm.Chunk
	next   int
}

func newReplayStream(r *llm.Response) *replayStream {
	var out []llm.Chunk
	base := llm.Chunk{ID: r.ID, Model: r.Model, Created: r.Created, Provider: r.Provider, SystemFingerprint: r.SystemFingerprint}
	for _, ch := range r.Choices {
		c := base
		c.ChoiceIndex, c.Role = ch.Index, llm.RoleAssistant
		c.Text, c.Refusal = ch.Message.Text(), ch.Message.Refusal
		if len(ch.Message.Reasoning) > 0 {
			c.Reasoning = &llm.Reasoning{Text: ch.Message.Reasoning[0].Text}
		}
		for i, tc := range ch.Message.ToolCalls {
			c.ToolCalls = append(c.ToolCalls, llm.ToolCallDelta{Index: i, ID: tc.ID, Name: tc.Name, ArgumentsDelta: tc.Arguments})
		}
		c.FinishReason, c.RawFinishReason = ch.FinishReason, ch.RawFinishReason
		out = append(out, c)
	}
	u := r.Usage
	usage := base
	usage.Usage = &u
	return &replayStream{chunks: append(out, usage)}
}

func (s *replayStream) Recv() (llm.Chunk, error) {
	if s.next >= len(s.chunks) {
		return llm.Chunk{}, io.EOF
	}
	s.next++
	return s.chunks[s.next-1], nil
}

func (s *replayStream) Close() error { return nil }

// Buffered is always true: the whole answer is in memory.
func (s *replayStream) Buffered() bool { return true }
