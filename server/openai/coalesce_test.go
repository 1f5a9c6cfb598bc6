package openai_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/server/internal/servertest"
	"github.com/switchboard-gw/switchboard/server/openai"
)

// bufferedStream says its next chunk is ready when buffered is set, as a
// provider's stream does when chunks arrived together (llm.Buffered).
type bufferedStream struct {
	*servertest.Stream
	buffered bool
}

func (s *bufferedStream) Buffered() bool { return s.buffered }

// flushCounter records what a handler writes and how often it flushes.
type flushCounter struct {
	*httptest.ResponseRecorder
	flushes int
	// writesAtFlush is the number of events written at each flush.
	writesAtFlush []int
}

func (f *flushCounter) Flush() {
	f.flushes++
	f.writesAtFlush = append(f.writesAtFlush, strings.Count(f.Body.String(), "data: "))
	f.ResponseRecorder.Flush()
}

func streamWith(t *testing.T, buffered bool, words int) *flushCounter {
	t.Helper()
	chunks := servertest.Chunks(strings.Fields(strings.Repeat("word ", words))...)
	core := &servertest.Core{StreamFunc: func(ctx context.Context, _ *llm.Request) (llm.Stream, error) {
		return &bufferedStream{Stream: servertest.NewStream(ctx, chunks...), buffered: buffered}, nil
	}}
	a := servertest.NewAuth(t)
	h := openai.NewHandler(openai.Options{Core: core, Keys: a.Keys})
	req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions",
		strings.NewReader(`{"model":"demo","stream":true,"messages":[{"role":"user","content":"hi"}]}`))
	req.Header.Set("Authorization", "Bearer "+a.Secret)
	w := &flushCounter{ResponseRecorder: httptest.NewRecorder()}
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK || !strings.HasSuffix(w.Body.String(), "data: [DONE]\n\n") {
		t.Fatalf("status %d, body %q", w.Code, w.Body.String())
	}
	if n := strings.Count(w.Body.String(), "data: "); n != words+2 {
		t.Fatalf("%d events, want %d", n, words+2)
	}
	return w
}

// Chunks that are not ready together are flushed one by one: nothing waits
// for a chunk that has not arrived.
func TestStreamFlushesEachChunkThatArrivesAlone(t *testing.T) {
	w := streamWith(t, false, 40)
	if w.flushes != 40+2 { // 40 words, the finish chunk, [DONE]
		t.Fatalf("%d flushes for 42 events", w.flushes)
	}
}

// Chunks that arrived together leave in fewer writes: the first at once
// (time to first token), then at most 16 per write.
func TestStreamCoalescesChunksThatArriveTogether(t *testing.T) {
	w := streamWith(t, true, 40)
	want := []int{1, 17, 33, 42}
	if len(w.writesAtFlush) != len(want) {
		t.Fatalf("flushed after events %v, want %v", w.writesAtFlush, want)
	}
	for i := range want {
		if w.writesAtFlush[i] != want[i] {
			t.Fatalf("flushed after events %v, want %v", w.writesAtFlush, want)
		}
	}
}
