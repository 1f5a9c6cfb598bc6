package vault_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/secrets/vault"
	"github.com/switchboard-gw/switchboard/secrets/vault/vaulttest"
)

// dev is one dev server shared by the tests of this package (each test
// uses its own secret paths); nil when no vault binary is configured.
var dev *vaulttest.Server

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if bin := os.Getenv(vaulttest.EnvBinary); bin != "" {
		dir, err := os.MkdirTemp("", "vault-dev-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		if dev, err = vaulttest.NewDev(bin, dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer dev.Close()
	}
	return m.Run()
}

// devServer returns the shared dev server or skips t.
func devServer(t *testing.T) *vaulttest.Server {
	t.Helper()
	if dev == nil {
		vaulttest.Binary(t) // skips with the explanation
	}
	return dev
}

// logs collects what a resolver logs, safely from its renewal goroutine.
type logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logs) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// newResolver starts a resolver on cfg (its logs in the returned logs) and
// closes it at the end of t.
func newResolver(t *testing.T, cfg vault.Config) (*vault.Resolver, *logs) {
	t.Helper()
	l := &logs{}
	cfg.Logger = l.logger()
	r, err := vault.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r, l
}

// secretValue returns a distinct, recognizable fake provider key.
func secretValue(t *testing.T) string {
	t.Helper()
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "sk-test-" + hex.EncodeToString(b)
}

// uniqueName returns a secret name no other test uses.
func uniqueName(t *testing.T) string {
	return "switchboard/" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))
}

// assertNoSecret fails when any of the values appears in text.
func assertNoSecret(t *testing.T, what, text string, values ...string) {
	t.Helper()
	for _, v := range values {
		if v != "" && strings.Contains(text, v) {
			t.Errorf("%s contains a secret value", what)
		}
	}
}

func resolve(t *testing.T, r *vault.Resolver, ref string) string {
	t.Helper()
	v, err := r.Resolve(context.Background(), ref)
	if err != nil {
		t.Fatalf("Resolve(%s): %v", ref, err)
	}
	return v
}

// eventually polls f until it returns true or a generous bound passes.
func eventually(t *testing.T, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
