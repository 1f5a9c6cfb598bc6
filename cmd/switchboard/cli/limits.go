package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	"github.com/switchboard-gw/switchboard/billing/admit"
	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
)

const limitsUsage = `Usage:
  switchboard limits get SCOPE
  switchboard limits set SCOPE [--rpm N] [--tpm N]
  switchboard limits clear SCOPE
  switchboard limits usage SCOPE

SCOPE is key:ID, team:ID or user:ID (or just the id: key_..., team_..., user_...).
set changes the requests and tokens per minute (0: no limit) and keeps the scope's budgets;
clear removes every limit and budget set on the scope. On a key, what is set here overrides the
key's own limits (keys create/update --rpm --tpm --budget-usd) field by field. usage shows what
remains of the rate limits and budgets in effect.

`

const budgetsUsage = `Usage:
  switchboard budgets set SCOPE --window daily|monthly|lifetime --usd AMOUNT [--policy hard|soft|downgrade] [--downgrade-to ALIAS]
  switchboard budgets remove SCOPE --window daily|monthly|lifetime
  switchboard budgets status SCOPE

A scope has at most one budget per window (UTC days and months). hard refuses requests whose
worst-case cost no longer fits (HTTP 429, kind budget); soft lets them through and counts the
overrun; downgrade sends them to the cheaper alias --downgrade-to. status shows spent, reserved
and remaining money in each budget's current window.

`

func limitsCommand(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, limitsUsage+adminCommonUsage)
		return errUsage
	}
	fs := newFlagSet("limits "+args[0], e)
	af := addAdminFlags(fs)
	var run adminRun
	print := printLimits
	switch args[0] {
	case "get":
		run = func(ctx context.Context, c switchboardv1connect.AdminServiceClient, rest []string) (proto.Message, error) {
			scope, err := oneScope("limits get", rest)
			if err != nil {
				return nil, err
			}
			resp, err := c.GetLimits(ctx, connect.NewRequest(&switchboardv1.GetLimitsRequest{Scope: scope}))
			if err != nil {
				return nil, err
			}
			return resp.Msg.GetLimits(), nil
		}
	case "set":
		rpm := fs.Int64("rpm", 0, "requests per minute (0: no limit)")
		tpm := fs.Int64("tpm", 0, "tokens per minute (0: no limit)")
		run = func(ctx context.Context, c switchboardv1connect.AdminServiceClient, rest []string) (proto.Message, error) {
			scope, err := oneScope("limits set", rest)
			if err != nil {
				return nil, err
			}
			set := setFlags(fs)
			if !set["rpm"] && !set["tpm"] {
				return nil, errors.New("limits set: give --rpm or --tpm")
			}
			return updateLimits(ctx, c, scope, func(l *switchboardv1.LimitSettings) error {
				if set["rpm"] {
					l.RequestsPerMinute = *rpm
				}
				if set["tpm"] {
					l.TokensPerMinute = *tpm
				}
				return nil
			})
		}
	case "clear":
		run = func(ctx context.Context, c switchboardv1connect.AdminServiceClient, rest []string) (proto.Message, error) {
			scope, err := oneScope("limits clear", rest)
			if err != nil {
				return nil, err
			}
			resp, err := c.SetLimits(ctx, connect.NewRequest(&switchboardv1.SetLimitsRequest{Limits: &switchboardv1.LimitSettings{Scope: scope}}))
			if err != nil {
				return nil, err
			}
			return resp.Msg.GetLimits(), nil
		}
	case "usage":
		run, print = limitUsage("limits usage"), printUsage
	default:
		fmt.Fprintf(e.stderr, "switchboard limits: unknown subcommand %q\n\n%s", args[0], limitsUsage)
		return errUsage
	}
	return adminCommand(ctx, e, fs, af, args[1:], run, print)
}

