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
  switchboard teams update ID [--name NAME] [--payload-capture on|off] [--payload-retention-days N]
  switchboard teams delete ID [--force]

--payload-capture on keeps the team's request and response bodies in the audit trail, with e-mail
addresses, phone numbers, card numbers, IBANs, IP addresses, SSNs and API keys replaced by
placeholders, for --payload-retention-days (0: the gateway's default). delete removes the team
with its users and keys; a team with live keys is refused unless --force.

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
		capture := fs.String("payload-capture", "", "on or off: capture the team's request and response bodies (redacted)")
		retention := fs.Int("payload-retention-days", 0, "days captured payloads are kept (0: the gateway's default)")
		run = func(ctx context.Context, c switchboardv1connect.AdminServiceClient, rest []string) (proto.Message, error) {
			id, err := oneID("teams update", rest)
			if err != nil {
				return nil, err
			}
			team := &switchboardv1.Team{Id: id, Name: *name, PayloadRetentionDays: int32(*retention)}
			var paths []string
			set := setFlags(fs)
			if set["name"] {
				paths = append(paths, "name")
			}
			if set["payload-capture"] {
				switch *capture {
				case "on":
					team.PayloadCapture = true
				case "off":
				default:
					return nil, fmt.Errorf("teams update: --payload-capture %q: want on or off", *capture)
				}
				paths = append(paths, "payload_capture")
			}
			if set["payload-retention-days"] {
				paths = append(paths, "payload_retention_days")
			}
			if len(paths) == 0 {
				return nil, errors.New("teams update: nothing to change; give --name, --payload-capture or --payload-retention-days")
			}
			resp, err := c.UpdateTeam(ctx, connect.NewRequest(&switchboardv1.UpdateTeamRequest{Team: team, UpdateMask: &fieldmaskpb.FieldMask{Paths: paths}}))
			if err != nil {
				return nil, err
			}
			return resp.Msg, nil
		}
	case "delete":
		force := fs.Bool("force", false, "delete the team's live keys too")
		return adminCommand(ctx, e, fs, af, args[1:], deleteTeam(force), printTeamDeletion)
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
	fmt.Fprintln(tw, "ID\tNAME\tCREATED\tUPDATED\tPAYLOAD CAPTURE")
	for _, t := range teams {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.GetId(), t.GetName(), formatTime(t.GetCreateTime()), formatTime(t.GetUpdateTime()), captureSetting(t))
	}
	tw.Flush()
}

func captureSetting(t *switchboardv1.Team) string {
	switch {
	case !t.GetPayloadCapture():
		return "off"
	case t.GetPayloadRetentionDays() > 0:
		return fmt.Sprintf("on, %d days", t.GetPayloadRetentionDays())
	}
	return "on"
}
