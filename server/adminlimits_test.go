package server_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/billing/admit"
	"github.com/switchboard-gw/switchboard/billing/budget"
	"github.com/switchboard-gw/switchboard/billing/ratelimit"
	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/server"
	"github.com/switchboard-gw/switchboard/server/internal/servertest"
	"github.com/switchboard-gw/switchboard/store/sqlite"
)

// limitsFixture is a server with teams, users and the limits RPCs over a
// real SQLite store and the in-memory engines.
type limitsFixture struct {
	r            *running
	teamA, teamB string
	keyA         string
	teamAdmin    string // a team admin of team A
	auditor      string
	// limits is the admission controller the server reports on.
	limits *admit.Controller
}

func newLimitsFixture(t *testing.T) *limitsFixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	secret := make([]byte, auth.ServerSecretLen)
	admin := auth.NewAdmin(servertest.AdminKey)
	keys := auth.NewKeys(st, secret, auth.WithAdmin(admin))
	c := admit.New(admit.Options{Limiter: ratelimit.NewMemory(ratelimit.MemoryOptions{}), Budgets: budget.NewMemory(budget.Options{}),
		Settings: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	r := start(t, &servertest.Core{}, func(o *server.Options) {
		o.Keys, o.Admin = keys, admin
		o.Teams, o.Users = auth.NewTeams(st, nil), auth.NewUsers(st, nil)
		o.Limits = c
	})
	f := &limitsFixture{r: r, limits: c}
	a := adminClient(r)
	for _, name := range []string{"a", "b"} {
		resp, err := a.CreateTeam(ctx, withKey(&switchboardv1.CreateTeamRequest{Name: name}, servertest.AdminKey))
		if err != nil {
			t.Fatal(err)
		}
		if name == "a" {
			f.teamA = resp.Msg.GetTeam().GetId()
		} else {
			f.teamB = resp.Msg.GetTeam().GetId()
		}
	}
	key, err := a.CreateKey(ctx, withKey(&switchboardv1.CreateKeyRequest{Name: "k", TeamId: f.teamA,
		Limits: &switchboardv1.KeyLimits{RequestsPerMinute: 5, BudgetNanoUsd: 2_000_000_000, BudgetPeriod: switchboardv1.BudgetPeriod_BUDGET_PERIOD_MONTHLY}}, servertest.AdminKey))
	if err != nil {
		t.Fatal(err)
	}
	f.keyA = key.Msg.GetKey().GetId()
	for _, role := range []switchboardv1.AdminRole{switchboardv1.AdminRole_ADMIN_ROLE_TEAM_ADMIN, switchboardv1.AdminRole_ADMIN_ROLE_AUDITOR} {
		req := &switchboardv1.CreateAdminKeyRequest{Name: role.String(), Role: role}
		if role == switchboardv1.AdminRole_ADMIN_ROLE_TEAM_ADMIN {
			req.TeamId = f.teamA
		}
		resp, err := a.CreateAdminKey(ctx, withKey(req, servertest.AdminKey))
		if err != nil {
			t.Fatal(err)
		}
		if role == switchboardv1.AdminRole_ADMIN_ROLE_TEAM_ADMIN {
			f.teamAdmin = resp.Msg.GetSecret()
		} else {
			f.auditor = resp.Msg.GetSecret()
		}
	}
	return f
}

func dailyBudget(usd int64, policy switchboardv1.BudgetPolicy, target string) *switchboardv1.Budget {
	return &switchboardv1.Budget{Window: switchboardv1.BudgetWindow_BUDGET_WINDOW_DAILY, LimitNanoUsd: usd * 1_000_000_000, Policy: policy, DowngradeAlias: target}
}

func TestLimitsRPCsSetGetAndUsage(t *testing.T) {
	f := newLimitsFixture(t)
	ctx := context.Background()
	a := adminClient(f.r)
	// Three requests of key A, through the controller the server reports
	// on, against the key's own 5 RPM (its budget would need prices).
	caller := admit.Caller{KeyID: f.keyA, TeamID: f.teamA, Key: admit.KeyLimits{RPM: 5}}
	for range 3 {
		req := &llm.Request{Model: "m", Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart("hi")}}}}
		tk, err := f.limits.Admit(ctx, caller, req, false)
		if err != nil {
			t.Fatal(err)
		}
		tk.Finish(ctx, &llm.Response{}, nil)
	}
	set, err := a.SetLimits(ctx, withKey(&switchboardv1.SetLimitsRequest{Limits: &switchboardv1.LimitSettings{
		Scope: "team:" + f.teamA, RequestsPerMinute: 100,
		Budgets: []*switchboardv1.Budget{dailyBudget(10, switchboardv1.BudgetPolicy_BUDGET_POLICY_DOWNGRADE, "cheap")},
	}}, servertest.AdminKey))
	if err != nil {
		t.Fatal(err)
	}
	if set.Msg.GetLimits().GetUpdateTime() == nil || set.Msg.GetLimits().GetRequestsPerMinute() != 100 {
		t.Fatalf("SetLimits = %v", set.Msg)
	}
	got, err := a.GetLimits(ctx, withKey(&switchboardv1.GetLimitsRequest{Scope: "team:" + f.teamA}, servertest.AdminKey))
	if err != nil || len(got.Msg.GetLimits().GetBudgets()) != 1 || got.Msg.GetLimits().GetBudgets()[0].GetDowngradeAlias() != "cheap" {
		t.Fatalf("GetLimits = %v, %v", got, err)
	}
	// A key's usage merges its own limits: its monthly budget and RPM.
	u, err := a.GetLimitUsage(ctx, withKey(&switchboardv1.GetLimitUsageRequest{Scope: "key:" + f.keyA}, servertest.AdminKey))
	if err != nil {
		t.Fatal(err)
	}
	b := u.Msg.GetBudgets()
	if len(b) != 1 || b[0].GetBudget().GetWindow() != switchboardv1.BudgetWindow_BUDGET_WINDOW_MONTHLY ||
		b[0].GetRemainingNanoUsd() != 2_000_000_000 || b[0].GetResetTime() == nil || !u.Msg.GetRateLimitsComplete() {
		t.Fatalf("GetLimitUsage = %v", u.Msg)
	}
	// The RPM state is read, not charged: 2 of 5 remain after the three
	// requests, however often it is read.
	for range 2 {
		u, err = a.GetLimitUsage(ctx, withKey(&switchboardv1.GetLimitUsageRequest{Scope: "key:" + f.keyA}, servertest.AdminKey))
		if err != nil {
			t.Fatal(err)
		}
		r := u.Msg.GetRateLimits()
		if len(r) != 1 || r[0].GetKind() != switchboardv1.RateLimitKind_RATE_LIMIT_KIND_REQUESTS_PER_MINUTE ||
			r[0].GetLimitPerMinute() != 5 || r[0].GetRemaining() != 2 || r[0].GetResetAfter().AsDuration() <= 0 || r[0].GetResetAfter().AsDuration() > 36*time.Second {
			t.Fatalf("rate limits %v: want rpm 5 with 2 remaining, full within 36s", r)
		}
	}
	// Empty settings clear the scope.
	if _, err := a.SetLimits(ctx, withKey(&switchboardv1.SetLimitsRequest{Limits: &switchboardv1.LimitSettings{Scope: "team:" + f.teamA}}, servertest.AdminKey)); err != nil {
		t.Fatal(err)
	}
	got, _ = a.GetLimits(ctx, withKey(&switchboardv1.GetLimitsRequest{Scope: "team:" + f.teamA}, servertest.AdminKey))
	if got.Msg.GetLimits().GetRequestsPerMinute() != 0 || len(got.Msg.GetLimits().GetBudgets()) != 0 {
		t.Fatalf("after clearing: %v", got.Msg)
	}
}

