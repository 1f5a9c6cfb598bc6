package cli_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"syscall"
	"testing"
	"time"
)

func reloadTestConfig(aliases ...string) string {
	cfg := "routing: {reload: {watch: false}}\nproviders:\n  s: {kind: sim}\ndeployments:\n  d: {provider: s, model: m}\naliases:\n"
	for _, a := range aliases {
		cfg += "  " + a + ": {deployments: [d]}\n"
	}
	return cfg
}

func models(t *testing.T, url, key string) []string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url+"/v1/models", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data []struct{ ID string } `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range out.Data {
		ids = append(ids, m.ID)
	}
	return ids
}

// SIGHUP re-reads the configuration file; an invalid file is rejected and
// the running configuration stays.
func TestSIGHUPReloadsTheConfiguration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sb.yaml")
	if err := os.WriteFile(path, []byte(reloadTestConfig("first")), 0o600); err != nil {
		t.Fatal(err)
	}
	url, _ := startServe(t, "--config", path)
	t.Setenv("SWITCHBOARD_URL", url)
	out, errOut, code := runCLI(t, "keys", "create", "--name", "reload")
	if code != 0 {
		t.Fatalf("keys create: %s", errOut)
	}
	key := regexp.MustCompile(`sk-sb-[0-9A-Za-z]+`).FindString(out)

	waitForModels := func(want func([]string) bool) []string {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			got := models(t, url, key)
			if want(got) {
				return got
			}
			if time.Now().After(deadline) {
				t.Fatalf("models %v", got)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	// An invalid file: SIGHUP keeps the running configuration.
	if err := os.WriteFile(path, []byte(reloadTestConfig("first")+"  broken: {deployments: [nope]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if got := models(t, url, key); !slices.Contains(got, "first") || slices.Contains(got, "broken") {
		t.Fatalf("after an invalid file: %v", got)
	}

	if err := os.WriteFile(path, []byte(reloadTestConfig("first", "second")), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitForModels(func(m []string) bool { return slices.Contains(m, "second") && slices.Contains(m, "first") })
}
