package vaulttest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
)

// EnvBinary names the environment variable holding the vault binary's path.
const EnvBinary = "SWITCHBOARD_TEST_VAULT_BIN"

// Binary returns the vault binary, or skips t when none is configured.
func Binary(t testing.TB) string {
	t.Helper()
	bin := os.Getenv(EnvBinary)
	if bin == "" {
		t.Skipf("no Vault server: set %s to a vault binary (make vault builds one; make test sets it)", EnvBinary)
	}
	return bin
}

// Server is a running Vault server.
type Server struct {
	// Addr is the server's URL, http://127.0.0.1:PORT.
	Addr string
	// RootToken is a root token (random per server).
	RootToken string

	bin       string
	dir       string
	port      int
	dev       bool
	unsealKey string
	cmd       *exec.Cmd
	exited    chan struct{}
}

// StartDev starts a dev server (in-memory storage, KV version 2 at secret/)
// for the duration of t, or skips t when no binary is configured.
func StartDev(t testing.TB) *Server {
	t.Helper()
	s, err := NewDev(Binary(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// StartFile starts a server with file storage in a temporary directory,
// initialized, unsealed, with KV version 2 at secret/. Stop and Start
// restart it with its secrets kept.
func StartFile(t testing.TB) *Server {
	t.Helper()
	s, err := NewFile(Binary(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// NewDev starts a dev server whose files (its log) live in dir. For
// TestMain, where there is no testing.TB; Close stops it.
func NewDev(bin, dir string) (*Server, error) {
	token, err := randomToken()
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin, dir: dir, dev: true, RootToken: token}
	if err := s.startOnFreePort(); err != nil {
		return nil, err
	}
	return s, nil
}

// NewFile starts a file-storage server whose data and log live in dir.
func NewFile(bin, dir string) (*Server, error) {
	s := &Server{bin: bin, dir: dir}
	if err := s.startOnFreePort(); err != nil {
		return nil, err
	}
	if err := s.initialize(); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// Client returns an API client authenticated with the root token.
func (s *Server) Client() *api.Client {
	c, err := newClient(s.Addr, s.RootToken)
	if err != nil {
		panic(err) // only a malformed address fails, and Addr is ours
	}
	return c
}

// Stop stops the server (it may be started again with Start: a dev server
// comes back empty, a file-storage server with its secrets, unsealed).
func (s *Server) Stop() error {
	if s.cmd == nil {
		return nil
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	s.cmd = nil
	return nil
}

// Start starts a stopped server again on the same address.
func (s *Server) Start() error {
	if s.cmd != nil {
		return errors.New("vaulttest: server already running")
	}
	if err := s.start(); err != nil {
		return err
	}
	if s.dev {
		return nil
	}
	return s.unseal()
}

// Close stops the server for good.
func (s *Server) Close() error { return s.Stop() }

func (s *Server) startOnFreePort() error {
	var err error
	for range 3 { // the free port may be taken between choosing and binding
		if s.port, err = freePort(); err != nil {
			return err
		}
		s.Addr = fmt.Sprintf("http://127.0.0.1:%d", s.port)
		if err = s.start(); err == nil {
			return nil
		}
	}
	return err
}

func (s *Server) start() error {
	logPath := filepath.Join(s.dir, "vault.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logFile.Close()
	var args []string
	if s.dev {
		args = []string{"server", "-dev", "-dev-root-token-id=" + s.RootToken,
			fmt.Sprintf("-dev-listen-address=127.0.0.1:%d", s.port), "-dev-no-store-token"}
	} else {
		cfgPath, err := s.writeFileConfig()
		if err != nil {
			return err
		}
		args = []string{"server", "-config=" + cfgPath}
	}
	cmd := exec.Command(s.bin, args...)
	cmd.Dir = s.dir
	cmd.Env = serverEnv(s.dir)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("vaulttest: starting %s: %w", s.bin, err)
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	exited := s.exited
	go func() { _ = cmd.Wait(); close(exited) }()
	if err := s.waitListening(); err != nil {
		_ = s.Stop()
		return fmt.Errorf("%w\n--- vault log (%s) ---\n%s", err, logPath, tail(logPath, 30))
	}
	return nil
}

// waitListening polls sys/health until the server answers at all (a
// sealed or uninitialized server answers with an error status, which is
// enough here), or until it exits.
func (s *Server) waitListening() error {
	deadline := time.Now().Add(60 * time.Second)
	client := &http.Client{Timeout: 2 * time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return errors.New("vaulttest: vault exited during start")
		default:
		}
		resp, err := client.Get(s.Addr + "/v1/sys/health")
		if err == nil {
			resp.Body.Close()
			if !s.dev || resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return errors.New("vaulttest: vault did not answer within 60s")
}

func (s *Server) writeFileConfig() (string, error) {
	data := filepath.Join(s.dir, "data")
	if err := os.MkdirAll(data, 0o700); err != nil {
		return "", err
	}
	cfg := fmt.Sprintf(`storage "file" {
  path = %q
}
listener "tcp" {
  address     = "127.0.0.1:%d"
  tls_disable = true
}
api_addr      = %q
disable_mlock = true
ui            = false
`, data, s.port, s.Addr)
	path := filepath.Join(s.dir, "vault.hcl")
	return path, os.WriteFile(path, []byte(cfg), 0o600)
}

// initialize initializes a fresh file-storage server with one unseal key,
// unseals it and mounts KV version 2 at secret/, as a dev server has.
func (s *Server) initialize() error {
	c, err := newClient(s.Addr, "")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	init, err := c.Sys().InitWithContext(ctx, &api.InitRequest{SecretShares: 1, SecretThreshold: 1})
	if err != nil {
		return fmt.Errorf("vaulttest: init: %w", err)
	}
	s.RootToken, s.unsealKey = init.RootToken, init.KeysB64[0]
	if err := s.unseal(); err != nil {
		return err
	}
	root := s.Client()
	err = retry(ctx, func() error {
		return root.Sys().MountWithContext(ctx, "secret", &api.MountInput{Type: "kv", Options: map[string]string{"version": "2"}})
	})
	if err != nil {
		return fmt.Errorf("vaulttest: mounting kv-v2 at secret/: %w", err)
	}
	return nil
}

func (s *Server) unseal() error {
	c, err := newClient(s.Addr, "")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.Sys().UnsealWithContext(ctx, s.unsealKey); err != nil {
		return fmt.Errorf("vaulttest: unseal: %w", err)
	}
	// Wait until the server is active (health 200), not merely unsealed.
	return retry(ctx, func() error {
		h, err := c.Sys().HealthWithContext(ctx)
		if err != nil {
			return err
		}
		if h.Sealed || !h.Initialized {
			return errors.New("not ready")
		}
		return nil
	})
}

func newClient(addr, token string) (*api.Client, error) {
	cfg := api.DefaultConfig()
	cfg.Address = addr
	c, err := api.NewClient(cfg)
	if err != nil {
		return nil, err
	}
	c.ClearNamespace()
	if token == "" {
		c.ClearToken()
	} else {
		c.SetToken(token)
	}
	return c, nil
}

// serverEnv is the environment without the caller's Vault settings, with
// HOME in dir so the server writes nothing into the user's home.
func serverEnv(dir string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "VAULT_") || strings.HasPrefix(kv, "HOME=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "HOME="+dir)
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func randomToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "root-" + hex.EncodeToString(b), nil
}

// retry calls f until it succeeds or ctx ends (Vault needs a moment after
// unsealing, and after mounting KV version 2, before it accepts writes).
func retry(ctx context.Context, f func() error) error {
	for {
		err := f()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func tail(path string, lines int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	all := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}
