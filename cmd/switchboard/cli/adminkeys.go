package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
)

const adminKeysUsage = `Usage:
  switchboard admin-keys create --name NAME --role admin|team_admin|auditor [--team ID] [--expires-in 720h]
  switchboard admin-keys list [--all] [--team ID]
  switchboard admin-keys get ID
  switchboard admin-keys revoke ID
  switchboard admin-keys rotate ID [--grace 24h]
  switchboard whoami

Admin credentials ("sk-sbadmin-...") are issued by an admin. team_admin needs --team; an auditor may have one.
`

var adminRoles = map[string]switchboardv1.AdminRole{
	"admin":      switchboardv1.AdminRole_ADMIN_ROLE_ADMIN,
	"team_admin": switchboardv1.AdminRole_ADMIN_ROLE_TEAM_ADMIN,
	"auditor":    switchboardv1.AdminRole_ADMIN_ROLE_AUDITOR,
}

func roleName(r switchboardv1.AdminRole) string {
	for name, role := range adminRoles {
		if role == r {
			return name
		}
	}
	return "unknown"
}

func adminKeys(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, adminKeysUsage+adminCommonUsage)
		return errUsage
	}
	fs := newFlagSet("admin-keys "+args[0], e)
	af := addAdminFlags(fs)
	var run adminRun
	switch args[0] {
	case "create":
		name := fs.String("name", "", "credential name (required)")
		role := fs.String("role", "", "admin, team_admin or auditor (required)")
		team := fs.String("team", "", "team the credential is limited to")
		expiresIn := fs.Duration("expires-in", 0, "expire the credential after this long (default: never)")
		run = func(ctx context.Context, c switchboardv1connect.AdminServiceClient, _ []string) (proto.Message, error) {
			r, ok := adminRoles[*role]
			if *name == "" || !ok {
				return nil, errors.New("admin-keys create: --name and --role (admin, team_admin or auditor) are required")
			}
			req := &switchboardv1.CreateAdminKeyRequest{Name: *name, Role: r, TeamId: *team}
			if *expiresIn > 0 {
				req.ExpireTime = timestampAfter(*expiresIn)
			}
			resp, err := c.CreateAdminKey(ctx, connect.NewRequest(req))
			if err != nil {
				return nil, err
			}
			return resp.Msg, nil
		}
	case "list":
		all := fs.Bool("all", false, "include revoked credentials")
		team := fs.String("team", "", "only credentials limited to this team")
		run = func(ctx context.Context, c switchboardv1connect.AdminServiceClient, _ []string) (proto.Message, error) {
			out := &switchboardv1.ListAdminKeysResponse{}
			for token := ""; ; {
				resp, err := c.ListAdminKeys(ctx, connect.NewRequest(&switchboardv1.ListAdminKeysRequest{PageSize: 1000, PageToken: token, IncludeRevoked: *all, TeamId: *team}))
				if err != nil {
					return nil, err
				}
				out.AdminKeys = append(out.AdminKeys, resp.Msg.AdminKeys...)
				if token = resp.Msg.NextPageToken; token == "" {
					return out, nil
				}
			}
		}
	case "get", "revoke":
		verb := args[0]
		run = func(ctx context.Context, c switchboardv1connect.AdminServiceClient, rest []string) (proto.Message, error) {
			id, err := oneID("admin-keys "+verb, rest)
			if err != nil {
				return nil, err
			}
			if verb == "get" {
				resp, err := c.GetAdminKey(ctx, connect.NewRequest(&switchboardv1.GetAdminKeyRequest{Id: id}))
				if err != nil {
					return nil, err
				}
				return resp.Msg, nil
			}
			resp, err := c.RevokeAdminKey(ctx, connect.NewRequest(&switchboardv1.RevokeAdminKeyRequest{Id: id}))
			if err != nil {
				return nil, err
			}
			return resp.Msg, nil
		}
	case "rotate":
		grace := fs.Duration("grace", 24*time.Hour, "how long the old secret keeps working (0s: not at all)")
		run = func(ctx context.Context, c switchboardv1connect.AdminServiceClient, rest []string) (proto.Message, error) {
			id, err := oneID("admin-keys rotate", rest)
			if err != nil {
				return nil, err
			}
			resp, err := c.RotateAdminKey(ctx, connect.NewRequest(&switchboardv1.RotateAdminKeyRequest{Id: id, GracePeriod: durationpb.New(*grace)}))
			if err != nil {
				return nil, err
			}
			return resp.Msg, nil
		}
	default:
		fmt.Fprintf(e.stderr, "switchboard admin-keys: unknown subcommand %q\n\n%s%s", args[0], adminKeysUsage, adminCommonUsage)
		return errUsage
	}
	return adminCommand(ctx, e, fs, af, args[1:], run, printAdminKeys)
}

// whoami prints the role and team of the credential the CLI uses.
func whoami(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("whoami", e)
	af := addAdminFlags(fs)
	run := func(ctx context.Context, c switchboardv1connect.AdminServiceClient, _ []string) (proto.Message, error) {
		resp, err := c.GetCaller(ctx, connect.NewRequest(&switchboardv1.GetCallerRequest{}))
		if err != nil {
			return nil, err
		}
		return resp.Msg, nil
	}
	return adminCommand(ctx, e, fs, af, args, run, func(e env, msg proto.Message) {
		m := msg.(*switchboardv1.GetCallerResponse)
		id := m.GetAdminKeyId()
		if id == "" {
			id = "(bootstrap admin key)"
		}
		fmt.Fprintf(e.stdout, "credential: %s %s\nrole:       %s\nteam:       %s\n", id, m.GetName(), roleName(m.GetRole()), orDash(m.GetTeamId()))
	})
}

func printAdminKeys(e env, msg proto.Message) {
	var keys []*switchboardv1.AdminKey
	switch m := msg.(type) {
	case *switchboardv1.CreateAdminKeyResponse:
		fmt.Fprintf(e.stdout, "admin key id: %s\nrole:         %s\nsecret:       %s\n\nThe secret is shown once: store it now. Use it as SWITCHBOARD_ADMIN_KEY or \"Authorization: Bearer <secret>\".\n",
			m.GetAdminKey().GetId(), roleName(m.GetAdminKey().GetRole()), m.GetSecret())
		return
	case *switchboardv1.RotateAdminKeyResponse:
		fmt.Fprintf(e.stdout, "admin key id: %s\nsecret:       %s\n\nThe new secret is shown once: store it now.\n", m.GetAdminKey().GetId(), m.GetSecret())
		return
	case *switchboardv1.ListAdminKeysResponse:
		keys = m.AdminKeys
	case interface {
		GetAdminKey() *switchboardv1.AdminKey
	}:
		keys = []*switchboardv1.AdminKey{m.GetAdminKey()}
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tROLE\tTEAM\tPREFIX\tCREATED\tLAST USED\tSTATUS")
	for _, k := range keys {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.GetId(), k.GetName(), strings.ReplaceAll(roleName(k.GetRole()), "_", " "),
			orDash(k.GetTeamId()), k.GetSecretPrefix(), formatTime(k.GetCreateTime()), formatTime(k.GetLastUsedTime()),
			keyStatus(k.GetRevokeTime(), k.GetExpireTime()))
	}
	tw.Flush()
}
