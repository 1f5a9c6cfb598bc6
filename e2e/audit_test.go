package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/switchboard-gw/switchboard/audit"
	"github.com/switchboard-gw/switchboard/auth"
	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
	"github.com/switchboard-gw/switchboard/store/sqlite"
)

// auditAdminKey is the bootstrap admin key of the audit test's gateway.
const auditAdminKey = "sk-sbadmin-e2e-audit-bootstrap-admin-0123"

// startBinary runs the real `switchboard serve` with
// the default configuration (SQLite in dataDir, the simulator behind
// "demo") on a loopback port; it returns the gateway's URL. The process is
// stopped with SIGTERM when the test ends.
func startBinary(t *testing.T, dataDir string) string {
	t.Helper()
	bin := switchboardBinary(t) // limits_helpers_test.go: built once per test binary
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir)
	cmd.Env = append(os.Environ(), "SWITCHBOARD_ADMIN_KEY="+auditAdminKey, "OPENAI_API_KEY=", "SWITCHBOARD_ADDR=", "SWITCHBOARD_DATA_DIR=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	urls := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`listening on (http://\S+)`)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("switchboard serve: %v\n%s", err, stderr.String())
			}
		case <-time.After(time.Minute):
			_ = cmd.Process.Kill()
			t.Error("switchboard serve did not stop on SIGTERM")
		}
	})
	select {
	case url := <-urls:
		return url
	case err := <-exited:
		t.Fatalf("switchboard serve exited: %v\n%s", err, stderr.String())
	case <-time.After(2 * time.Minute):
		t.Fatalf("switchboard serve did not start\n%s", stderr.String())
	}
	return ""
}

