package openai_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
)

// The stream tells whether its next chunk has already arrived
// (llm.Buffered), so the shim can write chunks that came together at once.
func TestStreamReportsWhetherTheNextChunkHasArrived(t *testing.T) {
	events := recordedEvents(t, "chat-stream-basic")
	next := make(chan string)
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		for part := range next {
			_, _ = io.WriteString(w, part)
			w.(http.Flusher).Flush()
		}
	})
	p := newProvider(t, u)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The first event alone, then two together.
	go func() { next <- events[0] }()
	s, err := p.Stream(ctx, userRequest("m", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	recv := func() {
		t.Helper()
		if _, err := s.Recv(); err != nil {
			t.Fatal(err)
		}
	}
	recv()
	if llm.IsBuffered(s) {
		t.Fatal("buffered, though nothing more has arrived")
	}
	next <- events[1] + events[2]
	recv()
	if !llm.IsBuffered(s) {
		t.Fatal("not buffered, though the next event arrived with this one")
	}
	recv()
	if llm.IsBuffered(s) {
		t.Fatal("buffered after the last event that arrived")
	}
	close(next) // the body ends: the next Recv ends the stream without waiting
	for {
		if _, err := s.Recv(); err != nil {
			break
		}
	}
	if !llm.IsBuffered(s) {
		t.Fatal("not buffered after the end of the stream")
	}
}
