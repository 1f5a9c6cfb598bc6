package server

import (
	"context"
	"errors"
	"strconv"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/billing/admit"
	"github.com/switchboard-gw/switchboard/billing/limits"
	"github.com/switchboard-gw/switchboard/billing/ratelimit"
	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	svc "github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
	"github.com/switchboard-gw/switchboard/llm"
)

// LimitsAdmin backs AdminService's limits RPCs: *admit.Controller.
type LimitsAdmin interface {
	Settings(ctx context.Context, scope limits.Scope) (limits.Settings, error)
	SetSettings(ctx context.Context, s limits.Settings) (limits.Settings, error)
	Usage(ctx context.Context, scope limits.Scope, key *admit.KeyLimits) (admit.Usage, error)
}

// The limits RPCs' authorization and audit rules, registered beside the
// others' (package variables are initialized before the init functions
// that check every RPC has its rules).
var _ = func() bool {
	adminAccess[svc.AdminServiceSetLimitsProcedure] = auth.AccessWrite
	adminAccess[svc.AdminServiceGetLimitsProcedure] = auth.AccessRead
	adminAccess[svc.AdminServiceGetLimitUsageProcedure] = auth.AccessRead
	auditRules[svc.AdminServiceSetLimitsProcedure] = auditRule{
		action: auditActionLimitsSet, targetType: auditTargetLimits,
		target: func(req any) string { return req.(*switchboardv1.SetLimitsRequest).GetLimits().GetScope() },
		before: limitsBefore,
		after: func(_, resp any) (proto.Message, string, string) {
			l := resp.(*switchboardv1.SetLimitsResponse).GetLimits()
			return l, l.GetScope(), ""
		},
	}
	return true
}()

// Audit names of a limits change: the target is the scope ("team:ID").
const (
	auditActionLimitsSet = "limits.set"
	auditTargetLimits    = "limits"
)

// limitsBefore reads a scope's settings and team for the audit trail.
func limitsBefore(ctx context.Context, s *adminService, scope string) (proto.Message, string) {
	if s.limits == nil {
		return nil, ""
	}
	team, _, err := s.scopeTeam(ctx, limits.Scope(scope))
	if err != nil {
		return nil, ""
	}
	set, err := s.limits.Settings(ctx, limits.Scope(scope))
	if err != nil {
		return nil, team
	}
	return settingsToProto(set), team
}

func (s *adminService) limitsAvailable() error {
	if s.limits == nil {
		return connect.NewError(connect.CodeUnimplemented, errors.New("limits are not enabled on this server"))
	}
	return nil
}

// scopeTeam checks a scope names an existing key, team or user and
// returns the team that owns it, and, for a key, its own limits.
func (s *adminService) scopeTeam(ctx context.Context, scope limits.Scope) (string, *admit.KeyLimits, error) {
	kind, id, err := limits.ParseScope(string(scope))
	if err != nil {
		return "", nil, ConnectError(&llm.Error{Kind: llm.KindInvalidRequest, Param: "scope", Message: err.Error(), Err: err})
	}
	switch kind {
	case limits.ScopeKey:
		key, err := s.keys.Get(ctx, id)
		if err != nil {
			return "", nil, ConnectError(err)
		}
		return key.TeamID, keyLimitsOf(key.Limits), nil
	case limits.ScopeUser:
		if s.users == nil {
			return "", nil, connect.NewError(connect.CodeUnimplemented, errors.New("users are not enabled on this server"))
		}
		u, err := s.users.Get(ctx, id)
		if err != nil {
			return "", nil, ConnectError(err)
		}
		return u.TeamID, nil, nil
	default:
		if s.teams == nil {
			return "", nil, connect.NewError(connect.CodeUnimplemented, errors.New("teams are not enabled on this server"))
		}
		if _, err := s.teams.Get(ctx, id); err != nil {
			return "", nil, ConnectError(err)
		}
		return id, nil, nil
	}
}

