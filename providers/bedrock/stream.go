package bedrock

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/bedrock/wire"
	"github.com/switchboard-gw/switchboard/providers/internal/replay"
	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

// stream sends a ConverseStream request. Errors the upstream reports before
// the stream starts (a non-2xx status) are returned here; errors met later,
// including exception frames inside the 200 stream, come from Recv.
func (p *Provider) stream(ctx context.Context, req *llm.Request) (llm.Stream, error) {
	u, err := p.modelURL(req.Model, "converse-stream")
	if err != nil {
		return nil, err
	}
	body, answerTool, err := p.requestBody(req)
	if err != nil {
		return nil, err
	}
	resp, err := p.send(ctx, u, body, "application/vnd.amazon.eventstream")
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		// A proxy or server that answered in one piece.
		defer resp.Body.Close()
		buf, err := p.readBody(ctx, resp.Body)
		if err != nil {
			return nil, err
		}
		overhead.From(ctx).Received()
		defer putBuffer(buf)
		r, err := p.decodeAnswer(resp, buf.Bytes(), req.Model, answerTool)
		if err != nil {
			return nil, err
		}
		return replay.New(r), nil
	}
	br := bufio.NewReaderSize(resp.Body, 16<<10)
	return &eventStream{
		ctx:      ctx,
		provider: p.cfg.Name,
		body:     resp.Body,
		buffered: br,
		frames:   wire.NewFrameReader(br),
		decoder:  wire.NewStreamDecoder(p.cfg.Name, req.Model, responseID(resp.Header), answerTool),
		probe:    overhead.From(ctx),
	}, nil
}

// eventStream is the pull-based stream over an upstream event-stream body.
// Recv reads and decodes one frame at a time; Close may be called from
// another goroutine to abandon the stream.
type eventStream struct {
	ctx      context.Context
	provider string
	body     io.ReadCloser
	buffered *bufio.Reader
	frames   *wire.FrameReader
	decoder  *wire.StreamDecoder
	// probe is told when each frame has been read (nil: not measured).
	probe *overhead.Probe

	pending []llm.Chunk // converted chunks not yet returned
	next    int
	err     error // terminal: io.EOF after the metadata, or the failure

	done      atomic.Bool // the answer is complete
	closed    atomic.Bool
	closeOnce sync.Once
	created   int64
}

var _ llm.Buffered = (*eventStream)(nil)

func (s *eventStream) Recv() (llm.Chunk, error) {
	for {
		if s.next < len(s.pending) {
			c := s.pending[s.next]
			s.pending[s.next] = llm.Chunk{}
			s.next++
			if s.created == 0 {
				// Bedrock sends no creation time; stamp when the stream
				// started, as OpenAI-format clients expect one.
				s.created = time.Now().Unix()
			}
			c.Created = s.created
			c.Provider = s.provider
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
		s.err = s.readFrame()
	}
}

// Buffered reports whether the next Recv returns without waiting: chunks
// are pending, the stream has ended, or a whole frame is already read.
func (s *eventStream) Buffered() bool {
	if s.next < len(s.pending) || s.err != nil {
		return true
	}
	n := s.buffered.Buffered()
	if n < 4 {
		return false
	}
	head, err := s.buffered.Peek(4)
	return err == nil && int(binary.BigEndian.Uint32(head)) <= n
}

// readFrame reads one frame into s.pending. It returns nil to go on, io.EOF
// after the metadata (or at the end of a body after messageStop), or the
// terminal error.
func (s *eventStream) readFrame() error {
	f, err := s.frames.Next()
	s.probe.Received()
	if err != nil {
		if errors.Is(err, io.EOF) {
			if s.decoder.Stopped() {
				// The answer is complete; only its metadata was missing.
				s.done.Store(true)
				return io.EOF
			}
			return s.premature(nil)
		}
		return s.readFailure(err)
	}
	s.pending, err = s.decoder.Decode(f, s.pending)
	if err != nil {
		return err
	}
	if s.decoder.Done() {
		s.done.Store(true)
		return io.EOF
	}
	return nil
}

func (s *eventStream) premature(cause error) error {
	return &llm.Error{Kind: llm.KindUpstream, Provider: s.provider,
		Message: "stream ended prematurely: " + s.provider + " closed it before messageStop", Err: cause}
}

func (s *eventStream) readFailure(err error) error {
	var fe *wire.FrameError
	switch {
	case s.ctx.Err() != nil:
		e := llm.AsError(s.ctx.Err())
		return &llm.Error{Kind: e.Kind, Provider: s.provider, Message: e.Message, Err: err}
	case s.closed.Load():
		return &llm.Error{Kind: llm.KindCanceled, Provider: s.provider, Message: "stream closed", Err: err}
	case errors.As(err, &fe):
		return &llm.Error{Kind: llm.KindUpstream, Provider: s.provider, Message: "malformed event stream from " + s.provider + ": " + fe.Err.Error(), Err: err}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return s.premature(err)
	}
	return &llm.Error{Kind: llm.KindUpstream, Provider: s.provider, Message: "the connection to " + s.provider + " broke mid-stream", Err: err}
}

// Close releases the connection. It is idempotent and safe to call from
// another goroutine while Recv blocks (Recv then returns a Canceled error).
func (s *eventStream) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		if s.done.Load() {
			// After the metadata only the end of the body is left: read it
			// so the connection can be reused, but never wait long for it.
			t := time.AfterFunc(time.Second, func() { s.body.Close() })
			_, _ = io.CopyN(io.Discard, s.body, 4<<10)
			t.Stop()
		}
		s.body.Close()
	})
	return nil
}
