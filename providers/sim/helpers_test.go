package sim_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/providers/sim"
)

// target is one way of reaching a simulator: over real TCP or in memory.
type target struct {
	name   string
	srv    *sim.Server
	client *http.Client
	base   string
}

// targets returns the simulator reached both ways.
func targets(t *testing.T, opts sim.Options) []target {
	t.Helper()
	tcpSim := sim.New(opts)
	hs := httptest.NewServer(tcpSim)
	t.Cleanup(hs.Close)
	memSim := sim.New(opts)
	return []target{
		{name: "tcp", srv: tcpSim, client: hs.Client(), base: hs.URL + "/v1"},
		{name: "transport", srv: memSim, client: &http.Client{Transport: memSim.Transport()}, base: "http://sim.invalid/v1"},
	}
}

// memTarget is the in-memory target alone, for tests that need no TCP.
func memTarget(t *testing.T, opts sim.Options) target {
	t.Helper()
	s := sim.New(opts)
	return target{name: "transport", srv: s, client: &http.Client{Transport: s.Transport()}, base: "http://sim.invalid/v1"}
}

// do sends a request and returns the response with its body read.
func (tg target) do(t *testing.T, method, path string, body any, header http.Header) (*http.Response, []byte, error) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, tg.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := tg.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp, data, err
}

// post sends a JSON body and fails the test on a transport error.
func (tg target) post(t *testing.T, path string, body any) (*http.Response, []byte) {
	t.Helper()
	resp, data, err := tg.do(t, http.MethodPost, path, body, nil)
	if err != nil {
		t.Fatalf("%s: POST %s: %v", tg.name, path, err)
	}
	return resp, data
}

// chat sends a non-streaming chat request that must succeed.
func (tg target) chat(t *testing.T, body map[string]any) map[string]any {
	t.Helper()
	resp, data := tg.post(t, "/chat/completions", body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d: %s", tg.name, resp.StatusCode, data)
	}
	return decodeObject(t, data)
}

// streamChat sends a streaming chat request that must succeed and returns
// its chunks (parsed) and the raw body.
func (tg target) streamChat(t *testing.T, body map[string]any) ([]map[string]any, string) {
	t.Helper()
	body = withStream(body)
	resp, data := tg.post(t, "/chat/completions", body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d: %s", tg.name, resp.StatusCode, data)
	}
	events, done := sseData(t, string(data))
	if !done {
		t.Fatalf("%s: stream has no [DONE]:\n%s", tg.name, data)
	}
	chunks := make([]map[string]any, len(events))
	for i, e := range events {
		chunks[i] = decodeObject(t, []byte(e))
	}
	return chunks, string(data)
}

func withStream(body map[string]any) map[string]any {
	out := make(map[string]any, len(body)+1)
	for k, v := range body {
		out[k] = v
	}
	out["stream"] = true
	return out
}

// sseData splits an SSE body into its data payloads and reports whether it
// ended with [DONE]. It checks the framing: only "data: " lines, each event
// followed by a blank line.
func sseData(t *testing.T, body string) (events []string, done bool) {
	t.Helper()
	if body != "" && !strings.HasSuffix(body, "\n\n") {
		t.Errorf("stream does not end with a blank line: %q", tail(body))
	}
	for _, ev := range strings.Split(strings.TrimSuffix(body, "\n\n"), "\n\n") {
		if ev == "" {
			continue
		}
		payload, ok := strings.CutPrefix(ev, "data: ")
		if !ok || strings.Contains(payload, "\n") {
			t.Errorf("not a single data line: %q", ev)
			continue
		}
		if payload == "[DONE]" {
			done = true
			continue
		}
		if done {
			t.Errorf("event after [DONE]: %q", payload)
		}
		events = append(events, payload)
	}
	return events, done
}

