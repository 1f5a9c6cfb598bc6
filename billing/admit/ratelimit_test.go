package admit_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/switchboard-gw/switchboard/billing/admit"
	"github.com/switchboard-gw/switchboard/billing/limits"
	"github.com/switchboard-gw/switchboard/billing/ratelimit"
	"github.com/switchboard-gw/switchboard/llm"
)

func TestKeyRateLimitAndHeaders(t *testing.T) {
	r := newRig(t, nil, nil)
	k := caller
	k.Key = admit.KeyLimits{RPM: 2, TPM: 1000}
	for i := range 2 {
		notes := &admit.Notes{}
		tk, err := r.c.Admit(admit.WithNotes(context.Background(), notes), k, chat("m", "hi", 0), false)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		tk.Finish(context.Background(), nil, nil)
		h := http.Header{}
		admit.SetHeaders(h, notes)
		if h.Get("X-Ratelimit-Limit-Requests") != "2" || h.Get("X-Ratelimit-Limit-Tokens") != "1000" {
			t.Fatalf("request %d headers %v", i, h)
		}
	}
	var events []string
	r.c = admit.New(admit.Options{Limiter: r.limiter, Events: admit.Events{RateLimited: func(_ context.Context, scope, kind string) {
		events = append(events, scope+":"+kind)
	}}})
	_, err := r.c.Admit(context.Background(), k, chat("m", "hi", 0), false)
	if e := llm.AsError(err); e.Kind != llm.KindRateLimited || e.RetryAfter <= 0 {
		t.Fatalf("third request: %v, want a rate limit with Retry-After", err)
	}
	h := http.Header{}
	admit.SetErrorHeaders(h, err)
	if h.Get("X-Switchboard-Limit-Kind") != "rpm" || h.Get("Retry-After") == "" || h.Get("X-Ratelimit-Remaining-Requests") != "0" {
		t.Fatalf("refusal headers %v", h)
	}
	if len(events) != 1 || events[0] != "key:rpm" {
		t.Fatalf("events %v", events)
	}
}

func TestTeamAndUserSettingsApply(t *testing.T) {
	r := newRig(t, nil, nil)
	if _, err := r.c.SetSettings(context.Background(), limits.Settings{Scope: "user:user_a", RPM: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.c.Admit(context.Background(), caller, chat("m", "hi", 0), false); err != nil {
		t.Fatal(err)
	}
	if _, err := r.c.Admit(context.Background(), caller, chat("m", "hi", 0), false); llm.KindOf(err) != llm.KindRateLimited {
		t.Fatalf("second request of the user: %v", err)
	}
	// Another user of the same team is not limited.
	other := caller
	other.UserID = "user_b"
	if _, err := r.c.Admit(context.Background(), other, chat("m", "hi", 0), false); err != nil {
		t.Fatal(err)
	}
}

func TestSettingsOverrideTheKeysOwnLimits(t *testing.T) {
	key := &admit.KeyLimits{RPM: 5, TPM: 50, BudgetNanoUSD: 100, BudgetWindow: limits.Daily}
	set := limits.Settings{RPM: 7, Budgets: []limits.Budget{
		{Window: limits.Daily, LimitNanoUSD: 300, Policy: limits.Soft},
		{Window: limits.Monthly, LimitNanoUSD: 900, Policy: limits.Hard},
	}}
	rates, budgets := admit.Effective("key:k", set, key)
	if len(rates) != 2 || rates[0].PerMinute != 7 || rates[1].PerMinute != 50 {
		t.Fatalf("rates %+v: want the settings' RPM and the key's TPM", rates)
	}
	if len(budgets) != 2 || budgets[0].LimitNano != 300 || budgets[0].Policy != "soft" || budgets[1].LimitNano != 900 {
		t.Fatalf("budgets %+v: the daily setting replaces the key's daily budget", budgets)
	}
	_, budgets = admit.Effective("key:k", limits.Settings{}, &admit.KeyLimits{BudgetNanoUSD: 100})
	if len(budgets) != 1 || budgets[0].Window != "lifetime" || budgets[0].Policy != "hard" {
		t.Fatalf("the key's own budget: %+v", budgets)
	}
}

func TestSettingsCacheServesChangesAfterTheTTL(t *testing.T) {
	now := time_(0)
	r := newRig(t, nil, func(o *admit.Options) { o.Clock = now.get })
	// Written behind the controller's back (another instance).
	_ = r.settings.PutLimitSettings(context.Background(), limits.Settings{Scope: "team:team_a", RPM: 1})
	if _, err := r.c.Admit(context.Background(), caller, chat("m", "x", 0), false); err != nil {
		t.Fatal(err)
	}
	_ = r.settings.PutLimitSettings(context.Background(), limits.Settings{Scope: "team:team_a", RPM: 100})
	if _, err := r.c.Admit(context.Background(), caller, chat("m", "x", 0), false); llm.KindOf(err) != llm.KindRateLimited {
		t.Fatalf("within the TTL the old setting applies: %v", err)
	}
	now.add(admit.DefaultSettingsTTL)
	if _, err := r.c.Admit(context.Background(), caller, chat("m", "x", 0), false); err != nil {
		t.Fatalf("after the TTL: %v", err)
	}
}

func TestDeploymentLimitsAreShared(t *testing.T) {
	r := newRig(t, nil, nil)
	ctx := context.Background()
	if err := r.c.AdmitDeployment(ctx, "d1", 1, 0); err != nil {
		t.Fatal(err)
	}
	err := r.c.AdmitDeployment(ctx, "d1", 1, 0)
	d, ok := ratelimit.DecisionOf(err)
	if !ok || d.Allowed {
		t.Fatalf("%v: want a deployment rate limit", err)
	}
	if s, _ := d.Rejection(); s.Scope != "deployment:d1" {
		t.Fatalf("rejected by %s", s.Scope)
	}
	if err := r.c.AdmitDeployment(ctx, "d2", 1, 0); err != nil {
		t.Fatal(err)
	}
	if err := r.c.AdmitDeployment(ctx, "free", 0, 0); err != nil {
		t.Fatal(err)
	}
}

func TestTPMIsCorrectedToActualTokens(t *testing.T) {
	r := newRig(t, nil, nil)
	k := caller
	k.Key = admit.KeyLimits{TPM: 1000}
	req := chat("m", "hi", 100) // estimated: prompt bound / 4 + 100
	tk, err := r.c.Admit(context.Background(), k, req, false)
	if err != nil {
		t.Fatal(err)
	}
	r.serve(context.Background(), tk, 0, llm.Usage{InputTokens: 400, OutputTokens: 500})
	// The correction is asynchronous; poll the limit with zero tokens.
	eventually(t, func() bool {
		u, err := r.c.Usage(context.Background(), "key:key_a", &k.Key)
		return err == nil && len(u.Rates) == 1 && u.Rates[0].Remaining <= 100
	})
}
