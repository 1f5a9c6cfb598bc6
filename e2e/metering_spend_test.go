package e2e_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/switchboard-gw/switchboard/cmd/switchboard/cli"
	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
)

// Spend through AdminService.QuerySpend and `switchboard spend`: admins
// and auditors see every team's, a team admin only their own team's, and
// the CLI exports CSV.
func TestSpendQueriesAndExport(t *testing.T) {
	g := serveInProcess(t, `
defaults: {demo: false, env_providers: false}
ledger: {flush_interval: 20ms}
providers:
  sim: {kind: sim}
deployments:
  mini: {provider: sim, model: gpt-4o-mini}
  haiku: {provider: sim, model: claude-haiku-4-5}
aliases:
  mini: {deployments: [mini]}
  haiku: {deployments: [haiku]}
`, t.TempDir(), nil)
	ctx := context.Background()
	root := g.admin()
	team := func(name string) string {
		resp, err := root.CreateTeam(ctx, connect.NewRequest(&switchboardv1.CreateTeamRequest{Name: name}))
		if err != nil {
			t.Fatal(err)
		}
		return resp.Msg.GetTeam().GetId()
	}
	teamA, teamB := team("alpha"), team("beta")
	keyIn := func(teamID string) (string, string) {
		resp, err := root.CreateKey(ctx, connect.NewRequest(&switchboardv1.CreateKeyRequest{Name: "k", TeamId: teamID}))
		if err != nil {
			t.Fatal(err)
		}
		return resp.Msg.GetKey().GetId(), resp.Msg.GetSecret()
	}
	keyA, secretA := keyIn(teamA)
	keyB, secretB := keyIn(teamB)
	for _, c := range []struct{ secret, model string }{{secretA, "mini"}, {secretA, "haiku"}, {secretA, "haiku"}, {secretB, "mini"}} {
		resp, err := g.shimRequest(ctx, c.secret, chatRequest(c.model, "hello", false))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	a := g.keySpend(t, keyA, 3)
	b := g.keySpend(t, keyB, 1)

	credential := func(role switchboardv1.AdminRole, teamID string) switchboardv1connect.AdminServiceClient {
		resp, err := root.CreateAdminKey(ctx, connect.NewRequest(&switchboardv1.CreateAdminKeyRequest{Name: "c", Role: role, TeamId: teamID}))
		if err != nil {
			t.Fatal(err)
		}
		return switchboardv1connect.NewAdminServiceClient(g.http, g.url, connect.WithInterceptors(meterBearer(resp.Msg.GetSecret())))
	}
	byTeam := []switchboardv1.SpendDimension{switchboardv1.SpendDimension_SPEND_DIMENSION_TEAM}
	query := func(c switchboardv1connect.AdminServiceClient, teamID string) ([]*switchboardv1.SpendRow, error) {
		return g.trySpendWith(c, &switchboardv1.QuerySpendRequest{GroupBy: byTeam, TeamId: teamID})
	}
	rows, err := query(root, "")
	if err != nil || len(rows) != 2 {
		t.Fatalf("admin: %v, %v", rows, err)
	}
	rows, err = query(credential(switchboardv1.AdminRole_ADMIN_ROLE_AUDITOR, ""), "")
	if err != nil || len(rows) != 2 {
		t.Errorf("auditor: %v, %v", rows, err)
	}
	teamAdmin := credential(switchboardv1.AdminRole_ADMIN_ROLE_TEAM_ADMIN, teamA)
	rows, err = query(teamAdmin, "")
	if err != nil || len(rows) != 1 || rows[0].GetTeamId() != teamA || rows[0].GetCost().GetNanoUsd() != a.GetCost().GetNanoUsd() {
		t.Errorf("team admin, own team: %v, %v", rows, err)
	}
	if _, err := query(teamAdmin, teamB); connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Errorf("team admin asking for another team: %v", err)
	}
	virtualKey := switchboardv1connect.NewAdminServiceClient(g.http, g.url, connect.WithInterceptors(meterBearer(secretA)))
	if _, err := query(virtualKey, ""); connect.CodeOf(err) != connect.CodeUnauthenticated && connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Errorf("a virtual key: %v", err)
	}
	noStart, err := root.QuerySpend(ctx, connect.NewRequest(&switchboardv1.QuerySpendRequest{}))
	if err == nil {
		for noStart.Receive() {
		}
		err = noStart.Err()
	}
	if connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Errorf("a query without a start: %v", err)
	}

	// The CLI's CSV export: a header, one row per group, dollars and
	// nano-dollars.
	var out, errOut bytes.Buffer
	if code := cli.Run(ctx, []string{"spend", "--url", g.url, "--since", "1d", "--until", time.Now().Add(time.Hour).UTC().Format(time.RFC3339), "--group-by", "team,model", "--csv"}, &out, &errOut); code != 0 {
		t.Fatalf("switchboard spend: exit %d: %s", code, errOut.String())
	}
	records, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v\n%s", err, out.String())
	}
	header := records[0]
	if header[0] != "team" || header[1] != "model" || header[len(header)-4] != "cost_usd" || header[len(header)-3] != "cost_nano_usd" {
		t.Fatalf("header %v", header)
	}
	if len(records) != 4 { // alpha: two models, beta: one
		t.Fatalf("CSV rows %v", records)
	}
	var total int64
	for _, r := range records[1:] {
		nano, err := strconv.ParseInt(r[len(r)-3], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		if usd, _ := parseUSD(r[len(r)-4]); usd != nano {
			t.Errorf("row %v: %s USD is not %d nano-USD", r, r[len(r)-4], nano)
		}
		total += nano
	}
	if want := a.GetCost().GetNanoUsd() + b.GetCost().GetNanoUsd(); total != want || total == 0 {
		t.Errorf("CSV total %d, ledger %d", total, want)
	}
}
