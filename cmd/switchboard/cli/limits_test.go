package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestLimitsAndBudgetsFromTheCLI(t *testing.T) {
	url, _ := startServe(t)
	t.Setenv("SWITCHBOARD_URL", url)

	team := teamIDPattern.FindString(mustRun(t, "teams", "create", "--name", "research"))
	key := keyIDPattern.FindString(mustRun(t, "keys", "create", "--name", "k", "--team", team, "--rpm", "60"))
	if team == "" || key == "" {
		t.Fatal("no team or key")
	}
	out := mustRun(t, "limits", "set", team, "--rpm", "100", "--tpm", "5000")
	if !strings.Contains(out, "team:"+team) || !strings.Contains(out, "rpm:        100") || !strings.Contains(out, "tpm:        5000") {
		t.Fatalf("limits set: %s", out)
	}
	out = mustRun(t, "budgets", "set", "team:"+team, "--window", "monthly", "--usd", "250", "--policy", "downgrade", "--downgrade-to", "demo")
	if !strings.Contains(out, "budget:     monthly $250 downgrade -> demo") || !strings.Contains(out, "rpm:        100") {
		t.Fatalf("budgets set keeps the rate limits: %s", out)
	}
	out = mustRun(t, "budgets", "set", team, "--window", "daily", "--usd", "12.5")
	if !strings.Contains(out, "daily $12.5 hard") || !strings.Contains(out, "monthly $250") {
		t.Fatalf("second budget: %s", out)
	}
	// Setting a window again replaces its budget.
	out = mustRun(t, "budgets", "set", team, "--window", "daily", "--usd", "20", "--policy", "soft")
	if strings.Contains(out, "$12.5") || !strings.Contains(out, "daily $20 soft") {
		t.Fatalf("replaced budget: %s", out)
	}
	// protojson varies its whitespace on purpose: decode, do not compare text.
	var got struct {
		RequestsPerMinute string `json:"requestsPerMinute"`
		Budgets           []struct {
			Window string `json:"window"`
		} `json:"budgets"`
	}
	if out := mustRun(t, "limits", "get", team, "--json"); json.Unmarshal([]byte(out), &got) != nil || got.RequestsPerMinute != "100" ||
		len(got.Budgets) == 0 || got.Budgets[0].Window != "BUDGET_WINDOW_MONTHLY" {
		t.Fatalf("limits get --json: %s", out)
	}
	out = mustRun(t, "budgets", "status", team)
	if !strings.Contains(out, "monthly downgrade  $250") || !strings.Contains(out, "daily soft") || !strings.Contains(out, "tpm") {
		t.Fatalf("budgets status: %s", out)
	}
	// A key's status shows its own limits merged in.
	if out := mustRun(t, "limits", "usage", key); !strings.Contains(out, "scope: key:"+key) {
		t.Fatalf("limits usage: %s", out)
	}
	mustRun(t, "budgets", "remove", team, "--window", "daily")
	if out := mustRun(t, "limits", "get", team); strings.Contains(out, "daily") {
		t.Fatalf("after remove: %s", out)
	}
	mustRun(t, "limits", "clear", team)
	if out := mustRun(t, "limits", "get", team); !strings.Contains(out, "budgets:    -") || !strings.Contains(out, "rpm:        -") {
		t.Fatalf("after clear: %s", out)
	}
	// Mistakes are explained.
	for _, args := range [][]string{
		{"budgets", "set", team, "--window", "weekly", "--usd", "1"},
		{"budgets", "set", team, "--window", "daily", "--usd", "nothing"},
		{"budgets", "set", team, "--window", "daily", "--usd", "1", "--policy", "downgrade"},
		{"limits", "set", "org:x", "--rpm", "1"},
		{"limits", "set", team},
		{"budgets", "remove", team, "--window", "monthly"},
	} {
		if _, errOut, code := runCLI(t, args...); code == 0 || errOut == "" {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
}
