package e2e_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/gateway"
	"github.com/switchboard-gw/switchboard/gateway/config"
	"github.com/switchboard-gw/switchboard/server"
	"github.com/switchboard-gw/switchboard/store/sqlite"
)

// routed is a running gateway built from a routing configuration, with a
// virtual key.
type routed struct {
	*gw
	core   *gateway.Gateway
	secret string
	path   string // the configuration file
}

// startRouted runs the real gateway, server and key store on a loopback
// port with the YAML configuration yml (written to a file, so that tests
// can reload it). The demo aliases are off: every alias is the test's.
func startRouted(t *testing.T, yml string) *routed {
	t.Helper()
	return startRoutedEnv(t, yml, func(string) (string, bool) { return "", false })
}

// startRoutedEnv is startRouted with env: references resolved by lookupEnv.
func startRoutedEnv(t *testing.T, yml string, lookupEnv func(string) (string, bool)) *routed {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "switchboard.yaml")
	if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, lookupEnv)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	core, err := gateway.New(cfg)
	if err != nil {
		t.Fatalf("gateway: %v", err)
	}
	adminKey, _, _, err := auth.LoadAdminKey(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	serverSecret, err := auth.LoadOrCreateServerSecret(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir, "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	admin := auth.NewAdmin(adminKey)
	srv, err := server.New(server.Options{
		Core:   core,
		Keys:   auth.NewKeys(st, serverSecret, auth.WithAdmin(admin)),
		Admin:  admin,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	g := &gw{
		url:      "http://" + ln.Addr().String(),
		adminKey: adminKey,
		h2c:      &http.Client{Transport: &http.Transport{Protocols: &p}},
		http1:    &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}},
	}
	serveCtx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(serveCtx, ln) }()
	t.Cleanup(func() {
		g.h2c.CloseIdleConnections()
		g.http1.CloseIdleConnections()
		stop()
		select {
		case <-served:
		case <-time.After(time.Minute):
			t.Error("server did not shut down")
		}
		_ = st.Close()
	})
	_, secret := g.createKey(t, "routing")
	return &routed{gw: g, core: core, secret: secret, path: path}
}

// chatBody is a shim chat request for model with one user message.
func chatBody(model, text string, stream bool) string {
	b, _ := json.Marshal(map[string]any{
		"model":    model,
		"messages": []map[string]string{{"role": "user", "content": text}},
		"stream":   stream,
	})
	return string(b)
}

// shimChat posts a chat completion to the shim; the caller reads the body.
func (r *routed) shimChat(t *testing.T, model, text string, stream bool) *http.Response {
	t.Helper()
	return r.post(t, "/v1/chat/completions", r.secret, "application/json", chatBody(model, text, stream))
}

// sseEvent is one "data:" payload of a shim stream.
type sseEvent struct {
	raw   string
	chunk struct {
		ID      string `json:"id"`
		Choices []struct {
			Delta struct {
				Role    string `json:"role"`
				Content string `json:"content"`
			} `json:"delta"`
			FinishReason *string `json:"finish_reason"`
		} `json:"choices"`
		Error *struct {
			Message string `json:"message"`
			Type    string `json:"type"`
			Code    string `json:"code"`
		} `json:"error"`
	}
}

// readSSE reads a shim stream to its end: the events, and whether it ended
// with [DONE].
func readSSE(t *testing.T, body io.Reader) (events []sseEvent, done bool) {
	t.Helper()
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			continue
		}
		if data == "[DONE]" {
			done = true
			continue
		}
		var ev sseEvent
		ev.raw = data
		if err := json.Unmarshal([]byte(data), &ev.chunk); err != nil {
			t.Fatalf("event %q: %v", data, err)
		}
		events = append(events, ev)
	}
	return events, done
}

// attemptEntries splits an x-switchboard-attempts value into entries, and
// each into its deployment and parameters.
func attemptEntries(h string) []map[string]string {
	var out []map[string]string
	for _, e := range strings.Split(h, ", ") {
		if e == "" {
			continue
		}
		parts := strings.Split(e, ";")
		m := map[string]string{"deployment": parts[0]}
		for _, p := range parts[1:] {
			k, v, _ := strings.Cut(p, "=")
			m[k] = v
		}
		out = append(out, m)
	}
	return out
}
