package sim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/providers/sim"
)

// gemTarget reaches a simulator's Gemini dialect in memory.
type gemTarget struct {
	srv    *sim.Server
	client *http.Client
}

func newGemTarget(t *testing.T, opts sim.Options) gemTarget {
	t.Helper()
	s := sim.New(opts)
	return gemTarget{srv: s, client: &http.Client{Transport: s.Transport()}}
}

// do sends a request to a path under http://sim/ and returns the response
// with its body read.
func (g gemTarget) do(t *testing.T, method, path string, body any, header http.Header) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
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
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := g.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil && !isCut(err) {
		t.Fatal(err)
	}
	return resp, data
}

func gemPath(model, method string) string {
	p := "/v1beta/models/" + model + ":" + method
	if method == "streamGenerateContent" {
		p += "?alt=sse"
	}
	return p
}

// generate sends a generateContent request that must succeed.
func (g gemTarget) generate(t *testing.T, model string, body any) map[string]any {
	t.Helper()
	resp, data := g.do(t, http.MethodPost, gemPath(model, "generateContent"), body, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, data)
	}
	return decodeObject(t, data)
}

// stream sends an alt=sse request that must succeed and returns its chunks
// and raw body.
func (g gemTarget) stream(t *testing.T, model string, body any) ([]map[string]any, string) {
	t.Helper()
	resp, data := g.do(t, http.MethodPost, gemPath(model, "streamGenerateContent"), body, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, data)
	}
	events := gemEvents(t, string(data))
	chunks := make([]map[string]any, len(events))
	for i, e := range events {
		chunks[i] = decodeObject(t, []byte(e))
	}
	return chunks, string(data)
}

// gemEvents splits an alt=sse body into its data payloads, checking the
// framing: "data: " lines, CRLF separators, nothing else.
func gemEvents(t *testing.T, body string) []string {
	t.Helper()
	if !strings.HasSuffix(body, "\r\n\r\n") {
		t.Fatalf("the stream does not end with CRLF CRLF: %q", tail(body))
	}
	var out []string
	for _, ev := range strings.Split(strings.TrimSuffix(body, "\r\n\r\n"), "\r\n\r\n") {
		data, ok := strings.CutPrefix(ev, "data: ")
		if !ok || strings.ContainsAny(data, "\r\n") {
			t.Fatalf("event is not one data line: %q", ev)
		}
		out = append(out, data)
	}
	return out
}

func gemUser(text string) map[string]any {
	return map[string]any{"role": "user", "parts": []any{map[string]any{"text": text}}}
}

func gemRequest(contents ...map[string]any) map[string]any {
	list := make([]any, len(contents))
	for i, c := range contents {
		list[i] = c
	}
	return map[string]any{"contents": list}
}

// candidateText joins the non-thought text parts of candidate i.
func candidateText(resp map[string]any, i int) string {
	var b strings.Builder
	parts, _ := path(resp, "candidates."+itoa(i)+".content.parts").([]any)
	for _, p := range parts {
		pm := p.(map[string]any)
		if pm["thought"] == true {
			continue
		}
		b.WriteString(str(pm["text"]))
	}
	return b.String()
}

var (
	stringValue = regexp.MustCompile(`: "(?:[^"\\]|\\.)*"`)
	numberValue = regexp.MustCompile(`: -?[0-9][0-9.eE+-]*`)
)

// skeleton replaces the values of a one-line Gemini chunk, keeping its keys,
// punctuation and spacing, so two chunks can be compared byte for byte.
func skeleton(s string) string {
	s = stringValue.ReplaceAllString(s, `: "…"`)
	return numberValue.ReplaceAllString(s, ": 0")
}

// prettyLayout is the layout Google gives unary bodies: two-space indents,
// ": " after keys, one member per line, a trailing newline.
func prettyLayout(t *testing.T, body []byte) string {
	t.Helper()
	var compact, indented bytes.Buffer
	if err := json.Compact(&compact, body); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if err := json.Indent(&indented, compact.Bytes(), "", "  "); err != nil {
		t.Fatal(err)
	}
	return indented.String() + "\n"
}
