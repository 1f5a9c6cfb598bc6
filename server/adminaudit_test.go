package server_test

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/switchboard-gw/switchboard/audit"
	"github.com/switchboard-gw/switchboard/auth"
	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/server"
	"github.com/switchboard-gw/switchboard/server/internal/servertest"
	"github.com/switchboard-gw/switchboard/store/sqlite"
)

// audited is a server with the audit trail over a real SQLite store.
type audited struct {
	*running
	store    *sqlite.Store
	requests *audit.RequestLog
}

func startAudited(t *testing.T) *audited {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	secret := make([]byte, auth.ServerSecretLen)
	admin := auth.NewAdmin(servertest.AdminKey)
	keys := auth.NewKeys(st, secret, auth.WithAdmin(admin))
	requests := audit.NewRequestLog(st, audit.RequestLogOptions{Teams: st})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = requests.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	r := start(t, &servertest.Core{}, func(o *server.Options) {
		o.Keys, o.Admin = keys, admin
		o.Teams, o.Users = auth.NewTeams(st, nil), auth.NewUsers(st, nil)
		o.Audit = &server.AuditOptions{
			Store: st, Trail: audit.NewTrail(st, nil), Requests: requests,
			Privacy: audit.NewPrivacy(auth.NewUsers(st, nil), keys, st, audit.PrivacyOptions{}),
		}
	})
	return &audited{running: r, store: st, requests: requests}
}

func (a *audited) events(t *testing.T, req *switchboardv1.ListAuditEventsRequest) []*switchboardv1.AuditEvent {
	t.Helper()
	req.PageSize = 1000
	resp, err := adminClient(a.running).ListAuditEvents(context.Background(), withKey(req, servertest.AdminKey))
	if err != nil {
		t.Fatalf("ListAuditEvents: %v", err)
	}
	return resp.Msg.GetEvents()
}

