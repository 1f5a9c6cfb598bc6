package gemini_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

const (
	chunkHello = `{"candidates": [{"content": {"parts": [{"text": "Hello"}],"role": "model"}}],"usageMetadata": {"promptTokenCount": 5,"totalTokenCount": 5},"modelVersion": "gemini-2.0-flash","responseId": "r1"}`
	chunkEnd   = `{"candidates": [{"content": {"parts": [{"text": " world"}],"role": "model"},"finishReason": "STOP"}],"usageMetadata": {"promptTokenCount": 4,"candidatesTokenCount": 2,"totalTokenCount": 6},"modelVersion": "gemini-2.0-flash","responseId": "r1"}`
)

func collectFrom(t *testing.T, handler http.HandlerFunc) (*llm.Response, error) {
	t.Helper()
	u := newUpstream(t, handler)
	p := newProvider(t, u.URL+"/v1beta")
	s, err := p.Stream(context.Background(), userRequest("gemini-2.0-flash", "Hi"))
	if err != nil {
		return nil, err
	}
	return llm.Collect(s)
}

func TestStreamSeparators(t *testing.T) {
	for name, sep := range map[string]string{"CRLF": "\r\n\r\n", "LF": "\n\n", "CR-less last event": ""} {
		t.Run(name, func(t *testing.T) {
			body := "data: " + chunkHello + "\r\n\r\ndata: " + chunkEnd + sep
			resp, err := collectFrom(t, sseHandler(body))
			if err != nil {
				t.Fatal(err)
			}
			if resp.Choices[0].Message.Text() != "Hello world" || resp.Usage != (llm.Usage{InputTokens: 4, OutputTokens: 2}) || resp.ID != "r1" {
				t.Errorf("response = %+v", resp)
			}
		})
	}
}

func TestStreamFailures(t *testing.T) {
	cut := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		_, _ = w.Write([]byte("data: " + chunkHello + "\r\n\r\n"))
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	}
	cases := []struct {
		name    string
		handler http.HandlerFunc
		kind    llm.Kind
		message string
	}{
		{"ends without a finish reason", sseHandler("data: " + chunkHello + "\r\n\r\n"), llm.KindUpstream, "stream ended prematurely"},
		{"empty body", sseHandler(""), llm.KindUpstream, "stream ended prematurely"},
		{"connection cut", cut, llm.KindUpstream, "stream ended prematurely"},
		{"malformed chunk", sseHandler("data: " + chunkHello + "\r\n\r\ndata: {\"candidates\": [\r\n\r\ndata: " + chunkEnd + "\r\n\r\n"), llm.KindUpstream, "malformed chunk"},
		{"error in the stream", sseHandler("data: " + chunkHello + "\r\n\r\ndata: {\"error\": {\"code\": 503,\"message\": \"The model is overloaded. Please try again later.\",\"status\": \"UNAVAILABLE\"}}\r\n\r\n"), llm.KindOverloaded, "The model is overloaded"},
		{"429 labelled event-stream", raw(429, map[string]string{"content-type": "text/event-stream"}, []byte(`{"error":{"code":429,"message":"Quota exceeded.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"7s"}]}}`)), llm.KindRateLimited, "Quota exceeded."},
		{"blocked prompt", sseHandler(`data: {"promptFeedback": {"blockReason": "SAFETY"},"usageMetadata": {"promptTokenCount": 3}}` + "\r\n\r\n"), llm.KindContentFiltered, "Gemini blocked the prompt (SAFETY)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := collectFrom(t, c.handler)
			e := asLLMError(t, err)
			if e.Kind != c.kind || !strings.Contains(e.Message, c.message) || e.Provider != "gemini" {
				t.Fatalf("got %+v", e)
			}
			if c.kind == llm.KindRateLimited && e.RetryAfter != 7*time.Second {
				t.Errorf("retry after %v, want the RetryInfo delay", e.RetryAfter)
			}
		})
	}
}

// A server that ignores alt=sse answers in one JSON piece (an array of
// chunks, or one answer); the stream replays it.
func TestStreamJSONAnswers(t *testing.T) {
	jsonCT := map[string]string{"content-type": "application/json; charset=UTF-8"}
	for name, body := range map[string]string{
		"array":  "[" + chunkHello + ",\r\n" + chunkEnd + "]",
		"object": strings.Replace(chunkEnd, `" world"`, `"Hello world"`, 1),
	} {
		t.Run(name, func(t *testing.T) {
			resp, err := collectFrom(t, raw(200, jsonCT, []byte(body)))
			if err != nil {
				t.Fatal(err)
			}
			if resp.Choices[0].Message.Text() != "Hello world" || resp.Choices[0].FinishReason != llm.FinishStop || resp.Usage.OutputTokens != 2 {
				t.Errorf("response = %+v", resp)
			}
		})
	}
	_, err := collectFrom(t, raw(200, jsonCT, []byte(`{"error": {"code": 500, "message": "boom", "status": "INTERNAL"}}`)))
	if e := asLLMError(t, err); e.Kind != llm.KindUpstream || e.Message != "boom" {
		t.Errorf("error object: %+v", e)
	}
}

func TestStreamCancelWhileWaiting(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		_, _ = w.Write([]byte("data: " + chunkHello + "\r\n\r\n"))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	p := newProvider(t, u.URL+"/v1beta")
	ctx, cancel := context.WithCancel(context.Background())
	s, err := p.Stream(ctx, userRequest("gemini-2.0-flash", "Hi"))
	if err != nil {
		t.Fatal(err)
	}
	if c, err := s.Recv(); err != nil || c.Text != "Hello" || c.Role != llm.RoleAssistant {
		t.Fatalf("first chunk %+v, %v", c, err)
	}
	cancel()
	_, err = s.Recv()
	if llm.KindOf(err) != llm.KindCanceled {
		t.Errorf("after cancel: %v", err)
	}
	if _, again := s.Recv(); again == nil || llm.KindOf(again) != llm.KindCanceled {
		t.Errorf("the error must stick: %v", again)
	}
	for i := 0; i < 3; i++ {
		if s.Close() != nil {
			t.Fatal("Close failed")
		}
	}
}
