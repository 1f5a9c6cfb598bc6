package e2e_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
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

// maxBody is the body limit the test gateway runs with, small enough to
// exceed cheaply.
const maxBody = 256 << 10

// gw is a running gateway wired as "switchboard serve" wires it.
type gw struct {
	url      string // http://127.0.0.1:port
	adminKey string
	h2c      *http.Client // HTTP/2 without TLS, for gRPC
	http1    *http.Client
}

func startGateway(t *testing.T) *gw {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	// No environment: the test must not depend on OPENAI_API_KEY being set.
	noEnv := func(string) (string, bool) { return "", false }
	cfg, err := config.Load("", noEnv)
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
		Core:         core,
		Keys:         auth.NewKeys(st, serverSecret, auth.WithAdmin(admin)),
		Admin:        admin,
		MaxBodyBytes: maxBody,
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
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
		http1:    &http.Client{Transport: &http.Transport{}},
	}
	serveCtx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(serveCtx, ln) }()
	t.Cleanup(func() {
		g.h2c.CloseIdleConnections()
		g.http1.CloseIdleConnections()
		stop()
		select {
		case err := <-served:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(time.Minute):
			t.Error("server did not shut down")
		}
		_ = st.Close()
	})
	return g
}

// createKey calls AdminService/CreateKey the way the README does: a Connect
// JSON POST with the admin key, and returns the key id and secret.
func (g *gw) createKey(t *testing.T, name string) (id, secret string) {
	t.Helper()
	body := `{"name":` + quote(name) + `}`
	resp := g.post(t, "/switchboard.v1.AdminService/CreateKey", g.adminKey, "application/json", body)
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("CreateKey: %d %s", resp.StatusCode, b)
	}
	var out struct {
		Key struct {
			ID string `json:"id"`
		} `json:"key"`
		Secret string `json:"secret"`
	}
	if err := json.Unmarshal(b, &out); err != nil || out.Secret == "" || out.Key.ID == "" {
		// The body is not printed: it may hold a secret.
		t.Fatalf("CreateKey answered without a key id or secret (%v)", err)
	}
	if !strings.HasPrefix(out.Secret, "sk-sb-") {
		t.Fatalf("secret does not start with sk-sb-")
	}
	return out.Key.ID, out.Secret
}

// revokeKey calls AdminService/RevokeKey over Connect JSON.
func (g *gw) revokeKey(t *testing.T, id string) {
	t.Helper()
	resp := g.post(t, "/switchboard.v1.AdminService/RevokeKey", g.adminKey, "application/json", `{"id":`+quote(id)+`}`)
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("RevokeKey: %d %s", resp.StatusCode, b)
	}
}

// post sends body with key as a bearer token (none when key is "").
func (g *gw) post(t *testing.T, path, key, contentType, body string) *http.Response {
	t.Helper()
	return g.do(t, http.MethodPost, path, key, contentType, body)
}

func (g *gw) do(t *testing.T, method, path, key, contentType, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, g.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := g.http1.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
