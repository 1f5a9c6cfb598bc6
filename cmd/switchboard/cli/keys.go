package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
)

const keysUsage = `Usage:
  switchboard keys create --name NAME [--team ID] [--user ID] [--models a,b] [--tags x,y]
                          [--rpm N] [--tpm N] [--budget-usd 25] [--budget-period daily|monthly] [--expires-in 720h]
  switchboard keys list [--all] [--team ID] [--user ID] [--tag TAG]
  switchboard keys get ID
  switchboard keys update ID [--name NAME] [--models a,b] [--tags x,y] [--rpm N] [--tpm N]
                          [--budget-usd X] [--budget-period P] [--expires-in D | --no-expiry]
  switchboard keys rotate ID [--grace 24h]
  switchboard keys revoke ID

`

// limitFlags are the flags that set a key's limits.
type limitFlags struct {
	rpm, tpm      *int64
	budget        *string
	budgetPeriod  *string
	limitFlagsSet func() bool
}

func addLimitFlags(fs *flag.FlagSet) limitFlags {
	lf := limitFlags{
		rpm:          fs.Int64("rpm", 0, "requests per minute (0: no limit)"),
		tpm:          fs.Int64("tpm", 0, "tokens per minute (0: no limit)"),
		budget:       fs.String("budget-usd", "", "spend limit in US dollars (0: no limit)"),
		budgetPeriod: fs.String("budget-period", "", "daily, monthly or lifetime (default lifetime)"),
	}
	lf.limitFlagsSet = func() bool {
		set := setFlags(fs)
		return set["rpm"] || set["tpm"] || set["budget-usd"] || set["budget-period"]
	}
	return lf
}

// apply sets the flags given on the command line over base.
func (lf limitFlags) apply(fs *flag.FlagSet, base *switchboardv1.KeyLimits) (*switchboardv1.KeyLimits, error) {
	out := &switchboardv1.KeyLimits{}
	if base != nil {
		out = proto.Clone(base).(*switchboardv1.KeyLimits)
	}
	set := setFlags(fs)
	if set["rpm"] {
		out.RequestsPerMinute = *lf.rpm
	}
	if set["tpm"] {
		out.TokensPerMinute = *lf.tpm
	}
	if set["budget-usd"] {
		nanos, err := parseUSD(*lf.budget)
		if err != nil {
			return nil, err
		}
		out.BudgetNanoUsd = nanos
	}
	if set["budget-period"] {
		switch *lf.budgetPeriod {
		case "daily":
			out.BudgetPeriod = switchboardv1.BudgetPeriod_BUDGET_PERIOD_DAILY
		case "monthly":
			out.BudgetPeriod = switchboardv1.BudgetPeriod_BUDGET_PERIOD_MONTHLY
		case "lifetime", "":
			out.BudgetPeriod = switchboardv1.BudgetPeriod_BUDGET_PERIOD_LIFETIME
		default:
			return nil, fmt.Errorf("--budget-period %q: want daily, monthly or lifetime", *lf.budgetPeriod)
		}
	}
	return out, nil
}