func TestLimitsRPCsRefuseBadInput(t *testing.T) {
	f := newLimitsFixture(t)
	ctx := context.Background()
	a := adminClient(f.r)
	for name, l := range map[string]*switchboardv1.LimitSettings{
		"no window":         {Scope: "team:" + f.teamA, Budgets: []*switchboardv1.Budget{{LimitNanoUsd: 1}}},
		"downgrade nowhere": {Scope: "team:" + f.teamA, Budgets: []*switchboardv1.Budget{dailyBudget(1, switchboardv1.BudgetPolicy_BUDGET_POLICY_DOWNGRADE, "")}},
		"negative rpm":      {Scope: "team:" + f.teamA, RequestsPerMinute: -1},
		"bad scope":         {Scope: "org:x", RequestsPerMinute: 1},
	} {
		_, err := a.SetLimits(ctx, withKey(&switchboardv1.SetLimitsRequest{Limits: l}, servertest.AdminKey))
		if codeOf(err) != connect.CodeInvalidArgument {
			t.Errorf("%s: %v, want InvalidArgument", name, err)
		}
	}
	_, err := a.SetLimits(ctx, withKey(&switchboardv1.SetLimitsRequest{Limits: &switchboardv1.LimitSettings{Scope: "key:key_doesnotexist00", RequestsPerMinute: 1}}, servertest.AdminKey))
	if codeOf(err) != connect.CodeNotFound {
		t.Errorf("unknown key: %v, want NotFound", err)
	}
}

