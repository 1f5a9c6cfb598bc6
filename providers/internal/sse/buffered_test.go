package sse_test

import (
	"io"
	"testing"

	"github.com/switchboard-gw/switchboard/providers/internal/sse"
)

// chunkedReader hands out its parts one Read at a time, as a network body
// does, and then blocks (returns nothing more) until the test ends it.
type chunkedReader struct {
	parts []string
}

func (c *chunkedReader) Read(p []byte) (int, error) {
	if len(c.parts) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.parts[0])
	c.parts[0] = c.parts[0][n:]
	if c.parts[0] == "" {
		c.parts = c.parts[1:]
	}
	return n, nil
}

// Buffered is true exactly when Next can answer from what has arrived.
func TestBufferedTellsWhetherNextWouldWait(t *testing.T) {
	for _, tc := range []struct {
		name, arrived string
		want          bool
	}{
		{"a whole event after the first", "data: 1\n\ndata: 2\n\n", true},
		{"CRLF line ends", "data: 1\r\n\r\ndata: 2\r\n\r\n", true},
		{"half an event", "data: 1\n\ndata: {\"par", false},
		{"an event without its blank line", "data: 1\n\ndata: 2\n", false},
		{"only a keep-alive comment", "data: 1\n\n: ping\n\n", false},
		{"a named event without data", "data: 1\n\nevent: x\n\n", false},
		{"a comment, then an event", "data: 1\n\n: ping\n\nevent: x\ndata: 2\n\n", true},
		{"a bare data line", "data: 1\n\ndata\n\n", true},
		{"a field that only starts with data", "data: 1\n\ndatum: 2\n\n", false},
		{"nothing more", "data: 1\n\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// One Read delivers everything, as when the upstream's writes
			// coalesce; the body then has nothing more to give yet.
			r := sse.NewReader(&blocking{data: tc.arrived})
			if _, err := r.Next(); err != nil {
				t.Fatal(err)
			}
			if got := r.Buffered(); got != tc.want {
				t.Fatalf("Buffered() = %v, want %v", got, tc.want)
			}
		})
	}
}

// After the end of the body Next never waits.
func TestBufferedAtEndOfBody(t *testing.T) {
	r := sse.NewReader(&chunkedReader{parts: []string{"data: 1\n\n", "data: 2"}})
	for range 2 {
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
	}
	if !r.Buffered() {
		t.Fatal("Buffered() = false at the end of the body")
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("Next after the end: %v", err)
	}
}

// blocking returns data in one Read, then fails the test if read again:
// reading further would block on a real connection.
type blocking struct {
	data string
	done bool
}

func (b *blocking) Read(p []byte) (int, error) {
	if b.done {
		return 0, io.ErrNoProgress
	}
	b.done = true
	return copy(p, b.data), nil
}
