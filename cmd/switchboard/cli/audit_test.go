package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestAuditTrailAndUserDataFromTheCLI(t *testing.T) {
	url, _ := startServe(t)
	t.Setenv("SWITCHBOARD_URL", url)

	team := teamIDPattern.FindString(mustRun(t, "teams", "create", "--name", "research"))
	if out := mustRun(t, "teams", "update", team, "--payload-capture", "on", "--payload-retention-days", "7"); !strings.Contains(out, "on, 7 days") {
		t.Errorf("teams update --payload-capture: %s", out)
	}
	user := userIDPattern.FindString(mustRun(t, "users", "create", "--team", team, "--name", "Grace", "--email", "grace@example.com"))
	out := mustRun(t, "keys", "create", "--name", "grace's", "--user", user)
	key, secret := keyIDPattern.FindString(out), secretPattern.FindString(out)
	if chat(t, url, secret) != 200 {
		t.Fatal("the key does not work")
	}
	mustRun(t, "keys", "update", key, "--name", "grace's laptop")

	// The change is in the trail, with before and after, and no secret.
	listed := mustRun(t, "audit", "list", "--action", "key.*")
	if !strings.Contains(listed, "key.update") || !strings.Contains(listed, "key.create") || !strings.Contains(listed, "bootstrap") || !strings.Contains(listed, "name") {
		t.Errorf("audit list: %s", listed)
	}
	var events struct {
		Events []struct {
			Action string          `json:"action"`
			Before json.RawMessage `json:"before"`
			After  json.RawMessage `json:"after"`
		} `json:"events"`
	}
	raw := mustRun(t, "audit", "list", "--action", "key.update", "--json")
	if err := json.Unmarshal([]byte(raw), &events); err != nil || len(events.Events) != 1 {
		t.Fatalf("audit list --json: %v %s", err, raw)
	}
	if ev := events.Events[0]; !strings.Contains(string(ev.Before), `"grace's"`) || !strings.Contains(string(ev.After), "grace's laptop") {
		t.Errorf("before %s after %s", ev.Before, ev.After)
	}
	if strings.Contains(raw, secret) || strings.Contains(listed, secret) {
		t.Error("the audit trail shows the key's secret")
	}
	// Request records are written in batches, off the request path.
	deadline := time.Now().Add(60 * time.Second)
	for out := ""; !strings.Contains(out, key); out = mustRun(t, "audit", "requests", "--user", user) {
		if time.Now().After(deadline) {
			t.Fatalf("audit requests never showed the request: %s", out)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// Export to a private file, then erase.
	file := filepath.Join(t.TempDir(), "grace.json")
	if out := mustRun(t, "users", "export", user, "--out", file); !strings.Contains(out, "1 keys") {
		t.Errorf("users export: %s", out)
	}
	info, err := os.Stat(file)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("export file: %v %v", info, err)
	}
	exported, _ := os.ReadFile(file)
	if !strings.Contains(string(exported), "grace@example.com") || !strings.Contains(string(exported), key) || strings.Contains(string(exported), secret) {
		t.Errorf("export file: %s", exported)
	}
	if _, errOut, code := runCLI(t, "users", "delete-data", user); code == 0 || !strings.Contains(errOut, "--yes") {
		t.Errorf("delete-data without --yes: %d %s", code, errOut)
	}
	if out := mustRun(t, "users", "delete-data", user, "--yes"); !strings.Contains(out, "1 keys revoked") {
		t.Errorf("users delete-data: %s", out)
	}
	if chat(t, url, secret) != 401 {
		t.Error("the erased user's key still works")
	}
	if _, errOut, code := runCLI(t, "users", "get", user); code == 0 || !strings.Contains(errOut, "not_found") {
		t.Errorf("users get after erasure: %d %s", code, errOut)
	}
	if out := mustRun(t, "audit", "list", "--action", "user_data.erase"); !strings.Contains(out, user) {
		t.Errorf("the erasure is not in the trail: %s", out)
	}

	// Deleting a team with live keys needs --force; users delete likewise.
	other := userIDPattern.FindString(mustRun(t, "users", "create", "--team", team, "--name", "Alan"))
	mustRun(t, "keys", "create", "--name", "alan's", "--user", other)
	if _, errOut, code := runCLI(t, "users", "delete", other); code == 0 || !strings.Contains(errOut, "live keys") {
		t.Errorf("users delete with a live key: %d %s", code, errOut)
	}
	mustRun(t, "keys", "create", "--name", "service", "--team", team)
	if _, errOut, code := runCLI(t, "teams", "delete", team); code == 0 || !strings.Contains(errOut, "live keys") {
		t.Errorf("teams delete with live keys: %d %s", code, errOut)
	}
	if out := mustRun(t, "teams", "delete", team, "--force"); !strings.Contains(out, "1 users and 2 keys") {
		t.Errorf("teams delete --force: %s", out)
	}
	if out := mustRun(t, "audit", "list", "--target", team); !strings.Contains(out, "team.delete") || !strings.Contains(out, "team.update") {
		t.Errorf("audit list --target team: %s", out)
	}
}