// authorizedScope checks the caller may read or write scope (admins:
// any; team admins and team auditors: their own team's keys, users and
// team) and returns the key's own limits for a key's scope.
func (s *adminService) authorizedScope(ctx context.Context, scope string, a auth.Access) (*admit.KeyLimits, error) {
	if err := s.limitsAvailable(); err != nil {
		return nil, err
	}
	team, key, err := s.scopeTeam(ctx, limits.Scope(scope))
	if err != nil {
		return nil, err
	}
	if err := authorizeTeam(ctx, a, team); err != nil {
		return nil, err
	}
	return key, nil
}

func (s *adminService) SetLimits(ctx context.Context, req *connect.Request[switchboardv1.SetLimitsRequest]) (*connect.Response[switchboardv1.SetLimitsResponse], error) {
	in := req.Msg.GetLimits()
	if _, err := s.authorizedScope(ctx, in.GetScope(), auth.AccessWrite); err != nil {
		return nil, err
	}
	set, err := settingsFromProto(in)
	if err != nil {
		return nil, ConnectError(err)
	}
	out, err := s.limits.SetSettings(ctx, set)
	if err != nil {
		return nil, ConnectError(limitsError(err))
	}
	return connect.NewResponse(&switchboardv1.SetLimitsResponse{Limits: settingsToProto(out)}), nil
}

func (s *adminService) GetLimits(ctx context.Context, req *connect.Request[switchboardv1.GetLimitsRequest]) (*connect.Response[switchboardv1.GetLimitsResponse], error) {
	if _, err := s.authorizedScope(ctx, req.Msg.GetScope(), auth.AccessRead); err != nil {
		return nil, err
	}
	set, err := s.limits.Settings(ctx, limits.Scope(req.Msg.GetScope()))
	if err != nil {
		return nil, ConnectError(limitsError(err))
	}
	return connect.NewResponse(&switchboardv1.GetLimitsResponse{Limits: settingsToProto(set)}), nil
}

func (s *adminService) GetLimitUsage(ctx context.Context, req *connect.Request[switchboardv1.GetLimitUsageRequest]) (*connect.Response[switchboardv1.GetLimitUsageResponse], error) {
	scope := req.Msg.GetScope()
	key, err := s.authorizedScope(ctx, scope, auth.AccessRead)
	if err != nil {
		return nil, err
	}
	u, err := s.limits.Usage(ctx, limits.Scope(scope), key)
	if err != nil {
		return nil, ConnectError(limitsError(err))
	}
	out := &switchboardv1.GetLimitUsageResponse{Scope: scope, Limits: settingsToProto(u.Settings), RateLimitsComplete: u.RatesKnown}
	for _, r := range u.Rates {
		kind := switchboardv1.RateLimitKind_RATE_LIMIT_KIND_REQUESTS_PER_MINUTE
		if r.Kind == ratelimit.TPM {
			kind = switchboardv1.RateLimitKind_RATE_LIMIT_KIND_TOKENS_PER_MINUTE
		}
		out.RateLimits = append(out.RateLimits, &switchboardv1.RateLimitUsage{Kind: kind, LimitPerMinute: r.PerMinute,
			Remaining: r.Remaining, ResetAfter: durationpb.New(r.Reset)})
	}
	for _, b := range u.Budgets {
		bu := &switchboardv1.BudgetUsage{
			Budget: budgetToProto(limits.Budget{Window: limits.Window(b.Budget.Window), LimitNanoUSD: b.Budget.LimitNano,
				Policy: limits.Policy(b.Budget.Policy), Target: b.Budget.Target}),
			SpentNanoUsd: b.SpentNano, ReservedNanoUsd: b.ReservedNano, RemainingNanoUsd: b.RemainingNano,
		}
		if !b.WindowStart.IsZero() {
			bu.WindowStartTime = timestamppb.New(b.WindowStart)
			bu.ResetTime = timestamppb.New(b.ResetAt)
		}
		out.Budgets = append(out.Budgets, bu)
	}
	return connect.NewResponse(out), nil
}

