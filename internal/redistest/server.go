package redistest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Server is a private Redis server for one test, started and stopped
// through scripts/redis-test.sh. It keeps no data across a restart.
type Server struct {
	// URL connects to the server; it stays the same across Stop and Start.
	URL    string
	dir    string
	script string
}

// StartServer starts a private server (a fraction of a second) and stops it
// and deletes its files when the test ends. It skips where URL would, so
// that tests run only where the test Redis is installed.
func StartServer(t testing.TB) *Server {
	t.Helper()
	URL(t)
	script, err := findScript()
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	dir, err := os.MkdirTemp("", "switchboard-redistest-")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{dir: dir, script: script}
	t.Cleanup(func() {
		if out, err := s.run("stop"); err != nil {
			t.Errorf("redistest: stop: %v\n%s", err, out)
		}
		os.RemoveAll(dir)
	})
	s.Start(t)
	return s
}

// Start starts the server (again), empty, on the same port as before.
func (s *Server) Start(t testing.TB) {
	t.Helper()
	out, err := s.run("start")
	if err != nil {
		t.Fatalf("redistest: start: %v\n%s", err, out)
	}
	s.URL = strings.TrimSpace(out)
}

// Stop stops the server; its clients' connections are closed.
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	if out, err := s.run("stop"); err != nil {
		t.Fatalf("redistest: stop: %v\n%s", err, out)
	}
}

func (s *Server) run(verb string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, s.script, verb, s.dir).Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(out) + string(ee.Stderr), err
	}
	return string(out), err
}

// findScript locates scripts/redis-test.sh from the module root above the
// working directory (go test runs in the package's directory).
func findScript() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "scripts", "redis-test.sh"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("scripts/redis-test.sh not found above the working directory")
		}
		dir = parent
	}
}
