package limits_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/switchboard-gw/switchboard/billing/limits"
)

func TestParseScope(t *testing.T) {
	for in, want := range map[string]limits.ScopeKind{"key:key_1": limits.ScopeKey, "team:team_x": limits.ScopeTeam, "user:u": limits.ScopeUser} {
		kind, id, err := limits.ParseScope(in)
		if err != nil || kind != want || id == "" {
			t.Errorf("ParseScope(%q) = %v %q %v", in, kind, id, err)
		}
	}
	for _, bad := range []string{"", "key", "key:", "org:x", "team:a b", "user:x:y"} {
		if _, _, err := limits.ParseScope(bad); !errors.Is(err, limits.ErrInvalid) {
			t.Errorf("ParseScope(%q) = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestValidateNamesTheField(t *testing.T) {
	ok := limits.Budget{Window: limits.Daily, LimitNanoUSD: 1, Policy: limits.Hard}
	cases := map[string]limits.Settings{
		"scope":                      {Scope: "nobody", RPM: 1},
		"requests_per_minute":        {Scope: "team:t", RPM: -1},
		"tokens_per_minute":          {Scope: "team:t", TPM: limits.MaxPerMinute + 1},
		"budgets[0].window":          {Scope: "team:t", Budgets: []limits.Budget{{Window: "weekly", LimitNanoUSD: 1, Policy: limits.Hard}}},
		"budgets[1].window":          {Scope: "team:t", Budgets: []limits.Budget{ok, ok}},
		"budgets[0].limit_nano_usd":  {Scope: "team:t", Budgets: []limits.Budget{{Window: limits.Daily, Policy: limits.Hard}}},
		"budgets[0].policy":          {Scope: "team:t", Budgets: []limits.Budget{{Window: limits.Daily, LimitNanoUSD: 1, Policy: "lenient"}}},
		"budgets[0].downgrade_alias": {Scope: "team:t", Budgets: []limits.Budget{{Window: limits.Daily, LimitNanoUSD: 1, Policy: limits.Downgrade}}},
	}
	for field, s := range cases {
		var fe *limits.FieldError
		if err := s.Validate(); !errors.As(err, &fe) || fe.Field != field || !errors.Is(err, limits.ErrInvalid) {
			t.Errorf("%s: %v", field, err)
		}
	}
	good := limits.Settings{Scope: "user:u", RPM: 10, Budgets: []limits.Budget{ok,
		{Window: limits.Monthly, LimitNanoUSD: limits.MaxBudgetNanoUSD, Policy: limits.Downgrade, Target: "small"}}}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	if good.IsZero() || !(limits.Settings{Scope: "user:u"}).IsZero() {
		t.Fatal("IsZero")
	}
}

func TestBudgetsRoundTrip(t *testing.T) {
	in := []limits.Budget{{Window: limits.Daily, LimitNanoUSD: 5, Policy: limits.Downgrade, Target: "x"}, {Window: limits.Lifetime, LimitNanoUSD: 9, Policy: limits.Soft}}
	out, err := limits.DecodeBudgets(limits.EncodeBudgets(in))
	if err != nil || !slices.Equal(in, out) {
		t.Fatalf("%v %v", out, err)
	}
	if out, err := limits.DecodeBudgets(limits.EncodeBudgets(nil)); err != nil || out != nil {
		t.Fatalf("none: %v %v", out, err)
	}
	if _, err := limits.DecodeBudgets("{"); err == nil {
		t.Fatal("garbage decoded")
	}
}
