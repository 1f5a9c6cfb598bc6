package anthropic

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/anthropic/wire"
	"github.com/switchboard-gw/switchboard/providers/internal/replay"
	"github.com/switchboard-gw/switchboard/providers/internal/sse"
	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

// Stream sends a streamed Messages request. Errors the upstream reports
// before the stream starts (a non-2xx status, whatever the content type)
// are returned here; errors met later, including error events inside the
// 200 stream, come from Recv.
func (p *Provider) Stream(ctx context.Context, req *llm.Request) (llm.Stream, error) {
	body, answerTool, err := p.requestBody(req, true)
	if err != nil {
		return nil, err
	}
	resp, err := p.send(ctx, http.MethodPost, p.messagesURL, body, "text/event-stream")
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
		r, err := p.decodeMessage(resp, buf.Bytes(), answerTool)
		if err != nil {
			return nil, err
		}
		return replay.New(r), nil
	}
	return &sseStream{
		ctx:      ctx,
		provider: p.cfg.Name,
		body:     resp.Body,
		events:   sse.NewReader(resp.Body),
		decoder:  wire.NewStreamDecoder(p.cfg.Name, answerTool),
		probe:    overhead.From(ctx),
	}, nil
}

// sseStream is the pull-based stream over an upstream SSE body. Recv reads
// and decodes one event at a time; Close may be called from another
// goroutine to abandon the stream.
type sseStream struct {
	ctx      context.Context
	provider string
	body     io.ReadCloser
	events   *sse.Reader
	decoder  *wire.StreamDecoder
	// probe is told when each event has been read (nil: not measured).
	probe *overhead.Probe

	pending []llm.Chunk // converted chunks not yet returned
	next    int
	err     error // terminal: io.EOF after message_stop, or the failure

	done      atomic.Bool // message_stop was read
	closed    atomic.Bool
	closeOnce sync.Once
	created   int64
}

func (s *sseStream) Recv() (llm.Chunk, error) {
	for {
		if s.next < len(s.pending) {
			c := s.pending[s.next]
			s.pending[s.next] = llm.Chunk{}
			s.next++
			if s.created == 0 {
				// Anthropic sends no creation time; stamp when the stream
				// started, as OpenAI-format clients expect one.
				s.created = time.Now().Unix()
			}
			c.Created = s.created
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

// readEvent reads one event into s.pending. It returns nil to go on,
// io.EOF after message_stop, or the terminal error.
func (s *sseStream) readEvent() error {
	ev, err := s.events.Next()
	s.probe.Received()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return s.premature(nil)
		}
		return s.readFailure(err)
	}
	data := bytes.TrimSpace(ev.Data)
	if len(data) == 0 {
		return nil
	}
	s.pending, err = s.decoder.Decode(data, s.pending)
	for i := range s.pending {
		s.pending[i].Provider = s.provider
	}
	if err != nil {
		var syntax *json.SyntaxError
		if ev.AtEOF && errors.As(err, &syntax) {
			return s.premature(err) // the body was cut inside the event
		}
		return err
	}
	if s.decoder.Done() {
		s.done.Store(true)
		return io.EOF
	}
	return nil
}

func (s *sseStream) premature(cause error) error {
	return &llm.Error{Kind: llm.KindUpstream, Provider: s.provider,
		Message: "stream ended prematurely: " + s.provider + " closed it before message_stop", Err: cause}
}

func (s *sseStream) readFailure(err error) error {
	switch {
	case s.ctx.Err() != nil:
		e := llm.AsError(s.ctx.Err())
		return &llm.Error{Kind: e.Kind, Provider: s.provider, Message: e.Message, Err: err}
	case s.closed.Load():
		return &llm.Error{Kind: llm.KindCanceled, Provider: s.provider, Message: "stream closed", Err: err}
	case errors.Is(err, sse.ErrEventTooLarge):
		return &llm.Error{Kind: llm.KindUpstream, Provider: s.provider, Message: "oversized event from " + s.provider, Err: err}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return s.premature(err)
	}
	return &llm.Error{Kind: llm.KindUpstream, Provider: s.provider, Message: "the connection to " + s.provider + " broke mid-stream", Err: err}
}

// Close releases the connection. It is idempotent and safe to call from
// another goroutine while Recv blocks (Recv then returns a Canceled error).
func (s *sseStream) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		if s.done.Load() {
			// After message_stop only the end of the body is left: read it
			// so the connection can be reused, but never wait long for it.
			t := time.AfterFunc(time.Second, func() { s.body.Close() })
			_, _ = io.CopyN(io.Discard, s.body, 4<<10)
			t.Stop()
		}
		s.body.Close()
	})
	return nil
}
