package openai_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/server/internal/servertest"
)

const chatBody = `{"model":"demo","messages":[{"role":"user","content":"hi"}]}`

func TestEveryEndpointNeedsAVirtualKey(t *testing.T) {
	s := newShim(t, &servertest.Core{}, 0)
	wrong := []byte(s.auth.Secret)
	if wrong[10] == 'a' { // same format, one character off: only the checksum can tell
		wrong[10] = 'b'
	} else {
		wrong[10] = 'a'
	}
	keys := map[string]string{
		"missing":           "",
		"malformed":         "sk-sb-abc",
		"foreign":           "sk-proj-1234567890",
		"mistyped checksum": string(wrong),
		"admin key":         servertest.AdminKey,
	}
	for name, key := range keys {
		for _, ep := range []struct{ method, path, body string }{
			{http.MethodPost, "/v1/chat/completions", chatBody},
			{http.MethodPost, "/v1/embeddings", `{"model":"demo","input":"x"}`},
			{http.MethodGet, "/v1/models", ""},
			{http.MethodGet, "/v1/unknown", ""},
		} {
			t.Run(name+ep.path, func(t *testing.T) {
				e := wantError(t, s.do(t, ep.method, ep.path, ep.body, key), 401, "authentication_error", "")
				if strings.Contains(e.Error.Message, s.auth.Secret) {
					t.Fatal("the message repeats the secret")
				}
			})
		}
	}
}

