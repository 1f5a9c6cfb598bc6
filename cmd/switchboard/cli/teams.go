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

const teamsUsage = `Usage:
  switchboard teams create --name NAME
  switchboard teams list
  switchboard teams get ID
  switchboard teams update ID --name NAME

`

func teams(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, teamsUsage+adminCommonUsage)
		return errUsage
	}
	fs := newFlagSet("teams "+args[0], e)
	af := addAdminFlags(fs)
	var run adminRun
	switch args[0] {
	case "create":
		name := fs.String("name", "", "team name (required, unique)")
		run = func(ctx context.Context, c switchboardv1connect.AdminServiceClient, _ []string) (proto.Message, error) {
			if *name == "" {
				return nil, errors.New("teams create: --name is required")
			}
			resp, err := c.CreateTeam(ctx, connect.NewRequest(&switchboardv1.CreateTeamRequest{Name: *name}))
			if err != nil {
				return nil, err
			}
			return resp.Msg, nil
		}
	case "list":
		run = func(ctx context.Context, c switchboardv1connect.AdminServiceClient, _ []string) (proto.Message, error) {
			out := &switchboardv1.ListTeamsResponse{}
			for token := ""; ; {
				resp, err := c.ListTeams(ctx, connect.NewRequest(&switchboardv1.ListTeamsRequest{PageSize: 1000, PageToken: token}))
				if err != nil {
					return nil, err
				}
				out.Teams = append(out.Teams, resp.Msg.Teams...)
				if token = resp.Msg.NextPageToken; token == "" {
					return out, nil
				}
			}
		}
	case "get":
		run = func(ctx context.Context, c switchboardv1connect.AdminServiceClient, rest []string) (proto.Message, error) {
			id, err := oneID("teams get", rest)
			if err != nil {
				return nil, err
			}
			resp, err := c.GetTeam(ctx, connect.NewRequest(&switchboardv1.GetTeamRequest{Id: id}))
			if err != nil {
				return nil, err
			}
			return resp.Msg, nil
		}
	case "update":
		name := fs.String("name", "", "new name")
		run = func(ctx context.Context, c switchboardv1connect.AdminServiceClient, rest []string) (proto.Message, error) {
			id, err := oneID("teams update", rest)
			if err != nil {
				return nil, err
			}
			if !setFlags(fs)["name"] {
				return nil, errors.New("teams update: nothing to change; give --name")
			}
			resp, err := c.UpdateTeam(ctx, connect.NewRequest(&switchboardv1.UpdateTeamRequest{
				Team: &switchboardv1.Team{Id: id, Name: *name}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"name"}}}))
			if err != nil {
				return nil, err
			}
			return resp.Msg, nil
		}
	default:
		fmt.Fprintf(e.stderr, "switchboard teams: unknown subcommand %q\n\n%s%s", args[0], teamsUsage, adminCommonUsage)
		return errUsage
	}
	return adminCommand(ctx, e, fs, af, args[1:], run, printTeams)
}

func printTeams(e env, msg proto.Message) {
	var teams []*switchboardv1.Team
	switch m := msg.(type) {
	case *switchboardv1.ListTeamsResponse:
		teams = m.Teams
	case interface{ GetTeam() *switchboardv1.Team }:
		teams = []*switchboardv1.Team{m.GetTeam()}
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tCREATED\tUPDATED")
	for _, t := range teams {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.GetId(), t.GetName(), formatTime(t.GetCreateTime()), formatTime(t.GetUpdateTime()))
	}
	tw.Flush()
}
