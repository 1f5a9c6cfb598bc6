package gemini

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
	"github.com/switchboard-gw/switchboard/providers/gemini/wire"
	"github.com/switchboard-gw/switchboard/providers/internal/sse"
)

// stream sends a streamGenerateContent?alt=sse call. Errors the upstream
// reports before the stream starts (a non-2xx status, whatever the
// Content-Type) are returned here; errors met later come from Recv.
func (p *Provider) stream(ctx context.Context, req *llm.Request) (llm.Stream, error) {
	u, err := p.modelURL(req.Model, "streamGenerateContent", "alt=sse")
	if err != nil {
		return nil, err
	}
	body, err := p.generateBody(req)
	if err != nil {
		return nil, err
	}
	resp, err := p.send(ctx, http.MethodPost, u, body)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		// A proxy or server that ignored alt=sse answered in one piece: a
		// JSON array of chunks, one answer, or an error object.
		defer resp.Body.Close()
		buf, err := p.readBody(ctx, resp.Body)
		if err != nil {
			return nil, err
		}
		defer putBuffer(buf)
		return p.replay(resp, buf.Bytes())
	}
	return &sseStream{
		ctx:  ctx,
		body: resp.Body,
		sse:  sse.NewReader(resp.Body),
		dec:  wire.StreamDecoder{Provider: p.cfg.Name},
	}, nil
}

// replay serves a body that was not an event stream as one.
func (p *Provider) replay(resp *http.Response, body []byte) (llm.Stream, error) {
	body = bytes.TrimSpace(body)
	var chunks []wire.GenerateContentResponse
	if len(body) > 0 && body[0] == '[' {
		if err := json.Unmarshal(body, &chunks); err != nil {
			return nil, p.malformed("response", err)
		}
	} else {
		var one wire.GenerateContentResponse
		if err := json.Unmarshal(body, &one); err != nil {
			return nil, p.malformed("response", err)
		}
		chunks = []wire.GenerateContentResponse{one}
	}
	dec := wire.StreamDecoder{Provider: p.cfg.Name}
	var out []llm.Chunk
	for i := range chunks {
		if len(chunks[i].Error) > 0 && string(chunks[i].Error) != "null" && i == 0 {
			return nil, wire.ClassifyError(p.cfg.Name, resp.StatusCode, resp.Header, body)
		}
		var err error
		if out, err = dec.Decode(&chunks[i], out); err != nil {
			return nil, err
		}
	}
	last, ok, err := dec.Finish()
	if err != nil {
		return nil, err
	}
	if ok {
		out = append(out, last)
	}
	return &replayStream{chunks: out}, nil
}

// sseStream is the pull-based stream over an upstream SSE body. Recv reads
// and decodes one event at a time; Close may be called from another
// goroutine to abandon the stream.
type sseStream struct {
	ctx  context.Context
	body io.ReadCloser
	sse  *sse.Reader
	dec  wire.StreamDecoder

	chunk   wire.GenerateContentResponse // decode target, reused
	pending []llm.Chunk                  // converted chunks not yet returned
	next    int
	err     error // terminal: io.EOF after a complete stream, or the failure

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
				// The Gemini API sends no creation time; stamp when the
				// stream started, as OpenAI-format clients expect one.
				s.created = time.Now().Unix()
			}
			c.Created = s.created
			return c, nil
		}
		if s.err != nil {
			return llm.Chunk{}, s.err
		}
		if s.closed.Load() {
			s.err = &llm.Error{Kind: llm.KindCanceled, Provider: s.dec.Provider, Message: "stream closed"}
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
	if errors.Is(err, io.EOF) {
		return s.end()
	}
	if err != nil {
		return s.readFailure(err)
	}
	data := bytes.TrimSpace(ev.Data)
	switch {
	case len(data) == 0:
		return nil
	case string(data) == "[DONE]": // not Gemini's, but a proxy may add it
		return s.end()
	}
	cs := s.chunk.Candidates[:cap(s.chunk.Candidates)]
	clear(cs) // elements must not keep the previous chunk's fields
	s.chunk = wire.GenerateContentResponse{Candidates: cs[:0]}
	if err := json.Unmarshal(data, &s.chunk); err != nil {
		if ev.AtEOF {
			return s.dec.Premature(err)
		}
		return &llm.Error{Kind: llm.KindUpstream, Provider: s.dec.Provider, Message: "malformed chunk from " + s.dec.Provider, Err: err}
	}
	s.pending, err = s.dec.Decode(&s.chunk, s.pending)
	return err
}

// end handles the end of the body: the usage chunk, then io.EOF, or the
// error of a stream cut before its end.
func (s *sseStream) end() error {
	c, ok, err := s.dec.Finish()
	if err != nil {
		if s.ctx.Err() != nil {
			return s.readFailure(s.ctx.Err())
		}
		return err
	}
	if ok {
		s.pending = append(s.pending, c)
	}
	return io.EOF
}

func (s *sseStream) readFailure(err error) error {
	name := s.dec.Provider
	switch {
	case s.ctx.Err() != nil:
		e := llm.AsError(s.ctx.Err())
		return &llm.Error{Kind: e.Kind, Provider: name, Message: e.Message, Err: err}
	case s.closed.Load():
		return &llm.Error{Kind: llm.KindCanceled, Provider: name, Message: "stream closed", Err: err}
	case errors.Is(err, sse.ErrEventTooLarge):
		return &llm.Error{Kind: llm.KindUpstream, Provider: name, Message: "oversized event from " + name, Err: err}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return s.dec.Premature(err)
	}
	return &llm.Error{Kind: llm.KindUpstream, Provider: name, Message: "the connection to " + name + " broke mid-stream", Err: err}
}

// Close releases the connection. It is idempotent and safe to call from
// another goroutine while Recv blocks (Recv then returns a Canceled error).
func (s *sseStream) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		s.body.Close()
	})
	return nil
}

// replayStream serves already decoded chunks.
type replayStream struct {
	chunks []llm.Chunk
	next   int
}

func (s *replayStream) Recv() (llm.Chunk, error) {
	if s.next >= len(s.chunks) {
		return llm.Chunk{}, io.EOF
	}
	s.next++
	return s.chunks[s.next-1], nil
}

func (s *replayStream) Close() error { return nil }
