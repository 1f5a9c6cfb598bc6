package e2e_test

import (
	"context"
	"errors"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
)

func connectCode(err error) connect.Code {
	var ce *connect.Error
	if errors.As(err, &ce) {
		return ce.Code()
	}
	return connect.CodeUnknown
}

// roleFixture is two teams with a key each, a team admin of red, and two
// auditors (one of everything, one of red).
type roleFixture struct {
	g                        *idgw
	red, blue                string // team ids
	redKey, blueKey          string // key ids
	lead, auditor, redAudits string // admin credential secrets
}

func newRoleFixture(t *testing.T) roleFixture {
	t.Helper()
	ctx := context.Background()
	g := startIdentityGateway(t, openSQLiteStore(t))
	root := g.admin(idAdminKey)
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
	f := roleFixture{g: g, red: team("red"), blue: team("blue")}
	redKey, _ := g.createKey(t, idAdminKey, &switchboardv1.CreateKeyRequest{Name: "red service", TeamId: f.red})
	blueKey, _ := g.createKey(t, idAdminKey, &switchboardv1.CreateKeyRequest{Name: "blue service", TeamId: f.blue})
	f.redKey, f.blueKey = redKey.GetId(), blueKey.GetId()
	f.lead = credential("red lead", switchboardv1.AdminRole_ADMIN_ROLE_TEAM_ADMIN, f.red)
	f.auditor = credential("auditor", switchboardv1.AdminRole_ADMIN_ROLE_AUDITOR, "")
	f.redAudits = credential("red auditor", switchboardv1.AdminRole_ADMIN_ROLE_AUDITOR, f.red)
	return f
}

func TestTeamAdminCannotReadOrChangeAnotherTeamsKeys(t *testing.T) {
	f := newRoleFixture(t)
	ctx := context.Background()
	for _, proto := range []struct {
		name string
		opts []connect.ClientOption
	}{{"connect", nil}, {"grpc", []connect.ClientOption{connect.WithGRPC()}}, {"grpcweb", []connect.ClientOption{connect.WithGRPCWeb()}}} {
		t.Run(proto.name, func(t *testing.T) {
			lead := f.g.admin(f.lead, proto.opts...)
			denied := map[string]func() error{
				"GetKey": func() error {
					_, err := lead.GetKey(ctx, connect.NewRequest(&switchboardv1.GetKeyRequest{Id: f.blueKey}))
					return err
				},
				"RevokeKey": func() error {
					_, err := lead.RevokeKey(ctx, connect.NewRequest(&switchboardv1.RevokeKeyRequest{Id: f.blueKey}))
					return err
				},
				"UpdateKey": func() error {
					_, err := lead.UpdateKey(ctx, connect.NewRequest(&switchboardv1.UpdateKeyRequest{
						Key: &switchboardv1.Key{Id: f.blueKey, Name: "mine now"}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"name"}}}))
					return err
				},
				"RotateKey": func() error {
					_, err := lead.RotateKey(ctx, connect.NewRequest(&switchboardv1.RotateKeyRequest{Id: f.blueKey}))
					return err
				},
				"CreateKey in another team": func() error {
					_, err := lead.CreateKey(ctx, connect.NewRequest(&switchboardv1.CreateKeyRequest{Name: "x", TeamId: f.blue}))
					return err
				},
				"ListKeys of another team": func() error {
					_, err := lead.ListKeys(ctx, connect.NewRequest(&switchboardv1.ListKeysRequest{TeamId: f.blue}))
					return err
				},
				"GetTeam of another team": func() error {
					_, err := lead.GetTeam(ctx, connect.NewRequest(&switchboardv1.GetTeamRequest{Id: f.blue}))
					return err
				},
				"CreateTeam": func() error {
					_, err := lead.CreateTeam(ctx, connect.NewRequest(&switchboardv1.CreateTeamRequest{Name: "rogue"}))
					return err
				},
				"CreateAdminKey": func() error {
					_, err := lead.CreateAdminKey(ctx, connect.NewRequest(&switchboardv1.CreateAdminKeyRequest{Name: "x", Role: switchboardv1.AdminRole_ADMIN_ROLE_ADMIN}))
					return err
				},
				"ListAdminKeys": func() error {
					_, err := lead.ListAdminKeys(ctx, connect.NewRequest(&switchboardv1.ListAdminKeysRequest{}))
					return err
				},
			}
			for name, call := range denied {
				if err := call(); connectCode(err) != connect.CodePermissionDenied {
					t.Errorf("team admin %s: %v, want PermissionDenied", name, err)
				}
			}
			// Its own team works, and listings show nothing else.
			if _, err := lead.GetKey(ctx, connect.NewRequest(&switchboardv1.GetKeyRequest{Id: f.redKey})); err != nil {
				t.Errorf("GetKey of its own team: %v", err)
			}
			keys, err := lead.ListKeys(ctx, connect.NewRequest(&switchboardv1.ListKeysRequest{}))
			if err != nil || len(keys.Msg.GetKeys()) == 0 {
				t.Fatalf("ListKeys: %v", err)
			}
			for _, k := range keys.Msg.GetKeys() {
				if k.GetTeamId() != f.red {
					t.Errorf("team admin listed key %s of team %s", k.GetId(), k.GetTeamId())
				}
			}
			teams, err := lead.ListTeams(ctx, connect.NewRequest(&switchboardv1.ListTeamsRequest{}))
			if err != nil || len(teams.Msg.GetTeams()) != 1 || teams.Msg.GetTeams()[0].GetId() != f.red {
				t.Errorf("ListTeams as team admin: %v %v", teams, err)
			}
			created, err := lead.CreateKey(ctx, connect.NewRequest(&switchboardv1.CreateKeyRequest{Name: "red's new"}))
			if err != nil || created.Msg.GetKey().GetTeamId() != f.red {
				t.Errorf("CreateKey without a team as team admin: %v %v", created, err)
			}
			user, err := lead.CreateUser(ctx, connect.NewRequest(&switchboardv1.CreateUserRequest{Name: "Red member"}))
			if err != nil || user.Msg.GetUser().GetTeamId() != f.red {
				t.Errorf("CreateUser as team admin: %v %v", user, err)
			}
		})
	}
	// Nothing of blue's changed.
	key, err := f.g.admin(idAdminKey).GetKey(ctx, connect.NewRequest(&switchboardv1.GetKeyRequest{Id: f.blueKey}))
	if err != nil || key.Msg.GetKey().GetName() != "blue service" || key.Msg.GetKey().GetRevokeTime() != nil || key.Msg.GetKey().GetRotateTime() != nil {
		t.Errorf("blue's key after the attempts: %v %v", key, err)
	}
}

