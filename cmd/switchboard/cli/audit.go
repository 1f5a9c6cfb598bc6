package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
)

const auditUsage = `Usage:
  switchboard audit list [--since T] [--until T] [--action A] [--actor ID] [--team ID] [--target ID] [--limit N] [--json]
  switchboard audit requests [--since T] [--until T] [--team ID] [--user ID] [--key ID] [--model ALIAS] [--limit N] [--json]

list shows the audit trail, newest first: every admin change with its actor, target, before and
after (--json prints them in full). --action takes a name (key.revoke) or a prefix (key.*);
--actor an admin key id or "bootstrap". requests shows the record kept of each completion and
embeddings request. T is a date, an RFC 3339 time or a duration back from now (24h, 7d).
--limit bounds the lines printed (default 100; 0: all).

`

func auditCommand(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, auditUsage+adminCommonUsage)
		return errUsage
	}
	fs := newFlagSet("audit "+args[0], e)
	af := addAdminFlags(fs)
	since := fs.String("since", "", "only after this time")
	until := fs.String("until", "", "only before this time")
	team := fs.String("team", "", "only this team's")
	limit := fs.Int("limit", 100, "at most this many (0: all)")
	var run adminRun
	var print func(env, proto.Message)
	switch args[0] {
	case "list":
		action := fs.String("action", "", `only this action ("key.revoke") or prefix ("key.*")`)
		actor := fs.String("actor", "", `only this admin key id, or "bootstrap"`)
		target := fs.String("target", "", "only events about this key, team or user id")
		run = func(ctx context.Context, c switchboardv1connect.AdminServiceClient, rest []string) (proto.Message, error) {
			if len(rest) > 0 {
				return nil, fmt.Errorf("audit list: unexpected argument %q", rest[0])
			}
			req := &switchboardv1.ListAuditEventsRequest{Action: *action, Actor: *actor, TeamId: *team, TargetId: *target}
			var err error
			if req.StartTime, req.EndTime, err = timeRange("audit list", *since, *until); err != nil {
				return nil, err
			}
			out := &switchboardv1.ListAuditEventsResponse{}
			for {
				req.PageSize = pageFor(*limit, len(out.Events))
				resp, err := c.ListAuditEvents(ctx, connect.NewRequest(req))
				if err != nil {
					return nil, err
				}
				out.Events = append(out.Events, resp.Msg.GetEvents()...)
				if req.PageToken = resp.Msg.GetNextPageToken(); req.PageToken == "" || full(*limit, len(out.Events)) {
					return out, nil
				}
			}
		}
		print = printAuditEvents
	case "requests":
		user := fs.String("user", "", "only this user's")
		key := fs.String("key", "", "only this key's")
		model := fs.String("model", "", "only requests for this model alias")
		run = func(ctx context.Context, c switchboardv1connect.AdminServiceClient, rest []string) (proto.Message, error) {
			if len(rest) > 0 {
				return nil, fmt.Errorf("audit requests: unexpected argument %q", rest[0])
			}
			req := &switchboardv1.ListRequestRecordsRequest{TeamId: *team, UserId: *user, KeyId: *key, Alias: *model}
			var err error
			if req.StartTime, req.EndTime, err = timeRange("audit requests", *since, *until); err != nil {
				return nil, err
			}
			out := &switchboardv1.ListRequestRecordsResponse{}
			for {
				req.PageSize = pageFor(*limit, len(out.Records))
				resp, err := c.ListRequestRecords(ctx, connect.NewRequest(req))
				if err != nil {
					return nil, err
				}
				out.Records = append(out.Records, resp.Msg.GetRecords()...)
				if req.PageToken = resp.Msg.GetNextPageToken(); req.PageToken == "" || full(*limit, len(out.Records)) {
					return out, nil
				}
			}
		}
		print = printRequestRecords
	default:
		fmt.Fprintf(e.stderr, "switchboard audit: unknown subcommand %q\n\n%s%s", args[0], auditUsage, adminCommonUsage)
		return errUsage
	}
	return adminCommand(ctx, e, fs, af, args[1:], run, print)
}

// timeRange reads --since and --until.
func timeRange(cmd, since, until string) (from, to *timestamppb.Timestamp, err error) {
	now := time.Now()
	if since != "" {
		t, err := parseWhen(since, now)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: --since: %w", cmd, err)
		}
		from = timestamppb.New(t)
	}
	if until != "" {
		t, err := parseWhen(until, now)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: --until: %w", cmd, err)
		}
		to = timestamppb.New(t)
	}
	return from, to, nil
}

// pageFor is the page size that fetches no more than limit in all.
func pageFor(limit, have int) int32 {
	if limit <= 0 || limit-have >= 1000 {
		return 1000
	}
	return int32(limit - have)
}

func full(limit, have int) bool { return limit > 0 && have >= limit }

func printAuditEvents(e env, msg proto.Message) {
	events := msg.(*switchboardv1.ListAuditEventsResponse).GetEvents()
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tACTOR\tACTION\tTARGET\tTEAM\tOUTCOME\tCHANGED")
	for _, ev := range events {
		actor := ev.GetActor()
		if r := ev.GetActorRole(); r != switchboardv1.AdminRole_ADMIN_ROLE_UNSPECIFIED && actor != "bootstrap" {
			actor += " (" + roleName(r) + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", formatTime(ev.GetTime()), actor, ev.GetAction(),
			orDash(ev.GetTargetId()), orDash(ev.GetTeamId()), ev.GetOutcome(), changedFields(ev))
	}
	tw.Flush()
}

// changedFields names the fields whose values differ between before and
// after ("-" when there is no before to compare with).
func changedFields(ev *switchboardv1.AuditEvent) string {
	before, after := ev.GetBefore().AsMap(), ev.GetAfter().AsMap()
	if ev.GetBefore() == nil || ev.GetAfter() == nil {
		return "-"
	}
	var changed []string
	seen := map[string]bool{}
	for _, m := range []map[string]any{before, after} {
		for k := range m {
			if seen[k] || strings.HasSuffix(k, "_time") {
				continue
			}
			seen[k] = true
			b, _ := json.Marshal(before[k])
			a, _ := json.Marshal(after[k])
			if string(a) != string(b) {
				changed = append(changed, k)
			}
		}
	}
	if len(changed) == 0 {
		return "-"
	}
	slices.Sort(changed)
	return strings.Join(changed, ",")
}

func printRequestRecords(e env, msg proto.Message) {
	recs := msg.(*switchboardv1.ListRequestRecordsResponse).GetRecords()
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tREQUEST\tKEY\tUSER\tMODEL\tSTATUS\tTOKENS IN/OUT\tCOST\tLATENCY")
	for _, r := range recs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d/%d\t%s\t%s\n", formatTime(r.GetTime()), r.GetRequestId(), orDash(r.GetKeyId()),
			orDash(r.GetUserId()), r.GetAlias(), r.GetStatus(), r.GetInputTokens(), r.GetOutputTokens(),
			formatUSD(r.GetCostNanoUsd()), r.GetLatency().AsDuration().Round(time.Millisecond))
	}
	tw.Flush()
}
