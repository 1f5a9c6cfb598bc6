package auth_test

import (
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
)

func TestAdminCredentialsHaveRolesAndAreKeptApartFromVirtualKeys(t *testing.T) {
	ctx := t.Context()
	const bootstrap = "operator-chosen-admin-key"
	keys, store, _ := newKeys(t, auth.WithAdmin(auth.NewAdmin(bootstrap)))
	team, err := auth.NewTeams(store, nil).Create(ctx, "red")
	if err != nil {
		t.Fatal(err)
	}

	p, err := keys.VerifyAdmin(ctx, bootstrap)
	if err != nil || p.Role != auth.RoleAdmin || !p.Bootstrap() {
		t.Fatalf("bootstrap key: %+v, %v", p, err)
	}

	lead, leadSecret, err := keys.CreateAdminKey(ctx, auth.CreateAdminKeyParams{Name: "red lead", Role: auth.RoleTeamAdmin, TeamID: team.ID})
	if err != nil {
		t.Fatalf("CreateAdminKey: %v", err)
	}
	if !strings.HasPrefix(leadSecret, auth.AdminKeyPrefix) || lead.SecretPrefix != leadSecret[:15] || lead.Role != auth.RoleTeamAdmin {
		t.Errorf("admin credential %+v", lead)
	}
	p, err = keys.VerifyAdmin(ctx, leadSecret)
	if err != nil || p.Role != auth.RoleTeamAdmin || p.TeamID != team.ID || p.KeyID != lead.ID || p.Bootstrap() {
		t.Fatalf("VerifyAdmin(team admin): %+v, %v", p, err)
	}

	// Neither kind is accepted as the other.
	_, err = keys.Verify(ctx, leadSecret)
	assertError(t, err, llm.KindUnauthenticated, auth.ErrAdminKeyAsVirtualKey)
	_, virtual := mustCreate(t, keys, auth.CreateKeyParams{Name: "virtual"})
	_, err = keys.VerifyAdmin(ctx, virtual)
	assertError(t, err, llm.KindPermissionDenied, auth.ErrVirtualKeyAsAdminKey)
	if _, err := keys.Get(ctx, lead.ID); err == nil {
		t.Error("Get found an admin credential among virtual keys")
	}
	if _, err := keys.Revoke(ctx, lead.ID); err == nil {
		t.Error("Revoke revoked an admin credential as a virtual key")
	}
	if listed, _, _ := keys.List(ctx, auth.ListKeysParams{}); len(listed) != 1 {
		t.Errorf("virtual key listing has %d entries, want 1", len(listed))
	}
	admins, _, err := keys.ListAdminKeys(ctx, auth.ListAdminKeysParams{})
	if err != nil || len(admins) != 1 || admins[0].ID != lead.ID {
		t.Errorf("ListAdminKeys: %+v, %v", admins, err)
	}

	// Unknown, mistyped and revoked credentials.
	_, err = keys.VerifyAdmin(ctx, auth.GenerateAdminKey())
	assertError(t, err, llm.KindUnauthenticated, auth.ErrInvalidAdminKey)
	_, err = keys.VerifyAdmin(ctx, leadSecret[:20]+"x"+leadSecret[21:])
	assertError(t, err, llm.KindUnauthenticated, auth.ErrInvalidAdminKey)
	_, err = keys.VerifyAdmin(ctx, "")
	assertError(t, err, llm.KindUnauthenticated, auth.ErrMissingKey)
	if _, err := keys.RevokeAdminKey(ctx, lead.ID); err != nil {
		t.Fatal(err)
	}
	_, err = keys.VerifyAdmin(ctx, leadSecret)
	assertError(t, err, llm.KindUnauthenticated, auth.ErrKeyRevoked)
}

func TestAdminCredentialRotation(t *testing.T) {
	ctx := t.Context()
	keys, _, clock := newKeys(t)
	auditor, old, err := keys.CreateAdminKey(ctx, auth.CreateAdminKeyParams{Name: "audit", Role: auth.RoleAuditor})
	if err != nil {
		t.Fatal(err)
	}
	_, fresh, err := keys.RotateAdminKey(ctx, auditor.ID, time.Minute)
	if err != nil || !strings.HasPrefix(fresh, auth.AdminKeyPrefix) {
		t.Fatalf("RotateAdminKey: %v", err)
	}
	for _, s := range []string{old, fresh} {
		if p, err := keys.VerifyAdmin(ctx, s); err != nil || p.Role != auth.RoleAuditor {
			t.Errorf("within grace: %+v, %v", p, err)
		}
	}
	clock.Advance(time.Minute)
	_, err = keys.VerifyAdmin(ctx, old)
	assertError(t, err, llm.KindUnauthenticated, auth.ErrSecretRotated)
}