func keys(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, keysUsage+adminCommonUsage)
		return errUsage
	}
	fs := newFlagSet("keys "+args[0], e)
	af := addAdminFlags(fs)
	var run adminRun
	switch args[0] {
	case "create":
		name := fs.String("name", "", "key name (required)")
		team := fs.String("team", "", "owning team id (default: the user's team, else the default team)")
		user := fs.String("user", "", "user id the key is for")
		models := fs.String("models", "", "comma-separated model aliases the key may use (default: all)")
		tags := fs.String("tags", "", "comma-separated tags")
		expiresIn := fs.Duration("expires-in", 0, "expire the key after this long (default: never)")
		lf := addLimitFlags(fs)
		run = func(ctx context.Context, c switchboardv1connect.AdminServiceClient, _ []string) (proto.Message, error) {
			if *name == "" {
				return nil, errors.New("keys create: --name is required")
			}
			req := &switchboardv1.CreateKeyRequest{Name: *name, TeamId: *team, UserId: *user,
				AllowedModels: splitList(*models), Tags: splitList(*tags)}
			if *expiresIn > 0 {
				req.ExpireTime = timestampAfter(*expiresIn)
			}
			if lf.limitFlagsSet() {
				limits, err := lf.apply(fs, nil)
				if err != nil {
					return nil, err
				}
				req.Limits = limits
			}
			resp, err := c.CreateKey(ctx, connect.NewRequest(req))
			if err != nil {
				return nil, err
			}
			return resp.Msg, nil
		}
	case "list":
		all := fs.Bool("all", false, "include revoked keys")
		team := fs.String("team", "", "only this team's keys")
		user := fs.String("user", "", "only this user's keys")
		tag := fs.String("tag", "", "only keys with this tag")
		run = func(ctx context.Context, c switchboardv1connect.AdminServiceClient, _ []string) (proto.Message, error) {
			out := &switchboardv1.ListKeysResponse{}
			for token := ""; ; {
				resp, err := c.ListKeys(ctx, connect.NewRequest(&switchboardv1.ListKeysRequest{PageSize: 1000, PageToken: token,
					IncludeRevoked: *all, TeamId: *team, UserId: *user, Tag: *tag}))
				if err != nil {
					return nil, err
				}
				out.Keys = append(out.Keys, resp.Msg.Keys...)
				if token = resp.Msg.NextPageToken; token == "" {
					return out, nil
				}
			}
		}
	case "get", "revoke":
		verb := args[0]
		run = func(ctx context.Context, c switchboardv1connect.AdminServiceClient, rest []string) (proto.Message, error) {
			id, err := oneID("keys "+verb, rest)
			if err != nil {
				return nil, err
			}
			if verb == "get" {
				resp, err := c.GetKey(ctx, connect.NewRequest(&switchboardv1.GetKeyRequest{Id: id}))
				if err != nil {
					return nil, err
				}
				return resp.Msg, nil
			}
			resp, err := c.RevokeKey(ctx, connect.NewRequest(&switchboardv1.RevokeKeyRequest{Id: id}))
			if err != nil {
				return nil, err
			}
			return resp.Msg, nil
		}
	case "update":
		run = keysUpdate(fs)
	case "rotate":
		grace := fs.Duration("grace", 24*time.Hour, "how long the old secret keeps working (0s: not at all)")
		run = func(ctx context.Context, c switchboardv1connect.AdminServiceClient, rest []string) (proto.Message, error) {
			id, err := oneID("keys rotate", rest)
			if err != nil {
				return nil, err
			}
			resp, err := c.RotateKey(ctx, connect.NewRequest(&switchboardv1.RotateKeyRequest{Id: id, GracePeriod: durationpb.New(*grace)}))
			if err != nil {
				return nil, err
			}
			return resp.Msg, nil
		}
	default:
		fmt.Fprintf(e.stderr, "switchboard keys: unknown subcommand %q\n\n%s%s", args[0], keysUsage, adminCommonUsage)
		return errUsage
	}
	return adminCommand(ctx, e, fs, af, args[1:], run, printKeys)
}

