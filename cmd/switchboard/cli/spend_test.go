package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// `switchboard spend` on the embedded defaults: the demo's spend is in the
// SQLite ledger, shown as a table, JSON or CSV.
func TestSpendCommand(t *testing.T) {
	url, dir := startServe(t)
	adminKey, err := os.ReadFile(filepath.Join(dir, "admin.key"))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SWITCHBOARD_ADMIN_KEY", strings.TrimSpace(string(adminKey)))
	out, errOut, code := runCLI(t, "keys", "create", "--name", "spender", "--url", url)
	if code != 0 {
		t.Fatalf("keys create: %d %s", code, errOut)
	}
	secret := secretPattern.FindString(out)
	for range 2 {
		if status := chat(t, url, secret); status != 200 {
			t.Fatalf("chat: %d", status)
		}
	}
	// The ledger writes in the background: wait for both requests.
	var csvOut string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		csvOut, errOut, code = runCLI(t, "spend", "--url", url, "--group-by", "model,day", "--csv")
		if code != 0 {
			t.Fatalf("spend --csv: %d %s", code, errOut)
		}
		if strings.Contains(csvOut, ",2,2,") { // two requests, two attempts
			break
		}
	}
	lines := strings.Split(strings.TrimSpace(csvOut), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "model,day,requests,attempts,") || !strings.HasPrefix(lines[1], "sim-chat,"+time.Now().UTC().Format(time.DateOnly)+",2,2,") {
		t.Fatalf("CSV:\n%s", csvOut)
	}
	// The demo model has no price: its tokens are recorded, flagged.
	if !strings.HasSuffix(lines[1], ",0.000000000,0,0,2") {
		t.Errorf("the demo's unpriced attempts: %s", lines[1])
	}
	if table, errOut, code := runCLI(t, "spend", "--url", url, "--group-by", "key"); code != 0 || !strings.Contains(table, "2 unpriced") {
		t.Errorf("table: %d %s %s", code, table, errOut)
	}
	// protojson varies its whitespace on purpose: decode, do not compare text.
	var spent struct {
		Rows []struct {
			Attempts string `json:"attempts"`
		} `json:"rows"`
	}
	if js, _, code := runCLI(t, "spend", "--url", url, "--json"); code != 0 || json.Unmarshal([]byte(js), &spent) != nil ||
		len(spent.Rows) != 1 || spent.Rows[0].Attempts != "2" {
		t.Errorf("json: %d %s", code, js)
	}
	for _, args := range [][]string{
		{"spend", "--url", url, "--group-by", "colour"},
		{"spend", "--url", url, "--since", "yesterday-ish"},
		{"spend", "--url", url, "--csv", "--json"},
	} {
		if _, errOut, code := runCLI(t, args...); code == 0 || errOut == "" {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
}
