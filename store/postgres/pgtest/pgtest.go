// Package pgtest gives tests real PostgreSQL databases: an isolated schema
// on the server that `make test` starts (scripts/postgres-test.sh run, which
// sets SWITCHBOARD_TEST_POSTGRES_DSN), or a private server of their own that
// they can stop and start again to test outages. Without the variable the
// tests skip with a message saying how to run them.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvDSN names the variable holding the DSN of the shared test server.
const EnvDSN = "SWITCHBOARD_TEST_POSTGRES_DSN"

// DSN returns the shared test server's DSN, or skips the test.
func DSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvDSN)
	if dsn == "" {
		t.Skipf("%s is not set: this test needs PostgreSQL; `make test` starts one, or run "+
			"`scripts/postgres-test.sh run -- go test ./...`", EnvDSN)
	}
	return dsn
}

// NewSchema creates a fresh, empty schema on the shared test server, drops
// it when the test ends, and returns a DSN whose search_path selects it, so
// tests running in parallel never see each other's tables.
func NewSchema(t testing.TB) string {
	t.Helper()
	dsn := DSN(t)
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	exec := func(sql string) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatalf("pgtest: connect to the test server: %v", err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("pgtest: %s: %v", sql, err)
		}
	}
	exec("CREATE SCHEMA " + schema)
	t.Cleanup(func() { exec("DROP SCHEMA " + schema + " CASCADE") })
	return WithSearchPath(t, dsn, schema)
}

// WithSearchPath returns dsn with its search_path set to schema.
func WithSearchPath(t testing.TB, dsn, schema string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("pgtest: %s must be a postgres:// URL", EnvDSN)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Server is a private PostgreSQL server for one test, started and stopped
// through scripts/postgres-test.sh.
type Server struct {
	// DSN connects to the server's postgres database; it stays the same
	// across Stop and Start.
	DSN    string
	dir    string
	script string
}

// StartServer starts a private server (about two seconds) and stops it and
// deletes its files when the test ends. It skips where DSN would.
func StartServer(t testing.TB) *Server {
	t.Helper()
	DSN(t)
	script, err := findScript()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	dir, err := os.MkdirTemp("", "switchboard-pgtest-")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{dir: dir, script: script}
	t.Cleanup(func() {
		if out, err := s.run("stop"); err != nil {
			t.Errorf("pgtest: stop: %v\n%s", err, out)
		}
		os.RemoveAll(dir)
	})
	s.Start(t)
	return s
}

// Start starts the server (again); its data and port survive a Stop.
func (s *Server) Start(t testing.TB) {
	t.Helper()
	out, err := s.run("start")
	if err != nil {
		t.Fatalf("pgtest: start: %v\n%s", err, out)
	}
	s.DSN = strings.TrimSpace(out)
}

// Stop stops the server (fast shutdown: open connections are closed).
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	if out, err := s.run("stop"); err != nil {
		t.Fatalf("pgtest: stop: %v\n%s", err, out)
	}
}

func (s *Server) run(verb string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.script, verb, s.dir)
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out) + string(ee.Stderr), err
	}
	return string(out), err
}

// findScript locates scripts/postgres-test.sh from the module root above
// the working directory (go test runs in the package's directory).
func findScript() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "scripts", "postgres-test.sh"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("scripts/postgres-test.sh not found above the working directory")
		}
		dir = parent
	}
}
