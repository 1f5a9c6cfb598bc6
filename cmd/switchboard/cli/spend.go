package cli

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/timestamppb"

	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/llm"
)

const spendUsage = `Usage:
  switchboard spend [--since T] [--until T] [--group-by key,model,day] [--key ID] [--team ID] [--user ID] [--csv | --json]

Totals the spend ledger over [--since, --until), grouped by any of: key, team, user, model,
provider, deployment, alias, day (UTC). T is a date (2025-11-01), an RFC 3339 time, or a duration
back from now (24h, 7d). Defaults: the last 30 days until now, one total. --csv writes a header
row and one row per group, with the cost in decimal USD and in nano-USD.

`

// spendDimensionNames maps --group-by names to the API's dimensions.
var spendDimensionNames = map[string]switchboardv1.SpendDimension{
	"key":        switchboardv1.SpendDimension_SPEND_DIMENSION_KEY,
	"team":       switchboardv1.SpendDimension_SPEND_DIMENSION_TEAM,
	"user":       switchboardv1.SpendDimension_SPEND_DIMENSION_USER,
	"model":      switchboardv1.SpendDimension_SPEND_DIMENSION_MODEL,
	"provider":   switchboardv1.SpendDimension_SPEND_DIMENSION_PROVIDER,
	"deployment": switchboardv1.SpendDimension_SPEND_DIMENSION_DEPLOYMENT,
	"alias":      switchboardv1.SpendDimension_SPEND_DIMENSION_ALIAS,
	"day":        switchboardv1.SpendDimension_SPEND_DIMENSION_DAY,
}

func spendCommand(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("spend", e)
	fs.Usage = func() { fmt.Fprint(e.stderr, spendUsage+adminCommonUsage) }
	af := addAdminFlags(fs)
	since := fs.String("since", "30d", "start of the range: a date, an RFC 3339 time, or a duration back from now")
	until := fs.String("until", "", "end of the range (exclusive; default now)")
	groupBy := fs.String("group-by", "", "comma-separated dimensions: key, team, user, model, provider, deployment, alias, day")
	key := fs.String("key", "", "only this key's spend")
	team := fs.String("team", "", "only this team's spend")
	user := fs.String("user", "", "only this user's spend")
	asCSV := fs.Bool("csv", false, "write CSV")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(positional) > 0 {
		return fmt.Errorf("spend: unexpected argument %q", positional[0])
	}
	if *asCSV && *af.json {
		return errors.New("spend: give --csv or --json, not both")
	}
	now := time.Now()
	req := &switchboardv1.QuerySpendRequest{KeyId: *key, TeamId: *team, UserId: *user}
	from, err := parseWhen(*since, now)
	if err != nil {
		return fmt.Errorf("spend: --since: %w", err)
	}
	req.StartTime = timestamppb.New(from)
	if *until != "" {
		to, err := parseWhen(*until, now)
		if err != nil {
			return fmt.Errorf("spend: --until: %w", err)
		}
		req.EndTime = timestamppb.New(to)
	}
	var dims []string
	for _, name := range splitList(*groupBy) {
		d, ok := spendDimensionNames[strings.ToLower(name)]
		if !ok {
			return fmt.Errorf("spend: --group-by: unknown dimension %q (want key, team, user, model, provider, deployment, alias, day)", name)
		}
		req.GroupBy = append(req.GroupBy, d)
		dims = append(dims, strings.ToLower(name))
	}

	client, err := adminClient(af, e)
	if err != nil {
		return err
	}
	stream, err := client.QuerySpend(ctx, connect.NewRequest(req))
	if err != nil {
		return describeRPCError(err)
	}
	defer stream.Close()
	var out spendWriter
	switch {
	case *asCSV:
		out = newSpendCSV(e.stdout, dims)
	case *af.json:
		out = &spendJSON{w: e.stdout, all: &switchboardv1.QuerySpendResponse{}}
	default:
		out = newSpendTable(e.stdout, dims)
	}
	for stream.Receive() {
		for _, row := range stream.Msg().GetRows() {
			if err := out.row(row); err != nil {
				return err
			}
		}
	}
	if err := stream.Err(); err != nil {
		return describeRPCError(err)
	}
	return out.flush()
}