// keysUpdate changes only what the flags given say; limits given in part
// keep their other values.
func keysUpdate(fs *flag.FlagSet) adminRun {
	name := fs.String("name", "", "new name")
	models := fs.String("models", "", `comma-separated model aliases ("" for all)`)
	tags := fs.String("tags", "", "comma-separated tags (replaces the current ones)")
	expiresIn := fs.Duration("expires-in", 0, "expire the key this long from now")
	noExpiry := fs.Bool("no-expiry", false, "remove the expiry")
	lf := addLimitFlags(fs)
	return func(ctx context.Context, c switchboardv1connect.AdminServiceClient, rest []string) (proto.Message, error) {
		id, err := oneID("keys update", rest)
		if err != nil {
			return nil, err
		}
		set := setFlags(fs)
		key := &switchboardv1.Key{Id: id}
		var paths []string
		if set["name"] {
			key.Name, paths = *name, append(paths, "name")
		}
		if set["models"] {
			key.AllowedModels, paths = splitList(*models), append(paths, "allowed_models")
		}
		if set["tags"] {
			key.Tags, paths = splitList(*tags), append(paths, "tags")
		}
		switch {
		case set["expires-in"] && *noExpiry:
			return nil, errors.New("keys update: --expires-in and --no-expiry contradict each other")
		case set["expires-in"]:
			key.ExpireTime, paths = timestampAfter(*expiresIn), append(paths, "expire_time")
		case *noExpiry:
			paths = append(paths, "expire_time")
		}
		if lf.limitFlagsSet() {
			current, err := c.GetKey(ctx, connect.NewRequest(&switchboardv1.GetKeyRequest{Id: id}))
			if err != nil {
				return nil, err
			}
			if key.Limits, err = lf.apply(fs, current.Msg.GetKey().GetLimits()); err != nil {
				return nil, err
			}
			paths = append(paths, "limits")
		}
		if len(paths) == 0 {
			return nil, errors.New("keys update: nothing to change; give --name, --models, --tags, --expires-in, --no-expiry or a limit")
		}
		resp, err := c.UpdateKey(ctx, connect.NewRequest(&switchboardv1.UpdateKeyRequest{Key: key, UpdateMask: &fieldmaskpb.FieldMask{Paths: paths}}))
		if err != nil {
			return nil, err
		}
		return resp.Msg, nil
	}
}

func printKeys(e env, msg proto.Message) {
	var keys []*switchboardv1.Key
	switch m := msg.(type) {
	case *switchboardv1.CreateKeyResponse:
		fmt.Fprintf(e.stdout, "key id: %s\nteam:   %s\nsecret: %s\n\nThe secret is shown once: store it now. Use it as \"Authorization: Bearer <secret>\".\n",
			m.GetKey().GetId(), m.GetKey().GetTeamId(), m.GetSecret())
		return
	case *switchboardv1.RotateKeyResponse:
		fmt.Fprintf(e.stdout, "key id: %s\nsecret: %s\n\nThe new secret is shown once: store it now. The old one keeps working for the grace period.\n",
			m.GetKey().GetId(), m.GetSecret())
		return
	case *switchboardv1.ListKeysResponse:
		keys = m.Keys
	case *switchboardv1.GetKeyResponse:
		keys = []*switchboardv1.Key{m.Key}
	case *switchboardv1.RevokeKeyResponse:
		keys = []*switchboardv1.Key{m.Key}
	case *switchboardv1.UpdateKeyResponse:
		keys = []*switchboardv1.Key{m.Key}
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tTEAM\tUSER\tPREFIX\tMODELS\tTAGS\tLIMITS\tCREATED\tLAST USED\tSTATUS")
	for _, k := range keys {
		models := strings.Join(k.GetAllowedModels(), ",")
		if models == "" {
			models = "*"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.GetId(), k.GetName(), k.GetTeamId(), orDash(k.GetUserId()),
			k.GetSecretPrefix(), models, orDash(strings.Join(k.GetTags(), ",")), formatLimits(k.GetLimits()),
			formatTime(k.GetCreateTime()), formatTime(k.GetLastUsedTime()), keyStatus(k.GetRevokeTime(), k.GetExpireTime()))
	}
	tw.Flush()
}

func formatLimits(l *switchboardv1.KeyLimits) string {
	var parts []string
	if n := l.GetRequestsPerMinute(); n > 0 {
		parts = append(parts, fmt.Sprintf("%d rpm", n))
	}
	if n := l.GetTokensPerMinute(); n > 0 {
		parts = append(parts, fmt.Sprintf("%d tpm", n))
	}
	if n := l.GetBudgetNanoUsd(); n > 0 {
		period := ""
		switch l.GetBudgetPeriod() {
		case switchboardv1.BudgetPeriod_BUDGET_PERIOD_DAILY:
			period = "/day"
		case switchboardv1.BudgetPeriod_BUDGET_PERIOD_MONTHLY:
			period = "/month"
		}
		parts = append(parts, formatUSD(n)+period)
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}
