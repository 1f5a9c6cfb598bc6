package gateway_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/switchboard-gw/switchboard/gateway"
	"github.com/switchboard-gw/switchboard/gateway/config"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/sim"
	"github.com/switchboard-gw/switchboard/secrets/vault/vaulttest"
)

// upstream is a simulated provider that checks its API key; rotate swaps
// in a simulator expecting a new key, as a provider does when a key is
// rolled.
type upstream struct {
	current atomic.Pointer[sim.Server]
	srv     *httptest.Server
}

func newUpstream(t *testing.T, key string) *upstream {
	u := &upstream{}
	u.rotate(key)
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.current.Load().ServeHTTP(w, r)
	}))
	t.Cleanup(u.srv.Close)
	return u
}

func (u *upstream) rotate(key string) *sim.Server {
	s := sim.New(sim.Options{APIKey: key})
	u.current.Store(s)
	return s
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// vaultGateway builds a gateway, as serve does, whose provider "upstream"
// takes its key from Vault at secretPath.
func vaultGateway(t *testing.T, v *vaulttest.Server, u *upstream, field string, logs *lockedBuffer) (*gateway.Gateway, error) {
	t.Helper()
	yaml := fmt.Sprintf(`
secrets:
  vault:
    address: %s
    token: env:VAULT_TOKEN
    cache_ttl: 1h
providers:
  upstream:
    kind: openai
    base_url: %s/v1
    api_key: vault:secret/data/switchboard/upstream#%s
deployments:
  chat: {provider: upstream, model: sim-chat}
aliases:
  chat: {deployments: [chat]}
defaults: {demo: false, env_providers: false}
`, v.Addr, u.srv.URL, field)
	cfg, err := config.Parse([]byte(yaml), env("VAULT_TOKEN", v.RootToken))
	if err != nil {
		t.Fatal(err)
	}
	creds, err := gateway.OpenSecrets(context.Background(), cfg, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = creds.Close() })
	return gateway.New(cfg, gateway.WithSecrets(creds))
}

func env(kv ...string) func(string) (string, bool) {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// A key rotated in Vault and at the provider reaches the gateway without
// a restart, and without a failed call: the provider's 401 makes the
// gateway read Vault again at once and, the key having changed, repeat
// the request. A key rotated at the provider only (Vault still holding the
// old one) fails with the provider's 401, after one extra Vault read.
func TestVaultKeyRotationReachesTheProvider(t *testing.T) {
	v := vaulttest.StartDev(t)
	oldKey, newKey, newerKey := "sk-sim-old-0123456789abcdef", "sk-sim-new-0123456789abcdef", "sk-sim-newer-0123456789abcd"
	v.PutKV(t, "switchboard/upstream", map[string]any{"api_key": oldKey})
	u := newUpstream(t, oldKey)
	logs := &lockedBuffer{}
	gw, err := vaultGateway(t, v, u, "api_key", logs)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := gw.Complete(ctx, anyKey, userReq("chat", "hello")); err != nil {
		t.Fatalf("before rotation: %v", err)
	}

	v.PutKV(t, "switchboard/upstream", map[string]any{"api_key": newKey})
	rotated := u.rotate(newKey)
	if _, err := gw.Complete(ctx, anyKey, userReq("chat", "hello after rotation")); err != nil {
		t.Fatalf("first call after rotation: %v", err)
	}
	if got := rotated.Served(); got.Requests != 2 || got.Errors != 1 {
		t.Errorf("provider saw %+v, want one 401 then one success", got)
	}

	// Streams too.
	v.PutKV(t, "switchboard/upstream", map[string]any{"api_key": newerKey})
	u.rotate(newerKey)
	s, err := gw.Stream(ctx, anyKey, userReq("chat", "stream after rotation"))
	if err != nil {
		t.Fatalf("stream after rotation: %v", err)
	}
	if _, err := llm.Collect(s); err != nil {
		t.Fatalf("stream after rotation: %v", err)
	}

	// Rotated at the provider only: the stored key is wrong, say so.
	u.rotate("sk-sim-elsewhere-0123456789ab")
	_, err = gw.Complete(ctx, anyKey, userReq("chat", "hello"))
	var le *llm.Error
	if !errors.As(err, &le) || le.Kind != llm.KindUnauthenticated || le.Provider != "upstream" {
		t.Fatalf("wrong key in Vault: %v, want the provider's 401", err)
	}
	for _, key := range []string{oldKey, newKey, newerKey, v.RootToken} {
		if strings.Contains(err.Error(), key) || strings.Contains(logs.String(), key) {
			t.Error("a key or token appears in an error or the log")
		}
	}
}

func TestMissingVaultFieldFailsTheStart(t *testing.T) {
	v := vaulttest.StartDev(t)
	v.PutKV(t, "switchboard/upstream", map[string]any{"api_key": "sk-sim-0123456789abcdef"})
	_, err := vaultGateway(t, v, newUpstream(t, "sk-sim-0123456789abcdef"), "token", &lockedBuffer{})
	want := "providers.upstream: api_key: vault: secret/data/switchboard/upstream has no field token"
	if err == nil || err.Error() != want {
		t.Fatalf("New = %v, want %q", err, want)
	}
	if strings.Contains(err.Error(), "sk-sim-0123456789abcdef") {
		t.Error("the error shows the secret")
	}
}

func TestUnreachableVaultFailsTheStart(t *testing.T) {
	cfg, err := config.Parse([]byte(`
secrets:
  vault: {address: "http://127.0.0.1:1", token: env:VAULT_TOKEN}
providers:
  upstream: {kind: openai, api_key: "vault:secret/data/switchboard/upstream#api_key"}
`), env("VAULT_TOKEN", "hvs.not-to-be-shown"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = gateway.OpenSecrets(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err == nil || !strings.HasPrefix(err.Error(), "secrets.vault: vault: checking the token:") || strings.Contains(err.Error(), "not-to-be-shown") {
		t.Fatalf("OpenSecrets = %v", err)
	}
	// Without the Vault resolver, New cannot read vault: references, and says so.
	_, err = gateway.New(cfg)
	if err == nil || !strings.Contains(err.Error(), "vault: references are not configured") {
		t.Fatalf("New without WithSecrets = %v", err)
	}
}
