package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/cmd/switchboard/cli"
	"github.com/switchboard-gw/switchboard/providers/sim"
)

// fileCollector is an OTLP/HTTP collector that appends every export it
// receives (traces and metrics, protobuf) to a file.
type fileCollector struct {
	mu    sync.Mutex
	path  string
	count map[string]int
}

func (c *fileCollector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	defer c.mu.Unlock()
	f, err := os.OpenFile(c.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err == nil {
		_, _ = f.Write(body)
		_ = f.Close()
	}
	c.count[r.URL.Path]++
	w.Header().Set("Content-Type", "application/x-protobuf")
}

func (c *fileCollector) exports(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.count[path]
}

// No secret (the admin key, a virtual key, a wrong key, the provider's key)
// appears in anything the gateway writes about itself: its log (access
// records included), its traces (exported by OTLP to a file) and its
// metrics (scraped to a file), after a workload of successes, failures
// (a refused key, a refused admin key, a provider failure) and admin calls.
// The gateway runs as `switchboard serve` does (cli.Run), with tracing on.
func TestTelemetryOutputsCarryNoSecret(t *testing.T) {
	dir := t.TempDir()
	const (
		adminKey    = "sk-sbadmin-nosecret-admin-0123456789abcdef"
		providerKey = "sk-upstream-nosecret-provider-key-42"
	)
	up := httptest.NewServer(sim.New(sim.Options{APIKey: providerKey}))
	defer up.Close()
	down := httptest.NewServer(sim.New(sim.Options{APIKey: providerKey, Faults: []sim.FaultRule{{Probability: 1, Fault: sim.Fault{Status: 503}}}}))
	defer down.Close()
	collector := &fileCollector{path: filepath.Join(dir, "otlp.bin"), count: map[string]int{}}
	otlp := httptest.NewServer(collector)
	defer otlp.Close()

	config := fmt.Sprintf(`
defaults: {demo: false, env_providers: false}
providers:
  up: {kind: openai, vendor: openai, base_url: %s/v1, api_key: env:NOSECRET_PROVIDER_KEY}
  down: {kind: openai, vendor: openai, base_url: %s/v1, api_key: env:NOSECRET_PROVIDER_KEY}
deployments:
  main: {provider: up, model: sim-chat}
  bad: {provider: down, model: sim-chat, breaker: {enabled: false}}
aliases:
  chat: {deployments: [main]}
  failing: {deployments: [bad], retry: {max_retries: 0}}
telemetry:
  traces: {enabled: true, otlp: {endpoint: %q, protocol: http, headers: {x-collector-key: env:NOSECRET_COLLECTOR_KEY}}}
  metrics: {otlp: {endpoint: %q, protocol: http, interval: 1h}}
  logs: {format: json, level: debug}
`, up.URL, down.URL, otlp.URL, otlp.URL)
	configPath := filepath.Join(dir, "switchboard.yaml")
	if err := os.WriteFile(configPath, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	const collectorKey = "collector-key-nosecret-77"
	t.Setenv("SWITCHBOARD_ADMIN_KEY", adminKey)
	t.Setenv("SWITCHBOARD_DATA_DIR", filepath.Join(dir, "data"))
	t.Setenv("SWITCHBOARD_LOG_LEVEL", "")
	t.Setenv("NOSECRET_PROVIDER_KEY", providerKey)
	t.Setenv("NOSECRET_COLLECTOR_KEY", collectorKey)

	logPath := filepath.Join(dir, "switchboard.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	var stdout lockedBuffer
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--config", configPath}, &stdout, logFile)
	}()
	var url string
	eventually(t, "the gateway listening", func() bool {
		m := regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(stdout.String())
		if m != nil {
			url = m[1]
		}
		return m != nil
	})
	g := &gw{url: url, adminKey: adminKey, http1: &http.Client{Transport: &http.Transport{}}}
	defer g.http1.CloseIdleConnections()

	// The workload: admin calls (one refused), successes, failures.
	keyID, secret := g.createKey(t, "nosecret")
	wrongKey := secret[:len(secret)-4] + "XXXX"
	wrongAdmin := adminKey[:len(adminKey)-4] + "YYYY"
	if resp := g.post(t, "/switchboard.v1.AdminService/ListKeys", wrongAdmin, "application/json", `{}`); resp.StatusCode == http.StatusOK {
		t.Fatal("a wrong admin key was accepted")
	}
	drain(g.post(t, "/switchboard.v1.AdminService/ListKeys", adminKey, "application/json", `{}`))
	for _, body := range []string{chatBody("chat", "hello", false), chatBody("chat", "a story", true)} {
		if resp := g.post(t, "/v1/chat/completions", secret, "application/json", body); resp.StatusCode != http.StatusOK {
			t.Fatalf("chat: %d", resp.StatusCode)
		} else {
			drain(resp)
		}
	}
	if resp := g.post(t, "/v1/chat/completions", secret, "application/json", chatBody("failing", "hello", false)); resp.StatusCode < 500 {
		t.Fatalf("failing alias: %d", resp.StatusCode)
	}
	if resp := g.post(t, "/v1/chat/completions", wrongKey, "application/json", chatBody("chat", "hello", false)); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong key: %d", resp.StatusCode)
	}
	resp := g.do(t, http.MethodGet, "/metrics", "", "", "")
	metrics := drain(resp)
	if err := os.WriteFile(filepath.Join(dir, "metrics.txt"), metrics, 0o600); err != nil {
		t.Fatal(err)
	}

	// Stopping the gateway flushes its spans and metrics to the collector.
	stop()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d", code)
		}
	case <-time.After(time.Minute):
		t.Fatal("serve did not stop")
	}
	if collector.exports("/v1/traces") == 0 || collector.exports("/v1/metrics") == 0 {
		t.Fatalf("the collector received %v", collector.count)
	}

	outputs := map[string][]byte{}
	for _, name := range []string{"switchboard.log", "otlp.bin", "metrics.txt"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		outputs[name] = append(b, stdout.String()...)
	}
	// The outputs do record the workload, by key id.
	if !bytes.Contains(outputs["switchboard.log"], []byte(`"key_id":"`+keyID+`"`)) || !bytes.Contains(outputs["otlp.bin"], []byte(keyID)) ||
		!bytes.Contains(outputs["metrics.txt"], []byte(`outcome="unauthenticated"`)) {
		t.Fatal("the outputs do not record the workload")
	}
	secrets := map[string]string{"admin key": adminKey, "wrong admin key": wrongAdmin, "virtual key": secret,
		"wrong virtual key": wrongKey, "provider key": providerKey, "collector key": collectorKey}
	for output, b := range outputs {
		for what, s := range secrets {
			if bytes.Contains(b, []byte(s)) || bytes.Contains(b, []byte(s[len(s)/2:])) {
				t.Errorf("the %s appears in %s", what, output)
			}
		}
	}
	if t.Failed() {
		t.Logf("outputs kept in %s", strings.TrimSpace(dir))
	}
}
