package e2e_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/switchboard-gw/switchboard/billing/ledger"
	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/providers/sim"
	"github.com/switchboard-gw/switchboard/store/postgres"
	"github.com/switchboard-gw/switchboard/store/postgres/pgtest"
	"github.com/switchboard-gw/switchboard/store/sqlite"
)

// spendErasureConfig is the gateway of the spend erasure test: one priced
// deployment on a simulator (input at 1 USD and output at 3 USD a million
// tokens, so every request costs something), and the store (%s).
const spendErasureConfig = `
%s
defaults: {demo: false, env_providers: false}
ledger: {flush_interval: 20ms}
routing: {retry: {max_retries: 0}}
providers:
  upstream: {kind: openai, vendor: openai, base_url: %q, auth: none}
deployments:
  priced: {provider: upstream, model: sim-priced, pricing: {input: "1", output: "3"}}
aliases:
  chat: {deployments: [priced]}
`

// spendStore is the binary's store opened by the test, to verify what the
// erasure did where it was done.
type spendStore interface {
	ledger.Store
	Close() error
}

// A user's metered spend, through the real binary: the gateway meters the
// user's requests into the ledger; ExportUserData carries that spend per
// day, key and model, as the store holds it; DeleteUserData pseudonymizes
// it, and the store then holds no spend under the user's id, the same
// amounts under the pseudonym, and the same totals by key, team, model and
// day as before. On SQLite, and on PostgreSQL when the test server is
// there.
func TestUserSpendIsExportedThenPseudonymizedWithTheRealBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the switchboard binary")
	}
	t.Run("sqlite", func(t *testing.T) {
		dataDir := t.TempDir()
		testUserSpendErasure(t, dataDir, "", func(ctx context.Context) (spendStore, error) {
			return sqlite.Open(ctx, filepath.Join(dataDir, "switchboard.db"), sqlite.WithoutMigrations())
		})
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := pgtest.NewSchema(t)
		testUserSpendErasure(t, t.TempDir(), fmt.Sprintf("store: {driver: postgres, dsn: %q}", dsn), func(ctx context.Context) (spendStore, error) {
			return postgres.Open(ctx, postgres.Options{DSN: dsn, MaxConns: 2})
		})
	})
}

