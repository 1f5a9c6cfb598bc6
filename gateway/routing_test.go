package gateway_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-gw/switchboard/gateway"
	"github.com/switchboard-gw/switchboard/gateway/config"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/sim"
	"github.com/switchboard-gw/switchboard/router"
)

func parse(t *testing.T, yml string, env ...string) *config.Config {
	t.Helper()
	m := map[string]string{}
	for i := 0; i+1 < len(env); i += 2 {
		m[env[i]] = env[i+1]
	}
	cfg, err := config.Parse([]byte(yml), func(k string) (string, bool) { v, ok := m[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// A credential pool through the real OpenAI translator: the upstream
// rate-limits the first key, the request moves to the second key of the
// same deployment, and the other deployment is not needed.
func TestCredentialPoolMovesToTheNextKey(t *testing.T) {
	limited := sim.New(sim.Options{Faults: []sim.FaultRule{{Probability: 1, Fault: sim.Fault{Status: 429}}}})
	healthy := sim.New(sim.Options{})
	var mu sync.Mutex
	seen := map[string]int{}
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		mu.Lock()
		seen[key]++
		mu.Unlock()
		if key == "key-one" {
			limited.ServeHTTP(w, r)
			return
		}
		healthy.ServeHTTP(w, r)
	}))
	defer upstream.Close()
	cfg := parse(t, `
defaults: {demo: false, env_providers: false}
providers:
  up: {kind: openai, vendor: openai, base_url: `+upstream.URL+`/v1, connect_timeout: 2s}
  other: {kind: sim}
deployments:
  pooled: {provider: up, model: m, api_keys: [env:K1, env:K2]}
  spare: {provider: other, model: m}
aliases:
  chat: {deployments: [pooled, spare]}
`, "K1", "key-one", "K2", "key-two")
	var attempts []llm.Attempt
	var amu sync.Mutex
	gw, err := gateway.New(cfg, gateway.WithObserver(func(_ context.Context, a llm.Attempt) {
		amu.Lock()
		attempts = append(attempts, a)
		amu.Unlock()
	}))
	if err != nil {
		t.Fatal(err)
	}
	for range 4 {
		resp, err := gw.Complete(context.Background(), anyKey, userReq("chat", "hi"))
		if err != nil {
			t.Fatal(err)
		}
		if resp.Deployment != "pooled" {
			t.Fatalf("served by %s", resp.Deployment)
		}
	}
	if seen["key-two"] != 4 || seen["key-one"] == 0 {
		t.Errorf("keys used: %v", seen)
	}
	for _, a := range attempts {
		if a.Outcome == llm.OutcomeFailed && (a.ErrorKind != llm.KindRateLimited || a.Status != 429) {
			t.Errorf("attempt %+v", a)
		}
	}
	ds, _ := gw.RoutingStatus()
	for _, d := range ds {
		if d.Name == "pooled" && (d.Keys != 2 || d.Breaker != router.BreakerClosed) {
			t.Errorf("pooled %+v", d)
		}
	}
}

const breakingConfig = `
defaults: {demo: false, env_providers: false}
providers:
  down: {kind: sim, sim: {faults: [{probability: 1, fault: "status=503"}]}}
  up: {kind: sim}
deployments:
  a: {provider: down, model: m, breaker: {consecutive_failures: 1, open_for: 1h}}
  b: {provider: up, model: m}
aliases:
  chat: {deployments: [a, b]}
`

// A reload keeps what the router learned: the open breaker stays open.
func TestReloadKeepsDeploymentHealth(t *testing.T) {
	cfg := parse(t, breakingConfig)
	gw, err := gateway.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gw.Complete(context.Background(), anyKey, userReq("chat", "hi")); err != nil {
		t.Fatal(err)
	}
	before := gw.Router()
	if err := gw.Reload(parse(t, breakingConfig)); err != nil {
		t.Fatal(err)
	}
	if gw.Router() == before {
		t.Fatal("the router was not replaced")
	}
	_, aliases := gw.RoutingStatus()
	if len(aliases) != 1 || !aliases[0].Degraded() {
		t.Errorf("after reload: %+v", aliases)
	}
}

// A configuration that cannot be built leaves the running one in place.
func TestReloadFailureKeepsTheRouter(t *testing.T) {
	gw, err := gateway.New(parse(t, breakingConfig))
	if err != nil {
		t.Fatal(err)
	}
	before := gw.Router()
	bad := parse(t, `
defaults: {demo: false, env_providers: false}
providers:
  v: {kind: openai, api_key: "vault:secret/data/llm#key"}
deployments:
  x: {provider: v, model: m}
aliases:
  chat: {deployments: [x]}
`, "VAULT_ADDR", "http://127.0.0.1:1", "VAULT_TOKEN", "t")
	if err := gw.Reload(bad); err == nil {
		t.Fatal("a configuration with an unresolvable key was applied")
	}
	if gw.Router() != before {
		t.Fatal("the router changed")
	}
}
