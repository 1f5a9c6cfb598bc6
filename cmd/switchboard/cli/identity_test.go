package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/store/postgres/pgtest"
)

// mustRun runs the CLI and fails the test unless it exits 0.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("%s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return out
}

var (
	teamIDPattern   = regexp.MustCompile(`team_[0-9A-Za-z]{16}`)
	userIDPattern   = regexp.MustCompile(`user_[0-9A-Za-z]{16}`)
	keyIDPattern    = regexp.MustCompile(`key_[0-9A-Za-z]{16}`)
	secretPattern   = regexp.MustCompile(`sk-sb-[0-9A-Za-z]{39}`)
	adminKeyPattern = regexp.MustCompile(`sk-sbadmin-[0-9A-Za-z]{39}`)
)

func TestTeamsUsersAndScopedKeysFromTheCLI(t *testing.T) {
	url, _ := startServe(t)
	t.Setenv("SWITCHBOARD_URL", url)

	team := teamIDPattern.FindString(mustRun(t, "teams", "create", "--name", "ml-platform"))
	if team == "" {
		t.Fatal("teams create printed no team id")
	}
	if out := mustRun(t, "teams", "update", team, "--name", "ml"); !strings.Contains(out, "ml") {
		t.Errorf("teams update: %s", out)
	}
	if out := mustRun(t, "teams", "list"); !strings.Contains(out, team) || !strings.Contains(out, "team_default") {
		t.Errorf("teams list: %s", out)
	}
	user := userIDPattern.FindString(mustRun(t, "users", "create", "--team", team, "--name", "Ada", "--email", "ada@example.com"))
	if user == "" {
		t.Fatal("users create printed no user id")
	}
	if out := mustRun(t, "users", "list", "--team", team); !strings.Contains(out, "ada@example.com") {
		t.Errorf("users list: %s", out)
	}

	out := mustRun(t, "keys", "create", "--name", "ada's", "--user", user, "--tags", "env:prod", "--rpm", "60", "--budget-usd", "12.50", "--budget-period", "monthly")
	id, secret := keyIDPattern.FindString(out), secretPattern.FindString(out)
	if id == "" || secret == "" || !strings.Contains(out, team) {
		t.Fatalf("keys create: %s", out)
	}
	if chat(t, url, secret) != 200 {
		t.Fatal("the new key does not work")
	}
	listed := mustRun(t, "keys", "list", "--team", team, "--tag", "env:prod")
	if !strings.Contains(listed, id) || !strings.Contains(listed, "60 rpm") || !strings.Contains(listed, "$12.5/month") {
		t.Errorf("keys list: %s", listed)
	}
	// A partial limits update keeps the other limits.
	updated := mustRun(t, "keys", "update", id, "--tpm", "1000", "--name", "renamed")
	if !strings.Contains(updated, "renamed") || !strings.Contains(updated, "60 rpm 1000 tpm $12.5/month") {
		t.Errorf("keys update: %s", updated)
	}
	rotated := mustRun(t, "keys", "rotate", id, "--grace", "1h")
	fresh := secretPattern.FindString(rotated)
	if fresh == "" || fresh == secret {
		t.Fatalf("keys rotate: %s", rotated)
	}
	if chat(t, url, secret) != 200 || chat(t, url, fresh) != 200 {
		t.Error("old and new secrets must both work during the grace period")
	}
	mustRun(t, "keys", "revoke", id)
	if chat(t, url, fresh) != 401 {
		t.Error("a revoked key still works")
	}
	_, errOut, code := runCLI(t, "keys", "update", id)
	if code == 0 || !strings.Contains(errOut, "nothing to change") {
		t.Errorf("keys update without flags: %d %s", code, errOut)
	}
}

