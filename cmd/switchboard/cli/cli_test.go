package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/cmd/switchboard/cli"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine to write while
// the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe runs `switchboard serve` in-process on a free port and returns
// its base URL and data directory.
func startServe(t *testing.T, extraArgs ...string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("SWITCHBOARD_DATA_DIR", dir)
	t.Setenv("SWITCHBOARD_ADMIN_KEY", "")
	t.Setenv("OPENAI_API_KEY", "")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	args := append([]string{"serve", "--addr", "127.0.0.1:0"}, extraArgs...)
	go func() { done <- cli.Run(ctx, args, &stdout, &stderr) }()
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
			return m[1], dir
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d: %s", code, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not start: %s", stderr.String())
	return "", ""
}

func runCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := cli.Run(context.Background(), args, &stdout, &stderr)
	return stdout.String(), stderr.String(), code
}

func chat(t *testing.T, url, key string) int {
	t.Helper()
	body := `{"model":"demo","messages":[{"role":"user","content":"hello"}]}`
	req, _ := http.NewRequest(http.MethodPost, url+"/v1/chat/completions", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func TestServeGeneratesAdminKeyAndKeysLifecycle(t *testing.T) {
	url, dir := startServe(t)

	info, err := os.Stat(filepath.Join(dir, "admin.key"))
	if err != nil {
		t.Fatalf("admin key file: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("admin.key mode %v, want 0600", info.Mode().Perm())
	}

	t.Setenv("SWITCHBOARD_URL", url)
	out, errOut, code := runCLI(t, "keys", "create", "--name", "cli-test")
	if code != 0 {
		t.Fatalf("keys create: %d %s", code, errOut)
	}
	secret := regexp.MustCompile(`sk-sb-[0-9A-Za-z]+`).FindString(out)
	id := regexp.MustCompile(`key_[0-9A-Za-z]+`).FindString(out)
	if secret == "" || id == "" {
		t.Fatalf("keys create printed %q", out)
	}
	if got := chat(t, url, secret); got != http.StatusOK {
		t.Fatalf("chat with new key: %d", got)
	}

	out, _, code = runCLI(t, "keys", "list", "--json")
	if code != 0 || !strings.Contains(out, id) || strings.Contains(out, secret) {
		t.Fatalf("keys list: %d %q", code, out)
	}
	var listed struct {
		Keys []struct{ ID string } `json:"keys"`
	}
	if err := json.Unmarshal([]byte(out), &listed); err != nil || len(listed.Keys) != 1 {
		t.Fatalf("keys list --json: %v %q", err, out)
	}

	if _, errOut, code = runCLI(t, "keys", "revoke", id); code != 0 {
		t.Fatalf("keys revoke: %s", errOut)
	}
	if got := chat(t, url, secret); got != http.StatusUnauthorized {
		t.Fatalf("chat with revoked key: %d, want 401", got)
	}
	out, _, _ = runCLI(t, "keys", "get", id)
	if !strings.Contains(out, "revoked") {
		t.Errorf("keys get after revoke: %q", out)
	}
}

func TestKeysCommandsNeedAdminKey(t *testing.T) {
	url, _ := startServe(t)
	t.Setenv("SWITCHBOARD_URL", url)
	t.Setenv("SWITCHBOARD_ADMIN_KEY", "sk-sbadmin-wrong")
	_, errOut, code := runCLI(t, "keys", "list")
	if code == 0 || !strings.Contains(strings.ToLower(errOut), "unauthenticated") {
		t.Fatalf("keys list with a wrong admin key: %d %q", code, errOut)
	}
	if strings.Contains(errOut, "sk-sbadmin-wrong") {
		t.Errorf("error output leaks the admin key: %q", errOut)
	}
}

func TestEnvAdminKeyWins(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SWITCHBOARD_DATA_DIR", dir)
	t.Setenv("SWITCHBOARD_ADMIN_KEY", "sk-sbadmin-from-the-environment-0123456789")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- cli.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, &stdout, &stderr) }()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stdout.String(), "listening on") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if _, err := os.Stat(filepath.Join(dir, "admin.key")); !os.IsNotExist(err) {
		t.Errorf("admin.key written although SWITCHBOARD_ADMIN_KEY is set (err %v)", err)
	}
	if strings.Contains(stdout.String()+stderr.String(), "from-the-environment") {
		t.Error("the admin key was printed")
	}
}

func TestInvalidConfigFailsNamingTheField(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(path, []byte("deployments:\n  d:\n    provider: ghost\n    model: m\n"), 0o600)
	t.Setenv("SWITCHBOARD_DATA_DIR", t.TempDir())
	_, errOut, code := runCLI(t, "serve", "--addr", "127.0.0.1:0", "--config", path)
	if code != 1 || !strings.Contains(errOut, "deployments.d.provider") {
		t.Fatalf("code %d stderr %q", code, errOut)
	}
}

func TestUsageErrors(t *testing.T) {
	if _, _, code := runCLI(t); code != 2 {
		t.Errorf("no args: code %d", code)
	}
	if _, errOut, code := runCLI(t, "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Errorf("unknown command: %d %q", code, errOut)
	}
	if _, _, code := runCLI(t, "serve", "--no-such-flag"); code != 2 {
		t.Errorf("bad flag: code %d", code)
	}
	if out, _, code := runCLI(t, "version"); code != 0 || !strings.HasPrefix(out, "switchboard ") {
		t.Errorf("version: %d %q", code, out)
	}
}