func testUserSpendErasure(t *testing.T, dataDir, storeYAML string, openStore func(context.Context) (spendStore, error)) {
	ctx := context.Background()
	upstream := httptest.NewServer(sim.New(sim.Options{}))
	t.Cleanup(upstream.Close)
	g := serveBinary(t, fmt.Sprintf(spendErasureConfig, storeYAML, upstream.URL+"/v1"), dataDir, nil)
	admin := g.admin()

	teamResp, err := admin.CreateTeam(ctx, connect.NewRequest(&switchboardv1.CreateTeamRequest{Name: "research"}))
	if err != nil {
		t.Fatal(err)
	}
	team := teamResp.Msg.GetTeam().GetId()
	userResp, err := admin.CreateUser(ctx, connect.NewRequest(&switchboardv1.CreateUserRequest{TeamId: team, Name: "Grace Hopper", Email: "grace@example.com"}))
	if err != nil {
		t.Fatal(err)
	}
	user := userResp.Msg.GetUser().GetId()
	key := func(req *switchboardv1.CreateKeyRequest) (id, secret string) {
		resp, err := admin.CreateKey(ctx, connect.NewRequest(req))
		if err != nil {
			t.Fatal(err)
		}
		return resp.Msg.GetKey().GetId(), resp.Msg.GetSecret()
	}
	userKey, userSecret := key(&switchboardv1.CreateKeyRequest{Name: "grace's laptop", UserId: user})
	serviceKey, serviceSecret := key(&switchboardv1.CreateKeyRequest{Name: "batch jobs", TeamId: team})

	// The user's requests, unary and streamed, and a service key's of the
	// same team, whose spend the erasure must not touch.
	send := func(secret string, i int, stream bool) {
		t.Helper()
		resp, err := g.shimRequest(ctx, secret, chatRequest("chat", fmt.Sprintf("Request %d: summarize the quarter.", i), stream))
		if err != nil {
			t.Fatal(err)
		}
		if stream {
			if s := readShimStream(t, resp, 0); !s.done {
				t.Fatalf("stream %d did not finish", i)
			}
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d: status %d", i, resp.StatusCode)
		}
	}
	for i := range 4 {
		send(userSecret, i, i%2 == 1)
	}
	for i := range 2 {
		send(serviceSecret, 10+i, false)
	}
	g.keySpend(t, userKey, 4) // waits for the ledger's writer
	g.keySpend(t, serviceKey, 2)

	st, err := openStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	window := ledger.Filter{From: now.Add(-48 * time.Hour), To: now.Add(48 * time.Hour)}
	rows := func(f ledger.Filter, by ...ledger.Dimension) []ledger.Row {
		t.Helper()
		var out []ledger.Row
		if err := st.QuerySpend(ctx, ledger.Query{Filter: f, GroupBy: by}, func(r ledger.Row) error {
			out = append(out, r)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	of := func(userID string) ledger.Filter {
		f := window
		f.UserID = userID
		return f
	}
	unchangedBy := []ledger.Dimension{ledger.ByDay, ledger.ByKey, ledger.ByTeam, ledger.ByModel, ledger.ByDeployment}
	before := rows(window, unchangedBy...)
	userRows := rows(of(user), ledger.ByDay, ledger.ByKey, ledger.ByModel)
	total := rows(of(user))
	if len(total) != 1 || total[0].Attempts != 4 || total[0].CostNanoUSD == 0 {
		t.Fatalf("the store holds %+v for the user, want 4 priced attempts", total)
	}
	userTotal := total[0].Totals

	t.Run("the export holds the user's spend per day, key and model", func(t *testing.T) {
		stream, err := admin.ExportUserData(ctx, connect.NewRequest(&switchboardv1.ExportUserDataRequest{UserId: user}))
		if err != nil {
			t.Fatal(err)
		}
		var spend []*switchboardv1.UserSpend
		for stream.Receive() {
			spend = append(spend, stream.Msg().GetSpend()...)
		}
		if err := stream.Err(); err != nil {
			t.Fatal(err)
		}
		if len(spend) != len(userRows) {
			t.Fatalf("the export has %d spend rows, the store %d: %v", len(spend), len(userRows), spend)
		}
		for i, got := range spend {
			want := userRows[i]
			if got.GetKeyId() != userKey || got.GetModel() != want.Model || !got.GetDay().AsTime().Equal(want.Day) ||
				got.GetRequests() != want.Requests || got.GetCostNanoUsd() != want.CostNanoUSD ||
				got.GetInputTokens() != want.Usage.InputTokens || got.GetOutputTokens() != want.Usage.OutputTokens {
				t.Errorf("exported spend %v, the store has %+v", got, want)
			}
		}
	})

	t.Run("the erasure pseudonymizes the spend, verified in the store", func(t *testing.T) {
		resp, err := admin.DeleteUserData(ctx, connect.NewRequest(&switchboardv1.DeleteUserDataRequest{UserId: user}))
		if err != nil {
			t.Fatal(err)
		}
		m := resp.Msg
		pseudonym := m.GetSpendPseudonym()
		if !m.GetSpendPseudonymized() || m.GetSpendRecordsPseudonymized() != 4 || !strings.HasPrefix(pseudonym, "erased_") {
			t.Fatalf("DeleteUserData: pseudonymized %v, %d records, pseudonym %q; want the 4 records under erased_...",
				m.GetSpendPseudonymized(), m.GetSpendRecordsPseudonymized(), pseudonym)
		}
		if got, err := st.SpendTotal(ctx, of(user)); err != nil || got != 0 {
			t.Errorf("the erased user's spend total is %d, %v; want 0", got, err)
		}
		if got := rows(of(user)); len(got) != 0 {
			t.Errorf("the store still has spend under the user's id: %+v", got)
		}
		if got := rows(of(pseudonym)); len(got) != 1 || got[0].Totals != userTotal {
			t.Errorf("the pseudonym has %+v, want the user's %+v", got, userTotal)
		}
		for _, r := range rows(window, ledger.ByUser) {
			if r.UserID == user {
				t.Errorf("spend grouped by user still names the user: %+v", r)
			}
		}
		after := rows(window, unchangedBy...)
		if fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("the totals by day, key, team, model and deployment changed:\nbefore %+v\n after %+v", before, after)
		}
		// What the admin API reports of the team is unchanged too.
		teamRows := g.spend(t, &switchboardv1.QuerySpendRequest{TeamId: team})
		var teamCost int64
		for _, r := range teamRows {
			teamCost += r.GetCost().GetNanoUsd()
		}
		var wantCost int64
		for _, r := range before {
			wantCost += r.CostNanoUSD
		}
		if teamCost != wantCost {
			t.Errorf("the team's spend is %d after the erasure, want %d", teamCost, wantCost)
		}
	})
}
