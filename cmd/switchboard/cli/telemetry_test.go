package cli_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/cmd/switchboard/cli"
)

// serveWithConfig runs `switchboard serve` with the configuration yml and
// returns its URL, its stderr (the log) and the admin key.
func serveWithConfig(t *testing.T, yml string) (string, *syncBuffer, string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "switchboard.yaml")
	if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	const admin = "sk-sbadmin-telemetry-test-0123456789abcdef"
	t.Setenv("SWITCHBOARD_DATA_DIR", dir)
	t.Setenv("SWITCHBOARD_ADMIN_KEY", admin)
	t.Setenv("SWITCHBOARD_LOG_LEVEL", "")
	t.Setenv("OPENAI_API_KEY", "")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--config", path}, &stdout, &stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exited %d: %s", code, stderr.String())
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not shut down")
		}
	})
	re := regexp.MustCompile(`listening on (http://\S+)`)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(stdout.String()); m != nil {
			return m[1], &stderr, admin
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d: %s", code, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not start: %s", stderr.String())
	return "", nil, ""
}

func fetch(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// By default /metrics is on the main listener without a key, and the log
// format comes from the configuration file, with one access record per
// request.
func TestServeExposesMetricsAndAccessLogByDefault(t *testing.T) {
	url, logs, admin := serveWithConfig(t, "telemetry: {logs: {format: json}}\n")
	key := issueKey(t, url)
	if code := chat(t, url, key); code != http.StatusOK {
		t.Fatalf("chat: %d", code)
	}
	code, body := fetch(t, url+"/metrics")
	if code != http.StatusOK || !strings.Contains(body, `switchboard_requests_total{alias="demo"`) || !strings.Contains(body, "gen_ai_client_token_usage_sum") {
		t.Fatalf("/metrics: %d\n%s", code, body)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(logs.String(), `"msg":"access"`) || !strings.Contains(logs.String(), `"path":"/v1/chat/completions"`) {
		if time.Now().After(deadline) {
			t.Fatalf("no JSON access record for the chat:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if strings.Contains(logs.String(), key) || strings.Contains(logs.String(), admin) || strings.Contains(body, key) {
		t.Fatal("a secret reached the log or the metrics")
	}
}

// With telemetry.metrics.addr, /metrics moves to its own listener.
func TestServeMovesMetricsToTheirOwnAddress(t *testing.T) {
	url, logs, _ := serveWithConfig(t, "telemetry: {metrics: {addr: \"127.0.0.1:0\", path: /prom}, logs: {access_log: false}}\n")
	if code, _ := fetch(t, url+"/prom"); code != http.StatusNotFound {
		t.Errorf("metrics still on the main listener: %d", code)
	}
	m := regexp.MustCompile(`metrics_addr=(\S+)`).FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("no metrics address logged:\n%s", logs.String())
	}
	if code, body := fetch(t, "http://"+m[1]+"/prom"); code != http.StatusOK || !strings.Contains(body, "switchboard_deployment_breaker_state") {
		t.Fatalf("metrics listener: %d\n%s", code, body)
	}
}

// issueKey issues a virtual key with the CLI, as an operator does.
func issueKey(t *testing.T, url string) string {
	t.Helper()
	out, errOut, code := runCLI(t, "keys", "create", "--name", "telemetry", "--url", url)
	if code != 0 {
		t.Fatalf("keys create: %d %s", code, errOut)
	}
	m := regexp.MustCompile(`sk-sb-[A-Za-z0-9_-]+`).FindString(out)
	if m == "" {
		t.Fatal("keys create printed no secret")
	}
	return m
}