// parseWhen reads a point in time: a duration back from now ("24h",
// "7d"), a date (UTC midnight) or an RFC 3339 time.
func parseWhen(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 {
			return now.AddDate(0, 0, -n), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date (2025-11-01), an RFC 3339 time or a duration (24h, 7d)", s)
}

// spendWriter prints rows as they stream in.
type spendWriter interface {
	row(*switchboardv1.SpendRow) error
	flush() error
}

// dimensionValue is the row's value of a grouped dimension, as printed.
func dimensionValue(r *switchboardv1.SpendRow, dim string) string {
	switch dim {
	case "key":
		return r.GetKeyId()
	case "team":
		return r.GetTeamId()
	case "user":
		return r.GetUserId()
	case "model":
		return r.GetModel()
	case "provider":
		return r.GetProvider()
	case "deployment":
		return r.GetDeployment()
	case "alias":
		return r.GetAlias()
	case "day":
		if d := r.GetDay(); d != nil {
			return d.AsTime().UTC().Format(time.DateOnly)
		}
	}
	return ""
}

var spendCSVHeader = []string{"requests", "attempts", "input_tokens", "cached_input_tokens", "cache_write_tokens",
	"output_tokens", "reasoning_tokens", "cost_usd", "cost_nano_usd", "estimated_attempts", "unpriced_attempts"}

type spendCSV struct {
	w    *csv.Writer
	dims []string
}

func newSpendCSV(w io.Writer, dims []string) *spendCSV {
	c := &spendCSV{w: csv.NewWriter(w), dims: dims}
	_ = c.w.Write(append(append([]string(nil), dims...), spendCSVHeader...))
	return c
}

func (c *spendCSV) row(r *switchboardv1.SpendRow) error {
	rec := make([]string, 0, len(c.dims)+len(spendCSVHeader))
	for _, d := range c.dims {
		rec = append(rec, dimensionValue(r, d))
	}
	u, nano := r.GetUsage(), r.GetCost().GetNanoUsd()
	for _, n := range []int64{r.GetRequests(), r.GetAttempts(), u.GetInputTokens(), u.GetCachedInputTokens(), u.GetCacheWriteTokens(),
		u.GetOutputTokens(), u.GetReasoningTokens()} {
		rec = append(rec, strconv.FormatInt(n, 10))
	}
	rec = append(rec, llm.FormatUSD(nano), strconv.FormatInt(nano, 10),
		strconv.FormatInt(r.GetEstimatedAttempts(), 10), strconv.FormatInt(r.GetUnpricedAttempts(), 10))
	return c.w.Write(rec)
}

func (c *spendCSV) flush() error {
	c.w.Flush()
	return c.w.Error()
}

type spendJSON struct {
	w   io.Writer
	all *switchboardv1.QuerySpendResponse
}

func (j *spendJSON) row(r *switchboardv1.SpendRow) error {
	j.all.Rows = append(j.all.Rows, r)
	return nil
}

func (j *spendJSON) flush() error {
	b, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(j.all)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(j.w, string(b))
	return err
}

type spendTable struct {
	tw    *tabwriter.Writer
	dims  []string
	total int64
	rows  int
}

func newSpendTable(w io.Writer, dims []string) *spendTable {
	t := &spendTable{tw: tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight), dims: dims}
	var head []string
	for _, d := range dims {
		head = append(head, strings.ToUpper(d))
	}
	head = append(head, "REQUESTS", "ATTEMPTS", "INPUT", "CACHED", "OUTPUT", "COST USD", "FLAGS")
	fmt.Fprintln(t.tw, strings.Join(head, "\t")+"\t")
	return t
}

func (t *spendTable) row(r *switchboardv1.SpendRow) error {
	var cells []string
	for _, d := range t.dims {
		cells = append(cells, orDash(dimensionValue(r, d)))
	}
	u := r.GetUsage()
	var flags []string
	if n := r.GetEstimatedAttempts(); n > 0 {
		flags = append(flags, fmt.Sprintf("%d estimated", n))
	}
	if n := r.GetUnpricedAttempts(); n > 0 {
		flags = append(flags, fmt.Sprintf("%d unpriced", n))
	}
	cells = append(cells, strconv.FormatInt(r.GetRequests(), 10), strconv.FormatInt(r.GetAttempts(), 10),
		strconv.FormatInt(u.GetInputTokens(), 10), strconv.FormatInt(u.GetCachedInputTokens(), 10),
		strconv.FormatInt(u.GetOutputTokens(), 10), llm.FormatUSD(r.GetCost().GetNanoUsd()), orDash(strings.Join(flags, ", ")))
	fmt.Fprintln(t.tw, strings.Join(cells, "\t")+"\t")
	t.total += r.GetCost().GetNanoUsd()
	t.rows++
	return nil
}

func (t *spendTable) flush() error {
	if err := t.tw.Flush(); err != nil {
		return err
	}
	if t.rows > 1 {
		_, err := fmt.Fprintf(t.tw, "total: %s USD over %d groups\n", llm.FormatUSD(t.total), t.rows)
		return errors.Join(err, t.tw.Flush())
	}
	return nil
}
