package meter

import (
	"errors"
	"io"

	"github.com/switchboard-gw/switchboard/llm"
)

// WrapStream returns s with the request's cost on its last chunk
// (llm.Chunk.Cost) and, when it fails, on its error (llm.CostOf). With a
// nil call it returns s.
//
// The cost is complete only once the stream's end has been read (the
// router charges the serving attempt then), so once the answer is
// finishing (a chunk with a finish reason or usage has arrived) each chunk
// is held until the next one, or the end, has been read. Those chunks
// arrive together at the end of an answer, so nothing waits for long; the
// wrapper forwards llm.Buffered, and reports the held chunk as ready.
func WrapStream(s llm.Stream, call *Call) llm.Stream {
	if call == nil || s == nil {
		return s
	}
	return &stream{in: s, call: call}
}

type stream struct {
	in   llm.Stream
	call *Call
	// finishing: a chunk with a finish reason or usage has passed.
	finishing bool
	// next is the chunk (or error) read ahead, when ahead is set.
	ahead   bool
	next    llm.Chunk
	nextErr error
	// err is sticky once the stream has ended.
	err error
}

func (s *stream) Recv() (llm.Chunk, error) {
	if s.err != nil {
		return llm.Chunk{}, s.err
	}
	var c llm.Chunk
	var err error
	if s.ahead {
		c, err = s.next, s.nextErr
		s.ahead, s.next, s.nextErr = false, llm.Chunk{}, nil
	} else {
		c, err = s.in.Recv()
	}
	if err != nil {
		s.err = s.ended(err)
		return llm.Chunk{}, s.err
	}
	if c.FinishReason != "" || c.Usage != nil {
		s.finishing = true
	}
	if s.finishing {
		s.next, s.nextErr = s.in.Recv()
		s.ahead = true
		if errors.Is(s.nextErr, io.EOF) {
			cost := s.call.Cost()
			c.Cost = &cost
		}
	}
	return c, nil
}

// ended returns the error the caller gets at the end: io.EOF as is, and a
// failure with the request's cost.
func (s *stream) ended(err error) error {
	if errors.Is(err, io.EOF) || !s.call.Charged() {
		return err
	}
	cost := s.call.Cost()
	var re *llm.RouteError
	if errors.As(err, &re) {
		re.Cost = &cost
		return err
	}
	return &llm.RouteError{Err: err, Cost: &cost}
}

func (s *stream) Close() error { return s.in.Close() }

// Buffered forwards llm.Buffered: a chunk read ahead is ready.
func (s *stream) Buffered() bool {
	return s.err == nil && (s.ahead || llm.IsBuffered(s.in))
}