func TestCreateAdminKeyValidation(t *testing.T) {
	keys, _, _ := newKeys(t)
	for _, tc := range []struct {
		p     auth.CreateAdminKeyParams
		param string
	}{
		{auth.CreateAdminKeyParams{Name: "x", Role: "owner"}, "role"},
		{auth.CreateAdminKeyParams{Name: "x", Role: auth.RoleTeamAdmin}, "team_id"},
		{auth.CreateAdminKeyParams{Name: "x", Role: auth.RoleAdmin, TeamID: auth.DefaultTeamID}, "team_id"},
		{auth.CreateAdminKeyParams{Name: "", Role: auth.RoleAuditor}, "name"},
	} {
		_, secret, err := keys.CreateAdminKey(t.Context(), tc.p)
		if e := assertError(t, err, llm.KindInvalidRequest, nil); e.Param != tc.param || secret != "" {
			t.Errorf("%+v: param %q, want %q", tc.p, e.Param, tc.param)
		}
	}
	_, _, err := keys.CreateAdminKey(t.Context(), auth.CreateAdminKeyParams{Name: "x", Role: auth.RoleTeamAdmin, TeamID: auth.NewTeamID()})
	assertError(t, err, llm.KindInvalidRequest, auth.ErrTeamNotFound)
}

func TestRoleChecks(t *testing.T) {
	const red, blue = "team_red", "team_blue"
	admin := &auth.AdminPrincipal{Role: auth.RoleAdmin}
	lead := &auth.AdminPrincipal{KeyID: "key_x", Role: auth.RoleTeamAdmin, TeamID: red}
	auditor := &auth.AdminPrincipal{KeyID: "key_y", Role: auth.RoleAuditor}
	redAuditor := &auth.AdminPrincipal{KeyID: "key_z", Role: auth.RoleAuditor, TeamID: red}
	broken := &auth.AdminPrincipal{KeyID: "key_w", Role: auth.RoleTeamAdmin}
	var nobody *auth.AdminPrincipal

	type check struct {
		name string
		err  error
		want bool
	}
	checks := []check{
		{"admin writes any team", admin.AuthorizeTeam(auth.AccessWrite, blue), true},
		{"admin writes global", admin.AuthorizeGlobal(auth.AccessWrite), true},
		{"team admin writes own team", lead.AuthorizeTeam(auth.AccessWrite, red), true},
		{"team admin reads another team", lead.AuthorizeTeam(auth.AccessRead, blue), false},
		{"team admin writes another team", lead.AuthorizeTeam(auth.AccessWrite, blue), false},
		{"team admin reads global", lead.AuthorizeGlobal(auth.AccessRead), false},
		{"auditor reads any team", auditor.AuthorizeTeam(auth.AccessRead, blue), true},
		{"auditor reads global", auditor.AuthorizeGlobal(auth.AccessRead), true},
		{"auditor writes", auditor.Allow(auth.AccessWrite), false},
		{"auditor writes its team", redAuditor.AuthorizeTeam(auth.AccessWrite, red), false},
		{"team auditor reads its team", redAuditor.AuthorizeTeam(auth.AccessRead, red), true},
		{"team auditor reads another team", redAuditor.AuthorizeTeam(auth.AccessRead, blue), false},
		{"team auditor reads global", redAuditor.AuthorizeGlobal(auth.AccessRead), false},
		{"team admin without a team", broken.AuthorizeTeam(auth.AccessRead, ""), false},
		{"nil principal", nobody.Allow(auth.AccessRead), false},
	}
	for _, c := range checks {
		if (c.err == nil) != c.want {
			t.Errorf("%s: %v, want allowed=%v", c.name, c.err, c.want)
		}
		if c.err != nil && llm.KindOf(c.err) != llm.KindPermissionDenied {
			t.Errorf("%s: kind %v, want PermissionDenied", c.name, llm.KindOf(c.err))
		}
	}
	for _, tc := range []struct {
		p         *auth.AdminPrincipal
		requested string
		want      string
		ok        bool
	}{
		{admin, "", "", true},
		{admin, blue, blue, true},
		{lead, "", red, true},
		{lead, red, red, true},
		{lead, blue, "", false},
		{auditor, blue, blue, true},
		{redAuditor, "", red, true},
	} {
		got, err := tc.p.TeamFilter(tc.requested)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("%+v TeamFilter(%q) = %q, %v", tc.p, tc.requested, got, err)
		}
	}
}
