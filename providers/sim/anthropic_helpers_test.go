package sim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/providers/sim"
)

// anthTarget reaches a simulator's Anthropic dialect in memory.
type anthTarget struct {
	srv    *sim.Server
	client *http.Client
}

func newAnthTarget(opts sim.Options) anthTarget {
	s := sim.New(opts)
	return anthTarget{srv: s, client: &http.Client{Transport: s.Transport()}}
}

// anthHeaders are the headers every Anthropic SDK sends.
func anthHeaders() http.Header {
	return http.Header{"Anthropic-Version": {"2023-06-01"}, "Content-Type": {"application/json"}}
}

// send posts body (a map or raw JSON) to path with the given headers.
func (tg anthTarget) send(t *testing.T, method, path string, body any, h http.Header) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, "http://sim.invalid"+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h
	resp, err := tg.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return resp, data
}

// messages posts a Messages request with the usual headers.
func (tg anthTarget) messages(t *testing.T, body any) (*http.Response, []byte) {
	t.Helper()
	return tg.send(t, http.MethodPost, "/v1/messages", body, anthHeaders())
}

// message posts a unary request that must succeed.
func (tg anthTarget) message(t *testing.T, body any) map[string]any {
	t.Helper()
	resp, data := tg.messages(t, body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, data)
	}
	return decodeObject(t, data)
}

// anthEvent is one parsed server-sent event.
type anthEvent struct {
	name string
	raw  string // the data line as sent
	data map[string]any
}

// anthEvents splits an Anthropic stream into events, checking the framing:
// an event: line, a data: line whose JSON type matches the event name, and
// a blank line.
func anthEvents(t *testing.T, body string) []anthEvent {
	t.Helper()
	if !strings.HasSuffix(body, "\n\n") {
		t.Fatalf("stream does not end with a blank line: %q", anthTail(body))
	}
	var out []anthEvent
	for _, block := range strings.Split(strings.TrimSuffix(body, "\n\n"), "\n\n") {
		lines := strings.Split(block, "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "event: ") || !strings.HasPrefix(lines[1], "data: ") {
			t.Fatalf("event not framed as event:/data: lines: %q", block)
		}
		ev := anthEvent{name: strings.TrimPrefix(lines[0], "event: "), raw: strings.TrimPrefix(lines[1], "data: ")}
		ev.data = decodeObject(t, []byte(ev.raw))
		if ev.data["type"] != ev.name {
			t.Errorf("event %q carries data of type %v", ev.name, ev.data["type"])
		}
		out = append(out, ev)
	}
	return out
}

func anthTail(s string) string {
	if len(s) > 80 {
		return s[len(s)-80:]
	}
	return s
}

func anthUser(text string) []any {
	return []any{map[string]any{"role": "user", "content": text}}
}
