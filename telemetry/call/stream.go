package call

import (
	"errors"
	"io"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// WrapStream returns s noting into r what its chunks tell: the time of
// the first chunk, the response model and id, what served it, the route,
// the finish reason of each choice, the usage, and how it ended. With a
// nil r it returns s unchanged. The wrapper forwards llm.Buffered.
func WrapStream(r *Record, s llm.Stream) llm.Stream {
	if r == nil || s == nil {
		return s
	}
	return &stream{Stream: s, r: r}
}

type stream struct {
	llm.Stream
	r    *Record
	done bool
}

func (s *stream) Recv() (llm.Chunk, error) {
	c, err := s.Stream.Recv()
	if err != nil {
		s.end(err)
		return c, err
	}
	s.note(&c)
	return c, nil
}

// note records what c tells.
func (s *stream) note(c *llm.Chunk) {
	r := s.r
	if r.FirstToken.IsZero() {
		r.FirstToken = time.Now()
	}
	if c.Text != "" || c.Refusal != "" || c.Reasoning != nil || len(c.ToolCalls) > 0 {
		r.OutputChunks++
	}
	if c.Model != "" {
		r.ResponseModel = c.Model
	}
	if c.ID != "" {
		r.ResponseID = c.ID
	}
	if c.Deployment != "" {
		r.Provider, r.Deployment = c.Provider, c.Deployment
	}
	if c.Route != nil {
		r.noteRoute(c.Route)
	}
	if c.Usage != nil {
		r.Usage, r.HasUsage = *c.Usage, true
	}
	if c.FinishReason != "" && c.ChoiceIndex >= 0 && c.ChoiceIndex < maxChoices {
		for len(r.FinishReasons) <= c.ChoiceIndex {
			r.FinishReasons = append(r.FinishReasons, "")
		}
		r.FinishReasons[c.ChoiceIndex] = string(c.FinishReason)
	}
}

// maxChoices bounds the finish reasons kept (n is small in practice).
const maxChoices = 128

// end records how the stream ended: at its end (io.EOF), on an error, or
// closed by the transport before either (the client went away).
func (s *stream) end(err error) {
	if s.done {
		return
	}
	s.done = true
	s.r.End = time.Now()
	if err != nil && !errors.Is(err, io.EOF) {
		s.r.noteError(err)
	}
}

func (s *stream) Close() error {
	if !s.done {
		// Closed before its end: the caller went away, or the transport
		// gave up (a write failed).
		s.end(&llm.Error{Kind: llm.KindCanceled, Message: "the stream was closed before its end"})
	}
	return s.Stream.Close()
}

// Buffered forwards llm.Buffered, so that the transport still writes
// chunks that arrived together in one flush.
func (s *stream) Buffered() bool { return llm.IsBuffered(s.Stream) }