func budgetsCommand(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, budgetsUsage+adminCommonUsage)
		return errUsage
	}
	fs := newFlagSet("budgets "+args[0], e)
	af := addAdminFlags(fs)
	var run adminRun
	print := printLimits
	switch args[0] {
	case "set":
		window := fs.String("window", "", "daily, monthly or lifetime (required)")
		amount := fs.String("usd", "", "the budget in US dollars, e.g. 25 or 0.50 (required)")
		policy := fs.String("policy", "hard", "hard, soft or downgrade")
		target := fs.String("downgrade-to", "", "the alias a downgrade budget sends requests to once spent")
		run = func(ctx context.Context, c switchboardv1connect.AdminServiceClient, rest []string) (proto.Message, error) {
			scope, err := oneScope("budgets set", rest)
			if err != nil {
				return nil, err
			}
			w, err := parseWindow(*window)
			if err != nil {
				return nil, err
			}
			nano, err := admit.ParseUSD(strings.TrimPrefix(*amount, "$"))
			if err != nil || nano <= 0 {
				return nil, fmt.Errorf("budgets set: --usd %q: want an amount above 0 such as 25 or 0.50", *amount)
			}
			p, err := parsePolicy(*policy)
			if err != nil {
				return nil, err
			}
			b := &switchboardv1.Budget{Window: w, LimitNanoUsd: nano, Policy: p, DowngradeAlias: *target}
			return updateLimits(ctx, c, scope, func(l *switchboardv1.LimitSettings) error {
				l.Budgets = append(withoutWindow(l.Budgets, w), b)
				return nil
			})
		}
	case "remove":
		window := fs.String("window", "", "daily, monthly or lifetime (required)")
		run = func(ctx context.Context, c switchboardv1connect.AdminServiceClient, rest []string) (proto.Message, error) {
			scope, err := oneScope("budgets remove", rest)
			if err != nil {
				return nil, err
			}
			w, err := parseWindow(*window)
			if err != nil {
				return nil, err
			}
			return updateLimits(ctx, c, scope, func(l *switchboardv1.LimitSettings) error {
				kept := withoutWindow(l.Budgets, w)
				if len(kept) == len(l.Budgets) {
					return fmt.Errorf("budgets remove: %s has no %s budget", scope, *window)
				}
				l.Budgets = kept
				return nil
			})
		}
	case "status":
		run, print = limitUsage("budgets status"), printUsage
	default:
		fmt.Fprintf(e.stderr, "switchboard budgets: unknown subcommand %q\n\n%s", args[0], budgetsUsage)
		return errUsage
	}
	return adminCommand(ctx, e, fs, af, args[1:], run, print)
}

// updateLimits reads a scope's settings, changes them and writes them
// back.
func updateLimits(ctx context.Context, c switchboardv1connect.AdminServiceClient, scope string, change func(*switchboardv1.LimitSettings) error) (proto.Message, error) {
	got, err := c.GetLimits(ctx, connect.NewRequest(&switchboardv1.GetLimitsRequest{Scope: scope}))
	if err != nil {
		return nil, err
	}
	l := got.Msg.GetLimits()
	if l == nil {
		l = &switchboardv1.LimitSettings{}
	}
	l.Scope, l.UpdateTime = scope, nil
	if err := change(l); err != nil {
		return nil, err
	}
	resp, err := c.SetLimits(ctx, connect.NewRequest(&switchboardv1.SetLimitsRequest{Limits: l}))
	if err != nil {
		return nil, err
	}
	return resp.Msg.GetLimits(), nil
}

func limitUsage(verb string) adminRun {
	return func(ctx context.Context, c switchboardv1connect.AdminServiceClient, rest []string) (proto.Message, error) {
		scope, err := oneScope(verb, rest)
		if err != nil {
			return nil, err
		}
		resp, err := c.GetLimitUsage(ctx, connect.NewRequest(&switchboardv1.GetLimitUsageRequest{Scope: scope}))
		if err != nil {
			return nil, err
		}
		return resp.Msg, nil
	}
}

// oneScope returns the one scope argument, completing a bare id
// ("team_abc" is "team:team_abc").
func oneScope(verb string, args []string) (string, error) {
	if len(args) != 1 {
		return "", fmt.Errorf("%s: want exactly one scope (key:ID, team:ID or user:ID)", verb)
	}
	s := args[0]
	if !strings.Contains(s, ":") {
		for _, kind := range []string{"key", "team", "user"} {
			if strings.HasPrefix(s, kind+"_") {
				return kind + ":" + s, nil
			}
		}
		return "", fmt.Errorf("%s: %q: want key:ID, team:ID or user:ID", verb, s)
	}
	return s, nil
}

var windowNames = map[string]switchboardv1.BudgetWindow{
	"daily":    switchboardv1.BudgetWindow_BUDGET_WINDOW_DAILY,
	"monthly":  switchboardv1.BudgetWindow_BUDGET_WINDOW_MONTHLY,
	"lifetime": switchboardv1.BudgetWindow_BUDGET_WINDOW_LIFETIME,
}

