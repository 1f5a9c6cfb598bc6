package llm

// Buffered is an optional interface of a Stream. Buffered reports whether
// the next Recv will return without waiting for the upstream, because the
// next chunk (or the end of the stream) has already arrived. A transport
// uses it to write the chunks that arrived together before flushing them to
// its client in one write, instead of one system call per chunk; it never
// delays a chunk, since a flush is skipped only when the next chunk is
// already there.
//
// Stream decorators should forward it (see IsBuffered). A stream that does
// not implement it is treated as never buffered: every chunk is flushed at
// once.
type Buffered interface {
	Buffered() bool
}

// IsBuffered reports whether s implements Buffered and its next chunk is
// ready.
func IsBuffered(s Stream) bool {
	b, ok := s.(Buffered)
	return ok && b.Buffered()
}