func TestChatCompletion(t *testing.T) {
	core := &servertest.Core{}
	s := newShim(t, core, 0)
	resp := s.do(t, http.MethodPost, "/v1/chat/completions",
		`{"model":"demo","messages":[{"role":"user","content":"hi"}],"temperature":0,"logit_bias":{"1":2}}`)
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	if resp.Header.Get("X-Switchboard-Provider") != "sim" || resp.Header.Get("X-Switchboard-Deployment") != "sim-demo" || resp.Header.Get("X-Request-Id") == "" {
		t.Fatalf("headers %v", resp.Header)
	}
	var out struct {
		Object  string `json:"object"`
		Choices []struct {
			Message struct {
				Role, Content string
			}
			FinishReason string `json:"finish_reason"`
		}
		Usage struct {
			PromptTokens     int `json:"prompt_tokens"`
			CompletionTokens int `json:"completion_tokens"`
			TotalTokens      int `json:"total_tokens"`
		}
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out.Object != "chat.completion" || out.Choices[0].Message.Content != "hello" || out.Choices[0].FinishReason != "stop" || out.Usage.TotalTokens != 7 {
		t.Fatalf("response %s", b)
	}
	req := core.LastRequest()
	if req.Temperature == nil || *req.Temperature != 0 || req.Messages[0].Text() != "hi" {
		t.Fatalf("core got %+v", req)
	}
	if p := core.LastPrincipal(); p == nil || p.KeyID != s.auth.Key.ID {
		t.Fatalf("principal %+v", p)
	}
	if !strings.Contains(string(req.ProviderOptions["openai"]), "logit_bias") {
		t.Fatalf("unknown fields not forwarded: %s", req.ProviderOptions)
	}
}

func TestBadBodies(t *testing.T) {
	s := newShim(t, &servertest.Core{}, 1024)
	e := wantError(t, s.do(t, http.MethodPost, "/v1/chat/completions", `{"model":"demo",`), 400, "invalid_request_error", "")
	if !strings.Contains(e.Error.Message, "offset") {
		t.Fatalf("malformed JSON message has no offset: %q", e.Error.Message)
	}
	e = wantError(t, s.do(t, http.MethodPost, "/v1/chat/completions", `{"model":"demo","messages":[{"role":"user","content":"hi"}],"temperature":"hot"}`), 400, "invalid_request_error", "")
	if e.Error.Param == nil || *e.Error.Param != "temperature" {
		t.Fatalf("wrong type: param %v, message %q", e.Error.Param, e.Error.Message)
	}
	wantError(t, s.do(t, http.MethodPost, "/v1/chat/completions", `[]`), 400, "invalid_request_error", "")
	wantError(t, s.do(t, http.MethodPost, "/v1/chat/completions", ``), 400, "invalid_request_error", "")
	wantError(t, s.do(t, http.MethodPost, "/v1/embeddings", `{"model":1}`), 400, "invalid_request_error", "")

	big := `{"model":"demo","messages":[{"role":"user","content":"` + strings.Repeat("x", 2048) + `"}]}`
	wantError(t, s.do(t, http.MethodPost, "/v1/chat/completions", big), 413, "invalid_request_error", "payload_too_large")

	// Without a Content-Length (chunked), the limit still holds.
	req, _ := http.NewRequest(http.MethodPost, s.url+"/v1/chat/completions", io.MultiReader(strings.NewReader(big)))
	req.Header.Set("Authorization", "Bearer "+s.auth.Secret)
	req.ContentLength = -1
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	wantError(t, resp, 413, "invalid_request_error", "payload_too_large")

	// And the shim still serves.
	if resp := s.do(t, http.MethodPost, "/v1/chat/completions", chatBody); resp.StatusCode != 200 {
		t.Fatalf("after bad bodies: %d", resp.StatusCode)
	}
}

func TestCoreErrorsKeepTheirStatus(t *testing.T) {
	core := &servertest.Core{CompleteFunc: func(context.Context, *llm.Request) (*llm.Response, error) {
		return nil, &llm.Error{Kind: llm.KindNotFound, Code: "model_not_found", Param: "model", Message: "unknown model \"nope\""}
	}}
	s := newShim(t, core, 0)
	wantError(t, s.do(t, http.MethodPost, "/v1/chat/completions", chatBody), 404, "not_found_error", "model_not_found")
}

func streamBody(includeUsage bool) string {
	opts := ""
	if includeUsage {
		opts = `,"stream_options":{"include_usage":true}`
	}
	return `{"model":"demo","messages":[{"role":"user","content":"hi"}],"stream":true` + opts + `}`
}

type sseChunk struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Choices []struct {
		Delta struct {
			Content *string `json:"content"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *struct {
		TotalTokens int `json:"total_tokens"`
	} `json:"usage"`
	Error *struct {
		Type string `json:"type"`
		Code string `json:"code"`
	} `json:"error"`
}

func parseChunks(t *testing.T, data []string) []sseChunk {
	t.Helper()
	out := make([]sseChunk, len(data))
	for i, d := range data {
		if err := json.Unmarshal([]byte(d), &out[i]); err != nil {
			t.Fatalf("event %d %q: %v", i, d, err)
		}
	}
	return out
}

func TestStreamingWithAndWithoutUsage(t *testing.T) {
	s := newShim(t, &servertest.Core{}, 0)
	for _, includeUsage := range []bool{true, false} {
		resp := s.do(t, http.MethodPost, "/v1/chat/completions", streamBody(includeUsage))
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		h := resp.Header
		if h.Get("Content-Type") != "text/event-stream" || h.Get("Cache-Control") != "no-cache" || h.Get("X-Accel-Buffering") != "no" || h.Get("X-Switchboard-Provider") != "sim" {
			t.Fatalf("headers %v", h)
		}
		data := events(t, resp.Body)
		if data[len(data)-1] != "[DONE]" {
			t.Fatalf("stream does not end with [DONE]: %q", data)
		}
		chunks := parseChunks(t, data[:len(data)-1])
		var text strings.Builder
		usageChunks := 0
		for i, c := range chunks {
			if c.Object != "chat.completion.chunk" || c.ID != "chatcmpl-test" {
				t.Fatalf("chunk %d: %+v", i, c)
			}
			if c.Usage != nil {
				usageChunks++
				if i != len(chunks)-1 || len(c.Choices) != 0 || c.Usage.TotalTokens != 7 {
					t.Fatalf("usage chunk %d of %d: %s", i, len(chunks), data[i])
				}
				continue
			}
			if len(c.Choices) != 1 {
				t.Fatalf("chunk %d has %d choices", i, len(c.Choices))
			}
			if c.Choices[0].Delta.Content != nil {
				text.WriteString(*c.Choices[0].Delta.Content)
			}
		}
		if text.String() != "hello" {
			t.Fatalf("text %q", text.String())
		}
		if want := map[bool]int{true: 1, false: 0}[includeUsage]; usageChunks != want {
			t.Fatalf("include_usage=%v: %d usage chunks", includeUsage, usageChunks)
		}
		if strings.Contains(data[len(data)-2], `"choices":[]`) != includeUsage {
			t.Fatalf("include_usage=%v: last chunk %s", includeUsage, data[len(data)-2])
		}
	}
}

func TestErrorMidStreamIsAnEventWithoutDone(t *testing.T) {
	core := &servertest.Core{StreamFunc: func(ctx context.Context, _ *llm.Request) (llm.Stream, error) {
		st := servertest.NewStream(ctx, servertest.Chunks("a", "b")[:2]...)
		st.Err = &llm.Error{Kind: llm.KindUpstream, Provider: "openai", Message: "upstream closed the connection"}
		return st, nil
	}}
	s := newShim(t, core, 0)
	resp := s.do(t, http.MethodPost, "/v1/chat/completions", streamBody(true))
	data := events(t, resp.Body)
	if resp.StatusCode != 200 || len(data) != 3 {
		t.Fatalf("%d %q", resp.StatusCode, data)
	}
	last := parseChunks(t, data[2:])[0]
	if last.Error == nil || last.Error.Type != "server_error" || last.Error.Code != "upstream_error" {
		t.Fatalf("last event %s", data[2])
	}
}

// A failure before the first chunk still gets its HTTP status.
func TestErrorBeforeTheFirstChunkIsAnHTTPError(t *testing.T) {
	limited := &llm.Error{Kind: llm.KindRateLimited, Provider: "openai", RetryAfter: 2 * time.Second, Message: "rate limited"}
	cases := map[string]func(context.Context, *llm.Request) (llm.Stream, error){
		"Stream fails": func(context.Context, *llm.Request) (llm.Stream, error) { return nil, limited },
		"first Recv fails": func(ctx context.Context, _ *llm.Request) (llm.Stream, error) {
			st := servertest.NewStream(ctx)
			st.Err = limited
			return st, nil
		},
	}
	for name, fn := range cases {
		t.Run(name, func(t *testing.T) {
			s := newShim(t, &servertest.Core{StreamFunc: fn}, 0)
			resp := s.do(t, http.MethodPost, "/v1/chat/completions", streamBody(false))
			if resp.Header.Get("Retry-After") != "2" {
				t.Fatalf("Retry-After %q", resp.Header.Get("Retry-After"))
			}
			wantError(t, resp, 429, "rate_limit_error", "rate_limit_exceeded")
		})
	}
}

// A client that goes away mid-stream releases the upstream stream.
func TestClientDisconnectClosesTheUpstream(t *testing.T) {
	never := make(chan struct{})
	streams := make(chan *servertest.Stream, 1)
	core := &servertest.Core{StreamFunc: func(ctx context.Context, _ *llm.Request) (llm.Stream, error) {
		st := servertest.NewStream(ctx, servertest.Chunks("a", "b")...)
		st.Gates[1] = never
		streams <- st
		return st, nil
	}}
	s := newShim(t, core, 0)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/v1/chat/completions", strings.NewReader(streamBody(false)))
	req.Header.Set("Authorization", "Bearer "+s.auth.Secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 10)
	if _, err := resp.Body.Read(buf); err != nil { // the first event arrived: it was flushed
		t.Fatal(err)
	}
	cancel()
	resp.Body.Close()
	select {
	case <-(<-streams).Closed():
	case <-time.After(time.Minute):
		t.Fatal("upstream stream not closed after the client left")
	}
}

func TestAStreamWithoutChunksIsAnUpstreamError(t *testing.T) {
	core := &servertest.Core{StreamFunc: func(ctx context.Context, _ *llm.Request) (llm.Stream, error) {
		return servertest.NewStream(ctx), nil
	}}
	s := newShim(t, core, 0)
	wantError(t, s.do(t, http.MethodPost, "/v1/chat/completions", streamBody(false)), 502, "server_error", "upstream_error")
}