// Every write procedure of AdminService leaves one event, with the
// target's id and team, and no secret from any response.
func TestEveryAdminWriteIsAudited(t *testing.T) {
	a := startAudited(t)
	c := adminClient(a.running)
	ctx := context.Background()
	k := servertest.AdminKey
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var secrets []string

	team, err := c.CreateTeam(ctx, withKey(&switchboardv1.CreateTeamRequest{Name: "red"}, k))
	must(err)
	teamID := team.Msg.GetTeam().GetId()
	_, err = c.UpdateTeam(ctx, withKey(&switchboardv1.UpdateTeamRequest{Team: &switchboardv1.Team{Id: teamID, PayloadCapture: true, PayloadRetentionDays: 3}}, k))
	must(err)
	user, err := c.CreateUser(ctx, withKey(&switchboardv1.CreateUserRequest{TeamId: teamID, Name: "Ada", Email: "ada@example.com"}, k))
	must(err)
	userID := user.Msg.GetUser().GetId()
	_, err = c.UpdateUser(ctx, withKey(&switchboardv1.UpdateUserRequest{User: &switchboardv1.User{Id: userID, Name: "Ada L."}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"name"}}}, k))
	must(err)
	key, err := c.CreateKey(ctx, withKey(&switchboardv1.CreateKeyRequest{Name: "ada's", UserId: userID}, k))
	must(err)
	keyID := key.Msg.GetKey().GetId()
	secrets = append(secrets, key.Msg.GetSecret())
	_, err = c.UpdateKey(ctx, withKey(&switchboardv1.UpdateKeyRequest{Key: &switchboardv1.Key{Id: keyID, Tags: []string{"env:prod"}}}, k))
	must(err)
	rotated, err := c.RotateKey(ctx, withKey(&switchboardv1.RotateKeyRequest{Id: keyID, GracePeriod: durationpb.New(0)}, k))
	must(err)
	secrets = append(secrets, rotated.Msg.GetSecret())
	_, err = c.RevokeKey(ctx, withKey(&switchboardv1.RevokeKeyRequest{Id: keyID}, k))
	must(err)
	adminKey, err := c.CreateAdminKey(ctx, withKey(&switchboardv1.CreateAdminKeyRequest{Name: "lead", Role: switchboardv1.AdminRole_ADMIN_ROLE_TEAM_ADMIN, TeamId: teamID}, k))
	must(err)
	adminKeyID := adminKey.Msg.GetAdminKey().GetId()
	secrets = append(secrets, adminKey.Msg.GetSecret())
	rotatedAdmin, err := c.RotateAdminKey(ctx, withKey(&switchboardv1.RotateAdminKeyRequest{Id: adminKeyID}, k))
	must(err)
	secrets = append(secrets, rotatedAdmin.Msg.GetSecret())
	_, err = c.RevokeAdminKey(ctx, withKey(&switchboardv1.RevokeAdminKeyRequest{Id: adminKeyID}, k))
	must(err)
	other, err := c.CreateUser(ctx, withKey(&switchboardv1.CreateUserRequest{TeamId: teamID, Name: "Bob"}, k))
	must(err)
	_, err = c.DeleteUserData(ctx, withKey(&switchboardv1.DeleteUserDataRequest{UserId: other.Msg.GetUser().GetId()}, k))
	must(err)
	_, err = c.DeleteUser(ctx, withKey(&switchboardv1.DeleteUserRequest{Id: userID}, k))
	must(err)
	_, err = c.DeleteTeam(ctx, withKey(&switchboardv1.DeleteTeamRequest{Id: teamID}, k))
	must(err)

	events := a.events(t, &switchboardv1.ListAuditEventsRequest{})
	var actions []string
	for i := len(events) - 1; i >= 0; i-- {
		ev := events[i]
		actions = append(actions, ev.GetAction())
		if ev.GetActor() != "bootstrap" || ev.GetOutcome() != "ok" || ev.GetRequestId() == "" || ev.GetClientAddress() != "127.0.0.1" {
			t.Errorf("event %s: %+v", ev.GetAction(), ev)
		}
		if ev.GetTargetId() == "" || (ev.GetTargetType() != audit.TargetAdminKey && ev.GetTeamId() != teamID) {
			t.Errorf("event %s names target %q of team %q", ev.GetAction(), ev.GetTargetId(), ev.GetTeamId())
		}
	}
	want := []string{"team.create", "team.update", "user.create", "user.update", "key.create", "key.update", "key.rotate", "key.revoke",
		"admin_key.create", "admin_key.rotate", "admin_key.revoke", "user.create", "user_data.erase", "user.delete", "team.delete"}
	if !slices.Equal(actions, want) {
		t.Errorf("actions:\n got  %v\n want %v", actions, want)
	}
	dump, _ := protojson.Marshal(&switchboardv1.ListAuditEventsResponse{Events: events})
	for _, s := range secrets {
		if s == "" || strings.Contains(string(dump), s) {
			t.Errorf("a secret (%.12s...) is in the trail, or a response had none", s)
		}
	}
	// Before and after of a change.
	update := a.events(t, &switchboardv1.ListAuditEventsRequest{Action: "team.update"})[0]
	if update.GetBefore().AsMap()["payload_capture"] != nil || update.GetAfter().AsMap()["payload_capture"] != true {
		t.Errorf("team.update: before %v after %v", update.GetBefore(), update.GetAfter())
	}
	// The erasure does not copy the user's details into its own event.
	erase := a.events(t, &switchboardv1.ListAuditEventsRequest{Action: "user_data.erase"})[0]
	if strings.Contains(erase.GetBefore().String()+erase.GetAfter().String(), "Bob") {
		t.Errorf("the erasure event names the user: %v %v", erase.GetBefore(), erase.GetAfter())
	}
}