func keyLimitsOf(l auth.Limits) *admit.KeyLimits {
	k := &admit.KeyLimits{RPM: l.RPM, TPM: l.TPM, BudgetNanoUSD: l.BudgetNanoUSD, BudgetWindow: limits.Lifetime}
	switch l.BudgetPeriod {
	case auth.BudgetDaily:
		k.BudgetWindow = limits.Daily
	case auth.BudgetMonthly:
		k.BudgetWindow = limits.Monthly
	}
	return k
}

// limitsError names the offending field of invalid settings.
func limitsError(err error) error {
	var fe *limits.FieldError
	if errors.As(err, &fe) {
		return &llm.Error{Kind: llm.KindInvalidRequest, Param: "limits." + fe.Field, Message: fe.Error(), Err: err}
	}
	if errors.Is(err, admit.ErrNoSettingsStore) {
		return &llm.Error{Kind: llm.KindUnavailable, Message: "limit settings need a store", Err: err}
	}
	return err
}

var windowsToProto = map[limits.Window]switchboardv1.BudgetWindow{
	limits.Daily:    switchboardv1.BudgetWindow_BUDGET_WINDOW_DAILY,
	limits.Monthly:  switchboardv1.BudgetWindow_BUDGET_WINDOW_MONTHLY,
	limits.Lifetime: switchboardv1.BudgetWindow_BUDGET_WINDOW_LIFETIME,
}

var policiesToProto = map[limits.Policy]switchboardv1.BudgetPolicy{
	limits.Hard:      switchboardv1.BudgetPolicy_BUDGET_POLICY_HARD,
	limits.Soft:      switchboardv1.BudgetPolicy_BUDGET_POLICY_SOFT,
	limits.Downgrade: switchboardv1.BudgetPolicy_BUDGET_POLICY_DOWNGRADE,
}

func budgetToProto(b limits.Budget) *switchboardv1.Budget {
	return &switchboardv1.Budget{Window: windowsToProto[b.Window], LimitNanoUsd: b.LimitNanoUSD, Policy: policiesToProto[b.Policy], DowngradeAlias: b.Target}
}

func settingsToProto(s limits.Settings) *switchboardv1.LimitSettings {
	out := &switchboardv1.LimitSettings{Scope: string(s.Scope), RequestsPerMinute: s.RPM, TokensPerMinute: s.TPM}
	for _, b := range s.Budgets {
		out.Budgets = append(out.Budgets, budgetToProto(b))
	}
	if !s.UpdatedAt.IsZero() {
		out.UpdateTime = timestamppb.New(s.UpdatedAt)
	}
	return out
}

func settingsFromProto(in *switchboardv1.LimitSettings) (limits.Settings, error) {
	out := limits.Settings{Scope: limits.Scope(in.GetScope()), RPM: in.GetRequestsPerMinute(), TPM: in.GetTokensPerMinute()}
	for i, b := range in.GetBudgets() {
		lb := limits.Budget{LimitNanoUSD: b.GetLimitNanoUsd(), Target: b.GetDowngradeAlias()}
		for w, pw := range windowsToProto {
			if pw == b.GetWindow() {
				lb.Window = w
			}
		}
		if lb.Window == "" {
			return limits.Settings{}, &llm.Error{Kind: llm.KindInvalidRequest, Param: "limits.budgets[" + itoa(i) + "].window",
				Message: "a budget needs a window: BUDGET_WINDOW_DAILY, _MONTHLY or _LIFETIME"}
		}
		lb.Policy = limits.Hard
		for p, pp := range policiesToProto {
			if pp == b.GetPolicy() {
				lb.Policy = p
			}
		}
		out.Budgets = append(out.Budgets, lb)
	}
	return out, nil
}

func itoa(i int) string { return strconv.Itoa(i) }