// chatAs sends one chat completion through the OpenAI shim.
func chatAs(t *testing.T, g *idgw, secret, text string) int {
	t.Helper()
	body := `{"model":"demo","messages":[{"role":"user","content":` + quote(text) + `}]}`
	req, _ := http.NewRequest(http.MethodPost, g.url+"/v1/chat/completions", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "e2e-audit/1.0")
	resp, err := g.h2c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// The audit trail end to end, against the real binary: an admin change is
// recorded with its before and after and no secret; a user's data is
// exported, then erased, and the erasure is verified in the store; a team
// admin cannot read another team's events; an auditor can export but not
// erase.
func TestAuditTrailAndUserDataWithTheRealBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the switchboard binary")
	}
	ctx := context.Background()
	dataDir := t.TempDir()
	url := startBinary(t, dataDir)
	g := &idgw{url: url, h2c: h2cClient()}
	root := g.admin(auditAdminKey)

	team := func(name string) string {
		resp, err := root.CreateTeam(ctx, connect.NewRequest(&switchboardv1.CreateTeamRequest{Name: name}))
		if err != nil {
			t.Fatal(err)
		}
		return resp.Msg.GetTeam().GetId()
	}
	credential := func(name string, role switchboardv1.AdminRole, teamID string) string {
		resp, err := root.CreateAdminKey(ctx, connect.NewRequest(&switchboardv1.CreateAdminKeyRequest{Name: name, Role: role, TeamId: teamID}))
		if err != nil {
			t.Fatal(err)
		}
		return resp.Msg.GetSecret()
	}
	red, blue := team("red"), team("blue")
	userResp, err := root.CreateUser(ctx, connect.NewRequest(&switchboardv1.CreateUserRequest{TeamId: red, Name: "Ada Lovelace", Email: "ada@example.com"}))
	if err != nil {
		t.Fatal(err)
	}
	user := userResp.Msg.GetUser().GetId()
	key, secret := g.createKey(t, auditAdminKey, &switchboardv1.CreateKeyRequest{Name: "ada's", UserId: user})
	blueKey, _ := g.createKey(t, auditAdminKey, &switchboardv1.CreateKeyRequest{Name: "blue service", TeamId: blue})
	lead := credential("blue lead", switchboardv1.AdminRole_ADMIN_ROLE_TEAM_ADMIN, blue)
	auditor := credential("auditor", switchboardv1.AdminRole_ADMIN_ROLE_AUDITOR, "")
	secrets := []string{auditAdminKey, secret, lead, auditor}

	t.Run("an admin change is recorded with before and after and no secret", func(t *testing.T) {
		_, err := root.UpdateKey(ctx, connect.NewRequest(&switchboardv1.UpdateKeyRequest{
			Key:        &switchboardv1.Key{Id: key.GetId(), Name: "ada's laptop", Limits: &switchboardv1.KeyLimits{RequestsPerMinute: 60}},
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"name", "limits"}},
		}))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := root.ListAuditEvents(ctx, connect.NewRequest(&switchboardv1.ListAuditEventsRequest{Action: "key.update", TargetId: key.GetId()}))
		if err != nil || len(resp.Msg.GetEvents()) != 1 {
			t.Fatalf("ListAuditEvents: %v, %v", resp, err)
		}
		ev := resp.Msg.GetEvents()[0]
		before, after := ev.GetBefore().AsMap(), ev.GetAfter().AsMap()
		if before["name"] != "ada's" || after["name"] != "ada's laptop" || after["limits"] == nil || before["limits"] != nil {
			t.Errorf("before %v after %v", before, after)
		}
		if ev.GetActor() != audit.ActorBootstrap || ev.GetOutcome() != "ok" || ev.GetTeamId() != red || ev.GetRequestId() == "" || ev.GetClientAddress() != "127.0.0.1" {
			t.Errorf("event %+v", ev)
		}
		// No secret, and no key hash, anywhere in the trail.
		all, err := root.ListAuditEvents(ctx, connect.NewRequest(&switchboardv1.ListAuditEventsRequest{PageSize: 1000}))
		if err != nil {
			t.Fatal(err)
		}
		dump, _ := protojson.Marshal(all.Msg)
		for _, s := range secrets {
			if bytes.Contains(dump, []byte(s)) {
				t.Errorf("the audit trail holds a secret (%s...)", s[:10])
			}
		}
		if bytes.Contains(dump, []byte("hash")) {
			t.Errorf("the audit trail mentions a hash: %s", dump)
		}
		for _, action := range []string{"team.create", "user.create", "key.create", "admin_key.create", "key.update"} {
			if !bytes.Contains(dump, []byte(`"`+action+`"`)) {
				t.Errorf("no %s event in the trail", action)
			}
		}
	})

	t.Run("a team admin cannot read another team's events", func(t *testing.T) {
		c := g.admin(lead)
		_, err := c.ListAuditEvents(ctx, connect.NewRequest(&switchboardv1.ListAuditEventsRequest{TeamId: red}))
		if connectCode(err) != connect.CodePermissionDenied {
			t.Fatalf("team admin reading red's events: %v", err)
		}
		own, err := c.ListAuditEvents(ctx, connect.NewRequest(&switchboardv1.ListAuditEventsRequest{}))
		if err != nil || len(own.Msg.GetEvents()) == 0 {
			t.Fatalf("team admin reading its own events: %v, %v", own, err)
		}
		for _, ev := range own.Msg.GetEvents() {
			if ev.GetTeamId() != blue {
				t.Errorf("a blue team admin sees an event of team %q: %s", ev.GetTeamId(), ev.GetAction())
			}
		}
		if _, err := c.ListRequestRecords(ctx, connect.NewRequest(&switchboardv1.ListRequestRecordsRequest{TeamId: red})); connectCode(err) != connect.CodePermissionDenied {
			t.Errorf("team admin reading red's request records: %v", err)
		}
		if _, err := c.DeleteUserData(ctx, connect.NewRequest(&switchboardv1.DeleteUserDataRequest{UserId: user})); connectCode(err) != connect.CodePermissionDenied {
			t.Errorf("team admin erasing a red user: %v", err)
		}
		// The refused read is itself in the trail.
		denied, err := root.ListAuditEvents(ctx, connect.NewRequest(&switchboardv1.ListAuditEventsRequest{Action: "audit.list"}))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, ev := range denied.Msg.GetEvents() {
			found = found || ev.GetOutcome() == "permission_denied" && ev.GetActorRole() == switchboardv1.AdminRole_ADMIN_ROLE_TEAM_ADMIN
		}
		if !found {
			t.Errorf("the team admin's refused read is not in the trail: %v", denied.Msg.GetEvents())
		}
		_ = blueKey
	})

	// Capture the red team's payloads, and send a request that names an
	// e-mail address.
	if _, err := root.UpdateTeam(ctx, connect.NewRequest(&switchboardv1.UpdateTeamRequest{
		Team: &switchboardv1.Team{Id: red, PayloadCapture: true}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"payload_capture"}},
	})); err != nil {
		t.Fatal(err)
	}
	if code := chatAs(t, g, secret, "Please write to alice@example.com and call +1 415 555 0132"); code != http.StatusOK {
		t.Fatalf("chat: %d", code)
	}
	eventually(t, "the request is recorded", func() bool {
		resp, err := root.ListRequestRecords(ctx, connect.NewRequest(&switchboardv1.ListRequestRecordsRequest{UserId: user}))
		return err == nil && len(resp.Msg.GetRecords()) == 1 && resp.Msg.GetRecords()[0].GetPayloadCaptured()
	})
	eventually(t, "the request is metered", func() bool {
		stream, err := streamingAdmin(g, auditAdminKey).QuerySpend(ctx, connect.NewRequest(&switchboardv1.QuerySpendRequest{
			UserId: user, StartTime: timestamppb.New(time.Now().Add(-time.Hour)), EndTime: timestamppb.New(time.Now().Add(time.Hour))}))
		if err != nil {
			return false
		}
		defer stream.Close()
		var attempts int64
		for stream.Receive() {
			for _, r := range stream.Msg().GetRows() {
				attempts += r.GetAttempts()
			}
		}
		return stream.Err() == nil && attempts == 1
	})

	t.Run("an auditor can export but not erase", func(t *testing.T) {
		c := streamingAdmin(g, auditor)
		stream, err := c.ExportUserData(ctx, connect.NewRequest(&switchboardv1.ExportUserDataRequest{UserId: user}))
		if err != nil {
			t.Fatal(err)
		}
		export := &switchboardv1.ExportUserDataResponse{}
		for stream.Receive() {
			m := stream.Msg()
			if m.GetUser() != nil {
				export.User = m.GetUser()
			}
			export.Keys = append(export.Keys, m.GetKeys()...)
			export.RequestRecords = append(export.RequestRecords, m.GetRequestRecords()...)
			export.Payloads = append(export.Payloads, m.GetPayloads()...)
			export.AuditEvents = append(export.AuditEvents, m.GetAuditEvents()...)
			export.Spend = append(export.Spend, m.GetSpend()...)
		}
		if err := stream.Err(); err != nil {
			t.Fatal(err)
		}
		if export.GetUser().GetEmail() != "ada@example.com" || len(export.GetKeys()) != 1 || len(export.GetRequestRecords()) != 1 ||
			len(export.GetPayloads()) != 1 || len(export.GetAuditEvents()) < 3 {
			t.Fatalf("export: user %v, %d keys, %d records, %d payloads, %d events", export.GetUser(), len(export.GetKeys()),
				len(export.GetRequestRecords()), len(export.GetPayloads()), len(export.GetAuditEvents()))
		}
		if sp := export.GetSpend(); len(sp) != 1 || sp[0].GetKeyId() != key.GetId() || sp[0].GetRequests() != 1 || sp[0].GetOutputTokens() == 0 {
			t.Errorf("exported spend: %v, want the one request on the user's key", sp)
		}
		rec := export.GetRequestRecords()[0]
		if rec.GetKeyId() != key.GetId() || rec.GetUserAgent() != "e2e-audit/1.0" || rec.GetTransport() != "openai" || rec.GetStatus() != "ok" ||
			len(rec.GetPromptSha256()) != 64 || rec.GetOutputTokens() == 0 || rec.GetInputBytes() == 0 {
			t.Errorf("request record: %+v", rec)
		}
		payload := export.GetPayloads()[0].GetRequestJson()
		if strings.Contains(payload, "alice@example.com") || strings.Contains(payload, "555 0132") || !strings.Contains(payload, "[EMAIL]") || !strings.Contains(payload, "[PHONE]") {
			t.Errorf("captured request is not redacted: %s", payload)
		}
		dump, _ := protojson.Marshal(export)
		if bytes.Contains(dump, []byte(secret)) {
			t.Error("the export holds the key's secret")
		}
		if _, err := c.DeleteUserData(ctx, connect.NewRequest(&switchboardv1.DeleteUserDataRequest{UserId: user})); connectCode(err) != connect.CodePermissionDenied {
			t.Errorf("auditor erasing a user: %v", err)
		}
	})

	t.Run("erasure, verified in the store", func(t *testing.T) {
		resp, err := root.DeleteUserData(ctx, connect.NewRequest(&switchboardv1.DeleteUserDataRequest{UserId: user}))
		if err != nil {
			t.Fatal(err)
		}
		m := resp.Msg
		if m.GetKeysRevoked() != 1 || m.GetKeysDeleted() != 1 || m.GetRequestRecordsDeleted() != 1 || m.GetPayloadsDeleted() != 1 || m.GetAuditEventsErased() < 2 {
			t.Errorf("DeleteUserData: %+v", m)
		}
		// The user's one metered request (unpriced: the demo has no price)
		// is moved to a pseudonym; audit_spend_test.go checks the amounts.
		if !m.GetSpendPseudonymized() || m.GetSpendRecordsPseudonymized() != 1 || !strings.HasPrefix(m.GetSpendPseudonym(), "erased_") {
			t.Errorf("DeleteUserData spend: pseudonymized %v, %d records, pseudonym %q", m.GetSpendPseudonymized(), m.GetSpendRecordsPseudonymized(), m.GetSpendPseudonym())
		}
		if code := chatAs(t, g, secret, "hello"); code != http.StatusUnauthorized {
			t.Errorf("the erased user's key answered %d, want 401", code)
		}

		// The binary's own database, read directly.
		st, err := sqlite.Open(ctx, filepath.Join(dataDir, "switchboard.db"), sqlite.WithoutMigrations())
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if _, err := st.UserByID(ctx, user); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("the user is still stored: %v", err)
		}
		if _, err := st.KeyByID(ctx, key.GetId()); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("the user's key is still stored: %v", err)
		}
		if recs, err := st.ListRequests(ctx, audit.RequestQuery{Limit: 10, UserID: user}); err != nil || len(recs) != 0 {
			t.Errorf("request records left: %v, %v", recs, err)
		}
		if ps, err := st.ListPayloads(ctx, audit.PayloadQuery{Limit: 10, UserID: user}); err != nil || len(ps) != 0 {
			t.Errorf("payloads left: %v, %v", ps, err)
		}
		events, err := st.ListEvents(ctx, audit.EventQuery{Limit: 100, TargetType: audit.TargetUser, TargetID: user})
		if err != nil {
			t.Fatal(err)
		}
		erased := false
		for _, ev := range events {
			details := string(ev.Before) + string(ev.After)
			if strings.Contains(details, "Ada") || strings.Contains(details, "ada@example.com") {
				t.Errorf("event %s still names the user: %s", ev.Action, details)
			}
			erased = erased || ev.Action == audit.ActionUserDataErase && ev.Outcome == audit.OutcomeOK && ev.Actor == audit.ActorBootstrap
		}
		if !erased {
			t.Errorf("no user_data.erase event among %d events about the user", len(events))
		}
		// The database never held a secret, only keyed hashes.
		for _, name := range []string{"switchboard.db", "switchboard.db-wal"} {
			b, err := os.ReadFile(filepath.Join(dataDir, name))
			if err != nil {
				continue
			}
			for _, s := range secrets[1:] {
				if bytes.Contains(b, []byte(s)) {
					t.Errorf("%s holds a secret (%s...)", name, s[:10])
				}
			}
		}
	})
}

// streamingAdmin is an AdminService client that sends credential on
// streaming calls (ExportUserData) as well as unary ones.
func streamingAdmin(g *idgw, credential string) switchboardv1connect.AdminServiceClient {
	return switchboardv1connect.NewAdminServiceClient(g.h2c, g.url, connect.WithInterceptors(bearer("Bearer "+credential)))
}

type bearer string

func (b bearer) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		req.Header().Set("Authorization", string(b))
		return next(ctx, req)
	}
}

func (b bearer) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		conn.RequestHeader().Set("Authorization", string(b))
		return conn
	}
}

func (bearer) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}

func h2cClient() *http.Client {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: &http.Transport{Protocols: &p}}
}
