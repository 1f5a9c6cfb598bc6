package e2e_test

import (
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/gateway"
	"github.com/switchboard-gw/switchboard/gateway/config"
)

// reloadConfig serves alias "chat" from deployment dep; streams are slow
// enough (a chunk every 2ms) to be in flight across reloads.
func reloadConfig(dep string) string {
	return `
defaults: {demo: false, env_providers: false}
providers:
  sim-a: {kind: sim, sim: {inter_chunk_delay: 2ms}}
  sim-b: {kind: sim, dialect: anthropic, sim: {inter_chunk_delay: 2ms}}
deployments:
  a: {provider: sim-a, model: m}
  b: {provider: sim-b, model: m}
aliases:
  chat: {deployments: [` + dep + `]}
  only-` + dep + `: {deployments: [` + dep + `]}
`
}

// Reloading the configuration under load drops no request: requests and
// streams in flight finish on the router they started with, new ones use
// the new one, and an invalid file is rejected while the old
// configuration keeps serving.
func TestHotReloadUnderLoadDropsNoRequest(t *testing.T) {
	r := startRouted(t, reloadConfig("a"))
	w := gateway.NewWatcher(r.core, r.path, nil, func(string) (string, bool) { return "", false }, slog.New(slog.NewTextHandler(io.Discard, nil)))

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var total, failed atomic.Int64
	var firstErr atomic.Value
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				res := chaosRequest(r, "chat", i%2 == 0)
				total.Add(1)
				if res.status != http.StatusOK || res.err != "" {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, res.err)
				}
			}
		}()
	}
	deps := []string{"b", "a"}
	for i := range 10 {
		time.Sleep(20 * time.Millisecond)
		dep := deps[i%2]
		writeConfig(t, r.path, reloadConfig(dep))
		if changed, err := w.Check(); !changed || err != nil {
			t.Fatalf("reload %d: changed %v err %v", i, changed, err)
		}
		if i == 5 {
			// An invalid file: rejected, the running configuration stays.
			writeConfig(t, r.path, strings.Replace(reloadConfig("b"), "provider: sim-b", "provider: sim-nope", 1))
			if _, err := w.Check(); err == nil || !strings.Contains(err.Error(), "deployments.b.provider") {
				t.Fatalf("invalid file: %v", err)
			}
			if got := servedBy(t, r, "chat"); got != dep {
				t.Fatalf("after an invalid file chat is served by %q, want %q", got, dep)
			}
		}
	}
	time.Sleep(20 * time.Millisecond)
	close(stop)
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d of %d requests failed during reloads; first: %v", failed.Load(), total.Load(), firstErr.Load())
	}
	if got := servedBy(t, r, "chat"); got != "a" {
		t.Errorf("after the last reload chat is served by %q", got)
	}
	// The aliases of the last configuration only.
	resp := r.shimChat(t, "only-b", "hi", false)
	_, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("an alias removed by a reload answered %d", resp.StatusCode)
	}
	t.Logf("%d requests during 10 reloads and 1 rejected file, none failed", total.Load())
}

func servedBy(t *testing.T, r *routed, alias string) string {
	t.Helper()
	resp := r.shimChat(t, alias, "hi", false)
	_, _ = io.ReadAll(resp.Body)
	return resp.Header.Get("X-Switchboard-Deployment")
}

// writeConfig replaces the file the way editors and config management do:
// a new file renamed over the old one.
func writeConfig(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), fs.FileMode(0o600)); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// The watcher notices a change of the file by itself.
func TestWatcherPollsTheFile(t *testing.T) {
	r := startRouted(t, reloadConfig("a"))
	cfg, err := config.Load(r.path, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := gateway.NewWatcher(r.core, r.path, cfg, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := t.Context()
	go w.Run(ctx, nil, 10*time.Millisecond)
	writeConfig(t, r.path, reloadConfig("b"))
	deadline := time.Now().Add(10 * time.Second)
	for servedBy(t, r, "chat") != "b" {
		if time.Now().After(deadline) {
			t.Fatal("the change was not picked up")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
