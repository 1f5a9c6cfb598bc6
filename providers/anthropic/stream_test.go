package anthropic_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/llm"
)

func TestStreamReplaysRecordings(t *testing.T) {
	cases := []struct {
		name  string
		text  string
		calls []llm.ToolCall
		usage llm.Usage
	}{
		{"messages-stream-text", "- Captain\n- Scoop", nil, llm.Usage{InputTokens: 17, OutputTokens: 10}},
		{"messages-stream-parallel-tool-use-empty-input", "", []llm.ToolCall{
			{ID: "toolu_01LtHJmixrs9NcWQkK8hu8hj", Name: "pelican_name_generator", Arguments: "{}"},
			{ID: "toolu_01N8a4jWyf116qKTMqKKmjyt", Name: "pelican_name_generator", Arguments: "{}"},
		}, llm.Usage{InputTokens: 542, OutputTokens: 62}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := fixtures.Load(t, "anthropic", c.name)
			for _, crlf := range []bool{false, true} {
				body := tr.Response.BodyText()
				if crlf {
					body = strings.ReplaceAll(body, "\n", "\r\n")
				}
				u := newUpstream(t, raw(200, tr.Response.Headers, []byte(body)))
				p := newProvider(t, u.URL)
				s, err := p.Stream(context.Background(), userRequest("m", "hi"))
				if err != nil {
					t.Fatal(err)
				}
				resp, err := llm.Collect(s)
				if err != nil {
					t.Fatalf("crlf %v: %v", crlf, err)
				}
				ch := resp.Choices[0]
				if ch.Message.Text() != c.text || fmt.Sprint(ch.Message.ToolCalls) != fmt.Sprint(c.calls) || resp.Usage != c.usage || resp.Provider != "anthropic" {
					t.Errorf("crlf %v: %+v usage %+v", crlf, ch, resp.Usage)
				}
				got := u.last(t)
				if decodeJSON(t, got.Body)["stream"] != true || got.Header.Get("Accept") != "text/event-stream" {
					t.Errorf("request %s accept %q", got.Body, got.Header.Get("Accept"))
				}
			}
		})
	}
}

// collectErr drains a stream and returns the accumulated answer and the
// error that ended it.
func collectErr(t *testing.T, body string) (*llm.Response, error) {
	t.Helper()
	u := newUpstream(t, sseHandler(body))
	s, err := newProvider(t, u.URL).Stream(context.Background(), userRequest("m", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	return llm.Collect(s)
}

func TestStreamErrorEventInsideA200(t *testing.T) {
	tr := fixtures.Load(t, "anthropic", "stream-error-event-overloaded")
	text := fixtures.Load(t, "anthropic", "messages-stream-text").Response.BodyText()
	// The documented case: some content, then the error event.
	cut := strings.Index(text, "event: content_block_stop")
	resp, err := collectErr(t, text[:cut]+tr.Response.BodyText())
	e := asLLMError(t, err)
	if e.Kind != llm.KindOverloaded || !e.Kind.Retryable() || e.Provider != "anthropic" {
		t.Fatalf("error = %+v", e)
	}
	if resp.Choices[0].Message.Text() != "- Captain\n- Scoop" {
		t.Errorf("content before the error = %q", resp.Choices[0].Message.Text())
	}
}

func TestStreamEndingBeforeMessageStopIsPremature(t *testing.T) {
	text := fixtures.Load(t, "anthropic", "messages-stream-text").Response.BodyText()
	for _, cut := range []string{"event: message_stop", "event: message_delta", "event: content_block_delta"} {
		_, err := collectErr(t, text[:strings.Index(text, cut)])
		if e := asLLMError(t, err); e.Kind != llm.KindUpstream || !strings.Contains(e.Message, "stream ended prematurely") {
			t.Errorf("cut before %s: %+v", cut, e)
		}
	}
	// Cut inside an event's JSON, with no blank line after it.
	i := strings.Index(text, `"text":" Captain"`)
	_, err := collectErr(t, text[:i])
	if e := asLLMError(t, err); e.Kind != llm.KindUpstream || !strings.Contains(e.Message, "prematurely") {
		t.Errorf("cut mid-event: %+v", e)
	}
}

func TestStreamAnsweredAsJSON(t *testing.T) {
	tr := fixtures.Load(t, "anthropic", "messages-tool-use")
	u := newUpstream(t, replay(tr))
	s, err := newProvider(t, u.URL).Stream(context.Background(), userRequest("m", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := llm.Collect(s)
	if err != nil {
		t.Fatal(err)
	}
	if calls := resp.Choices[0].Message.ToolCalls; len(calls) != 1 || calls[0].Arguments != `{"location":"Tokyo, Japan"}` || resp.Usage.InputTokens != 620 {
		t.Fatalf("replayed = %+v", resp)
	}
}

// blockingUpstream sends message_start and then waits until the client
// goes away.
func blockingUpstream(t *testing.T) *upstream {
	text := fixtures.Load(t, "anthropic", "messages-stream-text").Response.BodyText()
	first := text[:strings.Index(text, "event: content_block_start")]
	return newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, first)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
}

func TestStreamContextCancellation(t *testing.T) {
	u := blockingUpstream(t)
	ctx, cancel := context.WithCancel(context.Background())
	s, err := newProvider(t, u.URL).Stream(ctx, userRequest("m", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if c, err := s.Recv(); err != nil || c.Role != llm.RoleAssistant {
		t.Fatalf("first chunk %+v %v", c, err)
	}
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err = s.Recv()
	if e := asLLMError(t, err); e.Kind != llm.KindCanceled {
		t.Fatalf("after cancel: %+v", e)
	}
	if _, again := s.Recv(); !errors.Is(again, err) {
		t.Errorf("Recv after the end = %v, want the same error", again)
	}
}

func TestStreamCloseIsIdempotentAndUnblocksRecv(t *testing.T) {
	u := blockingUpstream(t)
	s, err := newProvider(t, u.URL).Stream(context.Background(), userRequest("m", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Recv(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	var recvErr error
	go func() {
		defer wg.Done()
		_, recvErr = s.Recv()
	}()
	time.Sleep(20 * time.Millisecond)
	for i := 0; i < 3; i++ {
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if e := asLLMError(t, recvErr); e.Kind != llm.KindCanceled {
		t.Fatalf("Recv during Close: %+v", e)
	}

	// Close after a complete stream, twice.
	tr := fixtures.Load(t, "anthropic", "messages-stream-text")
	done := newUpstream(t, replay(tr))
	s, err = newProvider(t, done.URL).Stream(context.Background(), userRequest("m", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := llm.Collect(s); err != nil {
		t.Fatal(err)
	}
	if s.Close() != nil || s.Close() != nil {
		t.Fatal("Close after EOF failed")
	}
	if _, err := s.Recv(); !errors.Is(err, io.EOF) {
		t.Errorf("Recv after EOF and Close = %v", err)
	}
}
