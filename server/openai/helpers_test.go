package openai_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/server/internal/servertest"
	"github.com/switchboard-gw/switchboard/server/openai"
)

type shim struct {
	url  string
	auth *servertest.Auth
	core *servertest.Core
}

func newShim(t *testing.T, core *servertest.Core, maxBody int64) *shim {
	t.Helper()
	a := servertest.NewAuth(t)
	srv := httptest.NewServer(openai.NewHandler(openai.Options{Core: core, Keys: a.Keys, MaxBodyBytes: maxBody}))
	t.Cleanup(srv.Close)
	return &shim{url: srv.URL, auth: a, core: core}
}

// do sends a request with the shim's virtual key (unless key is given).
func (s *shim) do(t *testing.T, method, path, body string, key ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	k := s.auth.Secret
	if len(key) > 0 {
		k = key[0]
	}
	if k != "" {
		req.Header.Set("Authorization", "Bearer "+k)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

type errorBody struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    *string `json:"code"`
	} `json:"error"`
}

// wantError checks an OpenAI-shaped error response.
func wantError(t *testing.T, resp *http.Response, status int, typ, code string) errorBody {
	t.Helper()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d; body %s", resp.StatusCode, status, b)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("content-type %q", ct)
	}
	var e errorBody
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("body is not an OpenAI error: %s", b)
	}
	if e.Error.Type != typ || e.Error.Message == "" {
		t.Fatalf("error %s: want type %s", b, typ)
	}
	if code != "" && (e.Error.Code == nil || *e.Error.Code != code) {
		t.Fatalf("error %s: want code %s", b, code)
	}
	return e
}

// events reads an SSE body into its data payloads, in order.
func events(t *testing.T, body io.Reader) []string {
	t.Helper()
	var out []string
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			t.Fatalf("unexpected SSE line %q", line)
		}
		out = append(out, data)
	}
	return out
}