// readEvents reads data payloads from a live stream until it ends, and
// returns the read error that ended it (nil after [DONE]).
func readEvents(r io.Reader) ([]string, error) {
	var events []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if payload, ok := strings.CutPrefix(line, "data: "); ok {
			if payload == "[DONE]" {
				return events, nil
			}
			events = append(events, payload)
		}
	}
	if err := sc.Err(); err != nil {
		return events, err
	}
	return events, io.EOF // ended without [DONE]
}

func tail(s string) string {
	if len(s) > 80 {
		return s[len(s)-80:]
	}
	return s
}

func decodeObject(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, data)
	}
	return m
}

// path reads a value by a dotted path with numeric array indexes.
func path(v any, p string) any {
	for _, part := range strings.Split(p, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[part]
		case []any:
			i := 0
			for _, c := range part {
				i = i*10 + int(c-'0')
			}
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func num(t *testing.T, v any) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("not a number: %#v", v)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatalf("not an integer: %v", n)
	}
	return i
}

// keyPaths lists the key paths of a JSON value: "choices[].message.role".
func keyPaths(v any) []string {
	set := map[string]bool{}
	var walk func(v any, prefix string)
	walk = func(v any, prefix string) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				set[p] = true
				walk(c, p)
			}
		case []any:
			for _, c := range x {
				walk(c, prefix+"[]")
			}
		}
	}
	walk(v, "")
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// sameKeys checks that got has exactly the key paths of want, except for
// the paths in extra that got may have and want may lack.
func sameKeys(t *testing.T, what string, got, want any, extra ...string) {
	t.Helper()
	g, w := keyPaths(got), keyPaths(want)
	allowed := map[string]bool{}
	for _, e := range extra {
		allowed[e] = true
	}
	have := map[string]bool{}
	for _, p := range g {
		have[p] = true
	}
	for _, p := range w {
		if !have[p] && !allowed[p] {
			t.Errorf("%s: missing %q (recorded API has it)", what, p)
		}
	}
	wantSet := map[string]bool{}
	for _, p := range w {
		wantSet[p] = true
	}
	for _, p := range g {
		if !wantSet[p] && !allowed[p] {
			t.Errorf("%s: unexpected %q (recorded API lacks it)", what, p)
		}
	}
}

// accumulate folds parsed chunks into per-choice content, tool calls and
// finish reasons, the way a client does.
type accumulated struct {
	content map[int]string
	calls   map[int]map[int]*call
	finish  map[int]string
	usage   map[string]any
}

type call struct{ id, name, args string }

func accumulate(t *testing.T, chunks []map[string]any) accumulated {
	t.Helper()
	a := accumulated{content: map[int]string{}, calls: map[int]map[int]*call{}, finish: map[int]string{}}
	for _, c := range chunks {
		if u, ok := c["usage"].(map[string]any); ok {
			a.usage = u
		}
		for _, chv := range c["choices"].([]any) {
			ch := chv.(map[string]any)
			i := int(num(t, ch["index"]))
			d := ch["delta"].(map[string]any)
			if s, ok := d["content"].(string); ok {
				a.content[i] += s
			}
			if tcs, ok := d["tool_calls"].([]any); ok {
				if a.calls[i] == nil {
					a.calls[i] = map[int]*call{}
				}
				for _, tcv := range tcs {
					tc := tcv.(map[string]any)
					k := int(num(t, tc["index"]))
					cl := a.calls[i][k]
					if cl == nil {
						cl = &call{}
						a.calls[i][k] = cl
					}
					if id := str(tc["id"]); id != "" {
						cl.id = id
					}
					fn := tc["function"].(map[string]any)
					if n := str(fn["name"]); n != "" {
						cl.name = n
					}
					cl.args += str(fn["arguments"])
				}
			}
			if f, ok := ch["finish_reason"].(string); ok {
				a.finish[i] = f
			}
		}
	}
	return a
}

func userMsg(text string) []any {
	return []any{map[string]any{"role": "user", "content": text}}
}

// isCut reports whether err is what a reader sees when the server cut the
// connection mid-body.
func isCut(err error) bool {
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		strings.Contains(err.Error(), "unexpected EOF") || strings.Contains(err.Error(), "connection reset")
}