func TestAuditorCannotWrite(t *testing.T) {
	f := newRoleFixture(t)
	ctx := context.Background()
	for _, secret := range []string{f.auditor, f.redAudits} {
		a := f.g.admin(secret)
		writes := map[string]func() error{
			"CreateKey": func() error {
				_, err := a.CreateKey(ctx, connect.NewRequest(&switchboardv1.CreateKeyRequest{Name: "x", TeamId: f.red}))
				return err
			},
			"RevokeKey": func() error {
				_, err := a.RevokeKey(ctx, connect.NewRequest(&switchboardv1.RevokeKeyRequest{Id: f.redKey}))
				return err
			},
			"RotateKey": func() error {
				_, err := a.RotateKey(ctx, connect.NewRequest(&switchboardv1.RotateKeyRequest{Id: f.redKey}))
				return err
			},
			"UpdateTeam": func() error {
				_, err := a.UpdateTeam(ctx, connect.NewRequest(&switchboardv1.UpdateTeamRequest{Team: &switchboardv1.Team{Id: f.red, Name: "x"}}))
				return err
			},
			"CreateUser": func() error {
				_, err := a.CreateUser(ctx, connect.NewRequest(&switchboardv1.CreateUserRequest{TeamId: f.red, Name: "x"}))
				return err
			},
			"CreateAdminKey": func() error {
				_, err := a.CreateAdminKey(ctx, connect.NewRequest(&switchboardv1.CreateAdminKeyRequest{Name: "x", Role: switchboardv1.AdminRole_ADMIN_ROLE_ADMIN}))
				return err
			},
		}
		for name, call := range writes {
			if err := call(); connectCode(err) != connect.CodePermissionDenied {
				t.Errorf("auditor %s: %v, want PermissionDenied", name, err)
			}
		}
		// Reads are allowed (of its team, for the team auditor).
		if _, err := a.GetKey(ctx, connect.NewRequest(&switchboardv1.GetKeyRequest{Id: f.redKey})); err != nil {
			t.Errorf("auditor GetKey: %v", err)
		}
		if _, err := a.ListKeys(ctx, connect.NewRequest(&switchboardv1.ListKeysRequest{})); err != nil {
			t.Errorf("auditor ListKeys: %v", err)
		}
	}
	// The unscoped auditor reads everything, the red auditor only red.
	if _, err := f.g.admin(f.auditor).GetKey(ctx, connect.NewRequest(&switchboardv1.GetKeyRequest{Id: f.blueKey})); err != nil {
		t.Errorf("auditor GetKey of blue: %v", err)
	}
	if _, err := f.g.admin(f.auditor).ListAdminKeys(ctx, connect.NewRequest(&switchboardv1.ListAdminKeysRequest{})); err != nil {
		t.Errorf("auditor ListAdminKeys: %v", err)
	}
	_, err := f.g.admin(f.redAudits).GetKey(ctx, connect.NewRequest(&switchboardv1.GetKeyRequest{Id: f.blueKey}))
	if connectCode(err) != connect.CodePermissionDenied {
		t.Errorf("red auditor GetKey of blue: %v", err)
	}
	caller, err := f.g.admin(f.redAudits).GetCaller(ctx, connect.NewRequest(&switchboardv1.GetCallerRequest{}))
	if err != nil || caller.Msg.GetRole() != switchboardv1.AdminRole_ADMIN_ROLE_AUDITOR || caller.Msg.GetTeamId() != f.red {
		t.Errorf("GetCaller: %v %v", caller, err)
	}
}

func TestVirtualKeysAndAdminCredentialsStayInTheirLanes(t *testing.T) {
	f := newRoleFixture(t)
	ctx := context.Background()
	_, secret := f.g.createKey(t, idAdminKey, &switchboardv1.CreateKeyRequest{Name: "virtual"})
	_, err := f.g.admin(secret).ListKeys(ctx, connect.NewRequest(&switchboardv1.ListKeysRequest{}))
	if connectCode(err) != connect.CodePermissionDenied {
		t.Errorf("virtual key on AdminService: %v", err)
	}
	if err := f.g.complete(f.lead); connectCode(err) != connect.CodeUnauthenticated {
		t.Errorf("admin credential on CompletionService: %v", err)
	}
	if err := f.g.complete(secret); err != nil {
		t.Errorf("virtual key on CompletionService: %v", err)
	}
	var _ switchboardv1connect.AdminServiceClient = f.g.admin(secret)
}
