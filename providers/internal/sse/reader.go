package sse

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// MaxEventBytes bounds one server-sent event; a larger one means a broken
// upstream, and reading on would only grow memory.
const MaxEventBytes = 8 << 20

// ErrEventTooLarge is returned by Next for an event over MaxEventBytes.
var ErrEventTooLarge = errors.New("server-sent event larger than 8 MiB")

// Reader reads server-sent events from a body, one event per Next call,
// reusing its buffers. It is not safe for concurrent use.
type Reader struct {
	r     *bufio.Reader
	data  []byte // the current event's data, lines joined with '\n'
	event []byte // the current event's name
	long  []byte // assembles lines longer than the bufio buffer
	eof   bool
}

// NewReader returns a Reader over r.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 32<<10)}
}

// Event is one dispatched event. Its slices are valid until the next call
// to Next.
type Event struct {
	// Name is the value of the event: field, empty when there was none.
	Name []byte
	// Data is the event's data lines joined with '\n'.
	Data []byte
	// AtEOF is set when the event was cut by the end of the body rather than
	// ended by a blank line.
	AtEOF bool
}

// Next returns the next event with data; events without data lines are
// skipped, as the format prescribes. It returns io.EOF at the end of the
// body, or the read error.
func (s *Reader) Next() (Event, error) {
	s.data, s.event = s.data[:0], s.event[:0]
	hasData := false
	for {
		if s.eof {
			if hasData {
				return Event{Name: s.event, Data: s.data, AtEOF: true}, nil
			}
			return Event{}, io.EOF
		}
		line, err := s.readLine()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				return Event{}, err
			}
			s.eof = true
			if len(line) == 0 {
				continue
			}
		}
		if len(line) == 0 { // blank line: dispatch
			if hasData {
				return Event{Name: s.event, Data: s.data}, nil
			}
			s.event = s.event[:0]
			continue
		}
		if line[0] == ':' { // comment
			continue
		}
		field, value, found := bytes.Cut(line, []byte{':'})
		if found && len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
		switch string(field) {
		case "data":
			if hasData {
				s.data = append(s.data, '\n')
			}
			if len(s.data)+len(value) > MaxEventBytes {
				return Event{}, ErrEventTooLarge
			}
			s.data = append(s.data, value...)
			hasData = true
		case "event":
			s.event = append(s.event[:0], value...)
		}
	}
}

// readLine returns the next line without its line end. At the end of the
// body it returns the unterminated rest (possibly empty) with io.EOF.
func (s *Reader) readLine() ([]byte, error) {
	line, err := s.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		s.long = append(s.long[:0], line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			if len(s.long) > MaxEventBytes {
				return nil, ErrEventTooLarge
			}
			line, err = s.r.ReadSlice('\n')
			s.long = append(s.long, line...)
		}
		line = s.long
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	line = bytes.TrimSuffix(line, []byte{'\n'})
	line = bytes.TrimSuffix(line, []byte{'\r'})
	return line, err
}