func TestLimitsRPCsFollowAdminRoles(t *testing.T) {
	f := newLimitsFixture(t)
	ctx := context.Background()
	a := adminClient(f.r)
	limitsOf := func(scope string) *switchboardv1.SetLimitsRequest {
		return &switchboardv1.SetLimitsRequest{Limits: &switchboardv1.LimitSettings{Scope: scope, RequestsPerMinute: 7}}
	}
	// A team admin manages its own team's limits and its keys', not
	// another team's.
	if _, err := a.SetLimits(ctx, withKey(limitsOf("team:"+f.teamA), f.teamAdmin)); err != nil {
		t.Fatalf("team admin, own team: %v", err)
	}
	if _, err := a.SetLimits(ctx, withKey(limitsOf("key:"+f.keyA), f.teamAdmin)); err != nil {
		t.Fatalf("team admin, own key: %v", err)
	}
	if _, err := a.SetLimits(ctx, withKey(limitsOf("team:"+f.teamB), f.teamAdmin)); codeOf(err) != connect.CodePermissionDenied {
		t.Fatalf("team admin, other team: %v, want PermissionDenied", err)
	}
	if _, err := a.GetLimitUsage(ctx, withKey(&switchboardv1.GetLimitUsageRequest{Scope: "team:" + f.teamB}, f.teamAdmin)); codeOf(err) != connect.CodePermissionDenied {
		t.Fatalf("team admin reading another team: %v, want PermissionDenied", err)
	}
	// An auditor reads but never writes.
	if _, err := a.GetLimits(ctx, withKey(&switchboardv1.GetLimitsRequest{Scope: "team:" + f.teamA}, f.auditor)); err != nil {
		t.Fatalf("auditor read: %v", err)
	}
	if _, err := a.SetLimits(ctx, withKey(limitsOf("team:"+f.teamA), f.auditor)); codeOf(err) != connect.CodePermissionDenied {
		t.Fatalf("auditor write: %v, want PermissionDenied", err)
	}
	// Virtual keys are refused.
	if _, err := a.GetLimits(ctx, withKey(&switchboardv1.GetLimitsRequest{Scope: "team:" + f.teamA}, f.r.auth.Secret)); codeOf(err) != connect.CodePermissionDenied {
		t.Fatalf("virtual key: %v", err)
	}
}

func TestLimitsRPCsUnimplementedWithoutAdmission(t *testing.T) {
	r := start(t, &servertest.Core{}, nil)
	_, err := adminClient(r).GetLimits(context.Background(), withKey(&switchboardv1.GetLimitsRequest{Scope: "team:team_default"}, servertest.AdminKey))
	if codeOf(err) != connect.CodeUnimplemented {
		t.Fatalf("%v, want Unimplemented", err)
	}
}