func TestAdminCredentialsFromTheCLI(t *testing.T) {
	url, _ := startServe(t)
	t.Setenv("SWITCHBOARD_URL", url)
	team := teamIDPattern.FindString(mustRun(t, "teams", "create", "--name", "red"))
	other := teamIDPattern.FindString(mustRun(t, "teams", "create", "--name", "blue"))
	otherKey := keyIDPattern.FindString(mustRun(t, "keys", "create", "--name", "blue's", "--team", other))

	out := mustRun(t, "admin-keys", "create", "--name", "red lead", "--role", "team_admin", "--team", team)
	leadID, lead := keyIDPattern.FindString(out), adminKeyPattern.FindString(out)
	if lead == "" {
		t.Fatalf("admin-keys create: %s", out)
	}
	if out := mustRun(t, "whoami"); !strings.Contains(out, "bootstrap") || !strings.Contains(out, "admin") {
		t.Errorf("whoami (bootstrap): %s", out)
	}
	if out := mustRun(t, "admin-keys", "list"); !strings.Contains(out, leadID) || !strings.Contains(out, "team admin") {
		t.Errorf("admin-keys list: %s", out)
	}

	t.Setenv("SWITCHBOARD_ADMIN_KEY", lead)
	if out := mustRun(t, "whoami"); !strings.Contains(out, "team_admin") || !strings.Contains(out, team) {
		t.Errorf("whoami (team admin): %s", out)
	}
	// Creates in its own team by default; cannot touch another team.
	mine := mustRun(t, "keys", "create", "--name", "red's")
	if !strings.Contains(mine, team) {
		t.Errorf("team admin's key is not in its team: %s", mine)
	}
	if out := mustRun(t, "keys", "list"); strings.Contains(out, otherKey) {
		t.Errorf("team admin sees another team's key: %s", out)
	}
	for _, args := range [][]string{{"keys", "get", otherKey}, {"keys", "revoke", otherKey}, {"teams", "create", "--name", "x"}, {"admin-keys", "list"}} {
		_, errOut, code := runCLI(t, args...)
		if code == 0 || !strings.Contains(errOut, "permission_denied") {
			t.Errorf("%v as team admin: exit %d %s", args, code, errOut)
		}
	}

	t.Setenv("SWITCHBOARD_ADMIN_KEY", "")
	mustRun(t, "admin-keys", "revoke", leadID)
	t.Setenv("SWITCHBOARD_ADMIN_KEY", lead)
	if _, errOut, code := runCLI(t, "whoami"); code == 0 || !strings.Contains(errOut, "revoked") {
		t.Errorf("revoked admin credential: %d %s", code, errOut)
	}
}

func TestMigrateSQLite(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SWITCHBOARD_DATA_DIR", dir)
	if out := mustRun(t, "migrate"); !strings.Contains(out, "applied 0001_virtual_keys.sql, 0002_tenancy.sql") {
		t.Errorf("first migrate: %s", out)
	}
	if out := mustRun(t, "migrate"); !strings.Contains(out, "up to date") {
		t.Errorf("second migrate: %s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "switchboard.db")); err != nil {
		t.Error(err)
	}
}

func TestMigrateAndServeOnPostgres(t *testing.T) {
	dsn := pgtest.NewSchema(t)
	cfg := filepath.Join(t.TempDir(), "switchboard.yaml")
	if err := os.WriteFile(cfg, []byte("store:\n  driver: postgres\n  dsn: env:TEST_DATABASE_URL\n  migrate_on_start: false\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TEST_DATABASE_URL", dsn)
	t.Setenv("SWITCHBOARD_DATA_DIR", t.TempDir())
	// Without migrating first, serve refuses the empty schema.
	_, errOut, code := runCLI(t, "serve", "--config", cfg, "--addr", "127.0.0.1:0")
	if code == 0 || !strings.Contains(errOut, "switchboard migrate") {
		t.Fatalf("serve on an unmigrated database: exit %d: %s", code, errOut)
	}
	if out := mustRun(t, "migrate", "--config", cfg); !strings.Contains(out, "postgres: applied 0001_identity.sql") {
		t.Errorf("migrate: %s", out)
	}
	if strings.Contains(errOut, dsn) {
		t.Error("an error repeated the DSN")
	}
	url, _ := startServe(t, "--config", cfg)
	t.Setenv("SWITCHBOARD_URL", url)
	secret := secretPattern.FindString(mustRun(t, "keys", "create", "--name", "pg"))
	if chat(t, url, secret) != 200 {
		t.Error("a key created on postgres does not work")
	}
}
