package anthropic_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/server/anthropic"
	"github.com/switchboard-gw/switchboard/server/internal/servertest"
)

// door is the front door on a test server, over a scriptable core and real
// key verification.
type door struct {
	url  string
	auth *servertest.Auth
	core *servertest.Core
}

func newDoor(t *testing.T, core anthropic.Core, sc *servertest.Core, maxBody int64) *door {
	t.Helper()
	a := servertest.NewAuth(t)
	mux := http.NewServeMux()
	h := anthropic.NewHandler(anthropic.Options{Core: core, Keys: a.Keys, MaxBodyBytes: maxBody})
	mux.Handle(anthropic.PathMessages, h)
	mux.Handle(anthropic.PathMessages+"/", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &door{url: srv.URL, auth: a, core: sc}
}

// newTestDoor is a door over a servertest.Core.
func newTestDoor(t *testing.T) *door {
	core := &servertest.Core{}
	return newDoor(t, core, core, 0)
}

// post sends body to path the way the Anthropic SDKs do: the key in
// x-api-key and an anthropic-version header. headers (name, value pairs)
// are added after; an empty value removes the header.
func (d *door) post(t *testing.T, path, body string, headers ...string) *http.Response {
	t.Helper()
	return d.do(t, http.MethodPost, path, body, headers...)
}

func (d *door) do(t *testing.T, method, path, body string, headers ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, d.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Api-Key", d.auth.Secret)
	req.Header.Set("Anthropic-Version", "2023-06-01")
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// message is the parts of a message object the tests read.
type message struct {
	ID           string  `json:"id"`
	Type         string  `json:"type"`
	Role         string  `json:"role"`
	Model        string  `json:"model"`
	StopReason   *string `json:"stop_reason"`
	StopSequence *string `json:"stop_sequence"`
	Content      []struct {
		Type      string          `json:"type"`
		Text      string          `json:"text"`
		ID        string          `json:"id"`
		Name      string          `json:"name"`
		Input     json.RawMessage `json:"input"`
		Thinking  string          `json:"thinking"`
		Signature string          `json:"signature"`
		Data      string          `json:"data"`
	} `json:"content"`
	Usage struct {
		InputTokens              int64 `json:"input_tokens"`
		CacheCreationInputTokens int64 `json:"cache_creation_input_tokens"`
		CacheReadInputTokens     int64 `json:"cache_read_input_tokens"`
		OutputTokens             int64 `json:"output_tokens"`
	} `json:"usage"`
}

func decodeMessage(t *testing.T, resp *http.Response) message {
	t.Helper()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	var m message
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not a message: %s", b)
	}
	return m
}

type errorBody struct {
	Type  string `json:"type"`
	Error struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
	RequestID string `json:"request_id"`
}

// wantError checks an Anthropic-shaped error response and returns it.
func wantError(t *testing.T, resp *http.Response, status int, typ string) errorBody {
	t.Helper()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d; body %s", resp.StatusCode, status, b)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("content-type %q", ct)
	}
	var e errorBody
	if err := json.Unmarshal(b, &e); err != nil || e.Type != "error" {
		t.Fatalf("body is not an Anthropic error: %s", b)
	}
	if e.Error.Type != typ || e.Error.Message == "" {
		t.Fatalf("error %s: want type %s", b, typ)
	}
	if e.RequestID == "" || e.RequestID != resp.Header.Get("Request-Id") || e.RequestID != resp.Header.Get("X-Request-Id") {
		t.Fatalf("request_id %q, request-id header %q, x-request-id %q", e.RequestID, resp.Header.Get("Request-Id"), resp.Header.Get("X-Request-Id"))
	}
	return e
}

// event is one server-sent event.
type event struct {
	name string
	data map[string]any
	raw  string
}

// events reads an SSE body, checking every event has an event: line whose
// name is the data's type.
func events(t *testing.T, body io.Reader) []event {
	t.Helper()
	var out []event
	var name string
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			raw := strings.TrimPrefix(line, "data: ")
			var data map[string]any
			if err := json.Unmarshal([]byte(raw), &data); err != nil {
				t.Fatalf("event data is not JSON: %q", raw)
			}
			if name == "" || data["type"] != name {
				t.Fatalf("event %q carries data of type %v", name, data["type"])
			}
			out = append(out, event{name: name, data: data, raw: raw})
			name = ""
		default:
			t.Fatalf("unexpected SSE line %q", line)
		}
	}
	return out
}

func names(evs []event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.name
	}
	return out
}

// field walks data along keys ("delta", "text").
func field(data map[string]any, keys ...string) any {
	var v any = data
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

const simpleBody = `{"model":"demo","max_tokens":64,"messages":[{"role":"user","content":"Hi"}]}`
