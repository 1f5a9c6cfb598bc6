package cli

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
)

const usersUsage = `Usage:
  switchboard users create --team ID --name NAME [--email ADDRESS]
  switchboard users list [--team ID]
  switchboard users get ID
  switchboard users update ID [--name NAME] [--email ADDRESS]
  switchboard users delete ID [--force]
  switchboard users export ID [--out FILE.json]
  switchboard users delete-data ID --yes

delete removes a user and their keys (--force: even live keys). export writes everything stored
about a user (GDPR article 15) as JSON; delete-data erases it (article 17): it revokes and deletes
their keys, deletes their request records and captured payloads, erases their details from the
audit trail and deletes the user. Auditors may export, not erase.

`

func users(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usersUsage+adminCommonUsage)
		return errUsage
	}
	fs := newFlagSet("users "+args[0], e)
	af := addAdminFlags(fs)
	var run adminRun
	switch args[0] {
	case "create":
		team := fs.String("team", "", "team id (team admins: their own team by default)")
		name := fs.String("name", "", "user name (required)")
		email := fs.String("email", "", "email address")
		run = func(ctx context.Context, c switchboardv1connect.AdminServiceClient, _ []string) (proto.Message, error) {
			if *name == "" {
				return nil, errors.New("users create: --name is required")
			}
			resp, err := c.CreateUser(ctx, connect.NewRequest(&switchboardv1.CreateUserRequest{TeamId: *team, Name: *name, Email: *email}))
			if err != nil {
				return nil, err
			}
			return resp.Msg, nil
		}
	case "list":
		team := fs.String("team", "", "only this team's users")
		run = func(ctx context.Context, c switchboardv1connect.AdminServiceClient, _ []string) (proto.Message, error) {
			out := &switchboardv1.ListUsersResponse{}
			for token := ""; ; {
				resp, err := c.ListUsers(ctx, connect.NewRequest(&switchboardv1.ListUsersRequest{PageSize: 1000, PageToken: token, TeamId: *team}))
				if err != nil {
					return nil, err
				}
				out.Users = append(out.Users, resp.Msg.Users...)
				if token = resp.Msg.NextPageToken; token == "" {
					return out, nil
				}
			}
		}
	case "get":
		run = func(ctx context.Context, c switchboardv1connect.AdminServiceClient, rest []string) (proto.Message, error) {
			id, err := oneID("users get", rest)
			if err != nil {
				return nil, err
			}
			resp, err := c.GetUser(ctx, connect.NewRequest(&switchboardv1.GetUserRequest{Id: id}))
			if err != nil {
				return nil, err
			}
			return resp.Msg, nil
		}
	case "update":
		name := fs.String("name", "", "new name")
		email := fs.String("email", "", `new email address ("" to forget it)`)
		run = func(ctx context.Context, c switchboardv1connect.AdminServiceClient, rest []string) (proto.Message, error) {
			id, err := oneID("users update", rest)
			if err != nil {
				return nil, err
			}
			set := setFlags(fs)
			var paths []string
			if set["name"] {
				paths = append(paths, "name")
			}
			if set["email"] {
				paths = append(paths, "email")
			}
			if len(paths) == 0 {
				return nil, errors.New("users update: nothing to change; give --name or --email")
			}
			resp, err := c.UpdateUser(ctx, connect.NewRequest(&switchboardv1.UpdateUserRequest{
				User: &switchboardv1.User{Id: id, Name: *name, Email: *email}, UpdateMask: &fieldmaskpb.FieldMask{Paths: paths}}))
			if err != nil {
				return nil, err
			}
			return resp.Msg, nil
		}
	case "delete":
		force := fs.Bool("force", false, "delete the user's live keys too")
		return adminCommand(ctx, e, fs, af, args[1:], deleteUser(force), printUserDeletion)
	case "export":
		out := fs.String("out", "", "write the export to this file (mode 0600) instead of standard output")
		return adminCommand(ctx, e, fs, af, args[1:], func(ctx context.Context, c switchboardv1connect.AdminServiceClient, rest []string) (proto.Message, error) {
			return exportUserData(*out)(ctx, c, rest)
		}, func(e env, m proto.Message) { printExport(*out)(e, m) })
	case "delete-data":
		yes := fs.Bool("yes", false, "confirm the erasure, which cannot be undone")
		return adminCommand(ctx, e, fs, af, args[1:], deleteUserData(yes), printErasure)
	default:
		fmt.Fprintf(e.stderr, "switchboard users: unknown subcommand %q\n\n%s%s", args[0], usersUsage, adminCommonUsage)
		return errUsage
	}
	return adminCommand(ctx, e, fs, af, args[1:], run, printUsers)
}

func printUsers(e env, msg proto.Message) {
	var users []*switchboardv1.User
	switch m := msg.(type) {
	case *switchboardv1.ListUsersResponse:
		users = m.Users
	case interface{ GetUser() *switchboardv1.User }:
		users = []*switchboardv1.User{m.GetUser()}
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTEAM\tNAME\tEMAIL\tCREATED")
	for _, u := range users {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.GetId(), u.GetTeamId(), u.GetName(), orDash(u.GetEmail()), formatTime(u.GetCreateTime()))
	}
	tw.Flush()
}