var policyNames = map[string]switchboardv1.BudgetPolicy{
	"hard":      switchboardv1.BudgetPolicy_BUDGET_POLICY_HARD,
	"soft":      switchboardv1.BudgetPolicy_BUDGET_POLICY_SOFT,
	"downgrade": switchboardv1.BudgetPolicy_BUDGET_POLICY_DOWNGRADE,
}

func parseWindow(s string) (switchboardv1.BudgetWindow, error) {
	if w, ok := windowNames[s]; ok {
		return w, nil
	}
	return 0, fmt.Errorf("--window %q: want daily, monthly or lifetime", s)
}

func parsePolicy(s string) (switchboardv1.BudgetPolicy, error) {
	if p, ok := policyNames[s]; ok {
		return p, nil
	}
	return 0, fmt.Errorf("--policy %q: want hard, soft or downgrade", s)
}

func withoutWindow(bs []*switchboardv1.Budget, w switchboardv1.BudgetWindow) []*switchboardv1.Budget {
	var out []*switchboardv1.Budget
	for _, b := range bs {
		if b.GetWindow() != w {
			out = append(out, b)
		}
	}
	return out
}

func windowName(w switchboardv1.BudgetWindow) string {
	for n, v := range windowNames {
		if v == w {
			return n
		}
	}
	return "?"
}

func policyName(p switchboardv1.BudgetPolicy) string {
	for n, v := range policyNames {
		if v == p {
			return n
		}
	}
	return "hard"
}

func perMinute(n int64) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprint(n)
}

func printLimits(e env, m proto.Message) {
	l := m.(*switchboardv1.LimitSettings)
	fmt.Fprintf(e.stdout, "scope:      %s\n", l.GetScope())
	fmt.Fprintf(e.stdout, "rpm:        %s\n", perMinute(l.GetRequestsPerMinute()))
	fmt.Fprintf(e.stdout, "tpm:        %s\n", perMinute(l.GetTokensPerMinute()))
	if len(l.GetBudgets()) == 0 {
		fmt.Fprintln(e.stdout, "budgets:    -")
	}
	for _, b := range l.GetBudgets() {
		fmt.Fprintf(e.stdout, "budget:     %s %s %s", windowName(b.GetWindow()), formatUSD(b.GetLimitNanoUsd()), policyName(b.GetPolicy()))
		if b.GetDowngradeAlias() != "" {
			fmt.Fprintf(e.stdout, " -> %s", b.GetDowngradeAlias())
		}
		fmt.Fprintln(e.stdout)
	}
	if l.GetUpdateTime() != nil {
		fmt.Fprintf(e.stdout, "updated:    %s\n", formatTime(l.GetUpdateTime()))
	}
}

func printUsage(e env, m proto.Message) {
	u := m.(*switchboardv1.GetLimitUsageResponse)
	fmt.Fprintf(e.stdout, "scope: %s\n", u.GetScope())
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	if len(u.GetRateLimits()) > 0 {
		fmt.Fprintln(tw, "LIMIT\tPER MINUTE\tREMAINING\tFULL IN")
		for _, r := range u.GetRateLimits() {
			kind := "rpm"
			if r.GetKind() == switchboardv1.RateLimitKind_RATE_LIMIT_KIND_TOKENS_PER_MINUTE {
				kind = "tpm"
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", kind, r.GetLimitPerMinute(), r.GetRemaining(), r.GetResetAfter().AsDuration())
		}
		tw.Flush()
	}
	if !u.GetRateLimitsComplete() {
		fmt.Fprintln(e.stdout, "(the rate limits' current state could not be read)")
	}
	if len(u.GetBudgets()) == 0 {
		fmt.Fprintln(e.stdout, "budgets: none")
		return
	}
	fmt.Fprintln(tw, "BUDGET\tLIMIT\tSPENT\tRESERVED\tREMAINING\tRESETS")
	for _, b := range u.GetBudgets() {
		resets := "never"
		if b.GetResetTime() != nil {
			resets = formatTime(b.GetResetTime())
		}
		fmt.Fprintf(tw, "%s %s\t%s\t%s\t%s\t%s\t%s\n", windowName(b.GetBudget().GetWindow()), policyName(b.GetBudget().GetPolicy()),
			formatUSD(b.GetBudget().GetLimitNanoUsd()), formatUSD(b.GetSpentNanoUsd()), formatUSD(b.GetReservedNanoUsd()),
			formatUSD(b.GetRemainingNanoUsd()), resets)
	}
	tw.Flush()
}
