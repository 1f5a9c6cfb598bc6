package sse

// Buffered reports whether Next can return without reading from the body:
// the buffer already holds a complete event with data (ended by a blank
// line), or the body has ended. Events without data lines (keep-alive
// comments) do not count, since Next would skip them and then wait. It never
// blocks.
func (s *Reader) Buffered() bool {
	if s.eof {
		return true
	}
	n := s.r.Buffered()
	if n == 0 {
		return false
	}
	b, _ := s.r.Peek(n) // what is buffered; never reads
	hasData := false
	for len(b) > 0 {
		end := -1
		for i, c := range b {
			if c == '\n' {
				end = i
				break
			}
		}
		if end < 0 {
			return false // an incomplete line: Next would wait for the rest
		}
		line := b[:end]
		b = b[end+1:]
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		switch {
		case len(line) == 0:
			if hasData {
				return true
			}
		case line[0] == ':':
		case len(line) >= 4 && string(line[:4]) == "data" && (len(line) == 4 || line[4] == ':'):
			hasData = true
		}
	}
	return false
}