// A write refused because of the team is recorded with its outcome; the
// listing of the trail is recorded too.
func TestRefusalsAndReadsOfTheTrailAreAudited(t *testing.T) {
	a := startAudited(t)
	c := adminClient(a.running)
	ctx := context.Background()
	k := servertest.AdminKey
	red, _ := c.CreateTeam(ctx, withKey(&switchboardv1.CreateTeamRequest{Name: "red"}, k))
	blue, _ := c.CreateTeam(ctx, withKey(&switchboardv1.CreateTeamRequest{Name: "blue"}, k))
	lead, err := c.CreateAdminKey(ctx, withKey(&switchboardv1.CreateAdminKeyRequest{Name: "blue lead", Role: switchboardv1.AdminRole_ADMIN_ROLE_TEAM_ADMIN, TeamId: blue.Msg.GetTeam().GetId()}, k))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateKey(ctx, withKey(&switchboardv1.CreateKeyRequest{Name: "sneaky", TeamId: red.Msg.GetTeam().GetId()}, lead.Msg.GetSecret()))
	if codeOf(err) != connect.CodePermissionDenied {
		t.Fatalf("team admin creating a key in another team: %v", err)
	}
	_, err = c.ListAuditEvents(ctx, withKey(&switchboardv1.ListAuditEventsRequest{TeamId: red.Msg.GetTeam().GetId()}, lead.Msg.GetSecret()))
	if codeOf(err) != connect.CodePermissionDenied {
		t.Fatalf("team admin listing another team's events: %v", err)
	}
	refused := a.events(t, &switchboardv1.ListAuditEventsRequest{Action: "key.create"})
	if len(refused) != 1 || refused[0].GetOutcome() != "permission_denied" || refused[0].GetActor() != lead.Msg.GetAdminKey().GetId() ||
		refused[0].GetTeamId() != red.Msg.GetTeam().GetId() || refused[0].GetAfter() != nil {
		t.Errorf("refused create: %v", refused)
	}
	reads := a.events(t, &switchboardv1.ListAuditEventsRequest{Action: "audit.*"})
	if len(reads) < 2 {
		t.Errorf("reads of the trail: %v", reads)
	}
}

// A completion through the Connect transport and one through the OpenAI
// shim each leave a request record, with the transport and the caller.
func TestRequestsAreRecordedOnEveryTransport(t *testing.T) {
	a := startAudited(t)
	c := adminClient(a.running)
	ctx := context.Background()
	key, err := c.CreateKey(ctx, withKey(&switchboardv1.CreateKeyRequest{Name: "app"}, servertest.AdminKey))
	if err != nil {
		t.Fatal(err)
	}
	secret := key.Msg.GetSecret()
	for _, p := range protocols {
		if _, err := completionClient(a.running, p.opts...).Complete(ctx, withKey(&switchboardv1.CompleteRequest{
			Model: "demo", Messages: []*switchboardv1.Message{{Role: switchboardv1.Role_ROLE_USER, Content: []*switchboardv1.Part{{Kind: &switchboardv1.Part_Text{Text: "hi"}}}}},
		}, secret)); err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, a.url+"/v1/chat/completions", strings.NewReader(`{"model":"demo","messages":[{"role":"user","content":"hi"}]}`))
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("User-Agent", "audit-test")
	resp, err := a.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	flushCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := a.requests.Flush(flushCtx); err != nil {
		t.Fatal(err)
	}
	recs, err := c.ListRequestRecords(ctx, withKey(&switchboardv1.ListRequestRecordsRequest{KeyId: key.Msg.GetKey().GetId()}, servertest.AdminKey))
	if err != nil {
		t.Fatal(err)
	}
	var transports []string
	for _, r := range recs.Msg.GetRecords() {
		transports = append(transports, r.GetTransport())
		if r.GetClientAddress() != "127.0.0.1" || r.GetStatus() != "ok" || r.GetAlias() != "demo" || len(r.GetPromptSha256()) != 64 {
			t.Errorf("record: %+v", r)
		}
		if r.GetTransport() == "openai" && r.GetUserAgent() != "audit-test" {
			t.Errorf("user agent %q", r.GetUserAgent())
		}
	}
	slices.Sort(transports)
	if want := []string{"connect", "grpc", "grpc_web", "openai"}; !slices.Equal(transports, want) {
		t.Errorf("transports %v, want %v", transports, want)
	}
}

// Without Options.Audit the audit RPCs answer Unimplemented.
func TestAuditRPCsWithoutATrail(t *testing.T) {
	r := start(t, &servertest.Core{}, nil)
	_, err := adminClient(r).ListAuditEvents(context.Background(), withKey(&switchboardv1.ListAuditEventsRequest{}, servertest.AdminKey))
	if codeOf(err) != connect.CodeUnimplemented {
		t.Errorf("ListAuditEvents without a trail: %v", err)
	}
}
