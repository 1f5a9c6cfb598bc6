package openai_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/llm"
)

// recordedEvents returns the events ("data: ...\n\n" blocks) of a recorded
// stream, so tests can cut or splice a real stream.
func recordedEvents(t *testing.T, name string) []string {
	t.Helper()
	body := fixtures.Load(t, "openai", name).Response.BodyText()
	var out []string
	for _, ev := range strings.SplitAfter(body, "\n\n") {
		if ev != "" {
			out = append(out, ev)
		}
	}
	return out
}

func collect(t *testing.T, body string) (*llm.Response, error) {
	t.Helper()
	p := newProvider(t, newUpstream(t, sse(body)))
	s, err := p.Stream(context.Background(), userRequest("m", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	return llm.Collect(s)
}

func TestStreamEndings(t *testing.T) {
	events := recordedEvents(t, "chat-stream-tool-call-include-usage")
	n := len(events) // ..., finish chunk, usage chunk, [DONE]
	cases := []struct {
		name    string
		body    string
		kind    llm.Kind // 0 with ok: clean EOF
		ok      bool
		message string
	}{
		{name: "complete", body: strings.Join(events, ""), ok: true},
		{name: "no [DONE] after finish and usage", body: strings.Join(events[:n-1], ""), ok: true},
		{name: "no [DONE] after finish", body: strings.Join(events[:n-2], ""), ok: true},
		{name: "cut before finish", body: strings.Join(events[:3], ""), kind: llm.KindUpstream, message: "stream ended prematurely"},
		{name: "cut mid-line", body: strings.Join(events[:3], "") + events[3][:40], kind: llm.KindUpstream, message: "stream ended prematurely"},
		{name: "empty body", body: "", kind: llm.KindUpstream, message: "stream ended prematurely"},
		{name: "mid-stream error event", body: strings.Join(events[:2], "") +
			"data: {\"error\":{\"message\":\"The server had an error while processing your request. Sorry about that!\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n",
			kind: llm.KindUpstream, message: "The server had an error"},
		{name: "mid-stream rate limit", body: strings.Join(events[:2], "") +
			"data: {\"error\":{\"message\":\"Rate limit reached\",\"type\":\"tokens\",\"code\":\"rate_limit_exceeded\"}}\n\n",
			kind: llm.KindRateLimited, message: "Rate limit reached"},
		{name: "event: error", body: strings.Join(events[:2], "") +
			"event: error\ndata: {\"message\":\"overloaded\",\"type\":\"overloaded_error\"}\n\n",
			kind: llm.KindOverloaded, message: "overloaded"},
		{name: "malformed chunk", body: strings.Join(events[:2], "") + "data: {\"id\": \"x\", \"choices\": [{]}\n\n" + strings.Join(events[2:], ""),
			kind: llm.KindUpstream, message: "malformed chunk from openai"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, err := collect(t, c.body)
			if c.ok {
				if err != nil {
					t.Fatalf("clean stream failed: %v", err)
				}
				if resp.Choices[0].FinishReason != llm.FinishToolCalls {
					t.Errorf("finish = %q", resp.Choices[0].FinishReason)
				}
				return
			}
			e := asLLMError(t, err)
			if e.Kind != c.kind || !strings.Contains(e.Message, c.message) || e.Provider != "openai" {
				t.Errorf("got kind %v message %q provider %q", e.Kind, e.Message, e.Provider)
			}
		})
	}
}

// TestStreamSSETolerance feeds the recorded stream rewritten as other
// servers write SSE: CRLF line ends, comment keep-alives, event: lines, data
// split over several lines, and no space after "data:".
func TestStreamSSETolerance(t *testing.T) {
	want, err := collect(t, strings.Join(recordedEvents(t, "chat-stream-basic"), ""))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(": OPENROUTER PROCESSING\r\n\r\n")
	for i, ev := range recordedEvents(t, "chat-stream-basic") {
		data := strings.TrimSuffix(strings.TrimPrefix(ev, "data: "), "\n\n")
		switch i % 3 {
		case 0:
			b.WriteString("event: message\r\ndata:" + data + "\r\n\r\n")
		case 1:
			// A JSON value may be split across data lines; they join with "\n".
			cut := strings.Index(data, ",")
			if cut < 0 {
				cut = len(data)
			}
			b.WriteString("id: " + string(rune('a'+i%26)) + "\ndata: " + data[:cut] + "\ndata: " + data[cut:] + "\n\n")
		default:
			b.WriteString(": keep-alive\n\ndata: " + data + "\n\n")
		}
	}
	got, err := collect(t, b.String())
	if err != nil {
		t.Fatal(err)
	}
	if got.Choices[0].Message.Text() != want.Choices[0].Message.Text() || got.Choices[0].FinishReason != llm.FinishStop {
		t.Errorf("text %q\nwant %q", got.Choices[0].Message.Text(), want.Choices[0].Message.Text())
	}
}

func TestStreamLongEvent(t *testing.T) {
	long := strings.Repeat("x", 100<<10) // longer than the reader's buffer
	body := `data: {"id":"a","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"` + long + `"},"finish_reason":"stop"}]}` + "\n\ndata: [DONE]\n\n"
	resp, err := collect(t, body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Choices[0].Message.Text() != long {
		t.Errorf("long content lost: %d bytes", len(resp.Choices[0].Message.Text()))
	}
}

func TestStreamJSONAnswerIsReplayed(t *testing.T) {
	tr := fixtures.Load(t, "openai", "chat-tool-call")
	p := newProvider(t, newUpstream(t, replay(tr))) // a JSON body to a stream request
	s, err := p.Stream(context.Background(), userRequest("m", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := llm.Collect(s)
	if err != nil {
		t.Fatal(err)
	}
	if c := resp.Choices[0]; len(c.Message.ToolCalls) != 1 || c.Message.ToolCalls[0].Name != "get_current_weather" || c.FinishReason != llm.FinishToolCalls {
		t.Errorf("choice = %+v", c)
	}
	if resp.Usage.InputTokens != 162 || resp.Provider != "openai" {
		t.Errorf("usage %+v provider %q", resp.Usage, resp.Provider)
	}
}

// blockingStream serves the first events of a recorded stream, flushes, and
// then holds the response open until the client goes away.
func blockingStream(t *testing.T, first []string) *upstream {
	return newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		for _, ev := range first {
			_, _ = io.WriteString(w, ev)
		}
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(30 * time.Second): // a bound, never reached when the test passes
		}
	})
}

func TestStreamCancelMidStream(t *testing.T) {
	events := recordedEvents(t, "chat-stream-basic")
	p := newProvider(t, blockingStream(t, events[:2]))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := p.Stream(ctx, userRequest("m", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := 0; i < 2; i++ {
		if _, err := s.Recv(); err != nil {
			t.Fatalf("chunk %d: %v", i, err)
		}
	}
	cancel()
	_, err = s.Recv()
	if e := asLLMError(t, err); e.Kind != llm.KindCanceled {
		t.Errorf("after cancel: %v (%q)", e.Kind, e.Message)
	}
	// The error is sticky.
	if _, err2 := s.Recv(); llm.KindOf(err2) != llm.KindCanceled {
		t.Errorf("second Recv: %v", err2)
	}
}

func TestStreamCloseUnblocksRecvAndIsIdempotent(t *testing.T) {
	events := recordedEvents(t, "chat-stream-basic")
	p := newProvider(t, blockingStream(t, events[:1]))
	s, err := p.Stream(context.Background(), userRequest("m", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Recv(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var recvErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, recvErr = s.Recv() // blocks: the server sends nothing more
	}()
	time.Sleep(20 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if e := asLLMError(t, recvErr); e.Kind != llm.KindCanceled {
		t.Errorf("Recv after Close: %v (%q)", e.Kind, e.Message)
	}
	for i := 0; i < 3; i++ {
		if err := s.Close(); err != nil {
			t.Errorf("Close #%d: %v", i+2, err)
		}
	}
	if _, err := s.Recv(); err == nil || errors.Is(err, io.EOF) {
		t.Errorf("Recv on a closed, unfinished stream = %v", err)
	}
}

func TestStreamCloseAfterEOF(t *testing.T) {
	p := newProvider(t, newUpstream(t, replay(fixtures.Load(t, "openai", "chat-stream-basic"))))
	s, err := p.Stream(context.Background(), userRequest("m", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	for {
		_, err := s.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Recv(); !errors.Is(err, io.EOF) {
		t.Errorf("Recv after EOF and Close = %v, want io.EOF", err)
	}
}
