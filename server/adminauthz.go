package server

import (
	"context"
	"fmt"

	"github.com/switchboard-gw/switchboard/auth"
	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	svc "github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
	"github.com/switchboard-gw/switchboard/llm"
)

// adminAccess is the authorization rule of every AdminService procedure:
// whether it reads or writes. authInterceptor refuses a procedure without a
// rule, and auditors any write, before a handler runs; the handlers then
// check the team of what they touch (auth.AdminPrincipal.AuthorizeTeam and
// AuthorizeGlobal). init checks that the table covers the service, so a new
// RPC cannot be added without deciding its rule.
var adminAccess = map[string]auth.Access{
	svc.AdminServiceCreateKeyProcedure:       auth.AccessWrite,
	svc.AdminServiceListKeysProcedure:        auth.AccessRead,
	svc.AdminServiceGetKeyProcedure:          auth.AccessRead,
	svc.AdminServiceRevokeKeyProcedure:       auth.AccessWrite,
	svc.AdminServiceUpdateKeyProcedure:       auth.AccessWrite,
	svc.AdminServiceRotateKeyProcedure:       auth.AccessWrite,
	svc.AdminServiceCreateTeamProcedure:      auth.AccessWrite,
	svc.AdminServiceGetTeamProcedure:         auth.AccessRead,
	svc.AdminServiceListTeamsProcedure:       auth.AccessRead,
	svc.AdminServiceUpdateTeamProcedure:      auth.AccessWrite,
	svc.AdminServiceCreateUserProcedure:      auth.AccessWrite,
	svc.AdminServiceGetUserProcedure:         auth.AccessRead,
	svc.AdminServiceListUsersProcedure:       auth.AccessRead,
	svc.AdminServiceUpdateUserProcedure:      auth.AccessWrite,
	svc.AdminServiceCreateAdminKeyProcedure:  auth.AccessWrite,
	svc.AdminServiceGetAdminKeyProcedure:     auth.AccessRead,
	svc.AdminServiceListAdminKeysProcedure:   auth.AccessRead,
	svc.AdminServiceRevokeAdminKeyProcedure:  auth.AccessWrite,
	svc.AdminServiceRotateAdminKeyProcedure:  auth.AccessWrite,
	svc.AdminServiceGetCallerProcedure:       auth.AccessRead,
	svc.AdminServiceListDeploymentsProcedure: auth.AccessRead,
	svc.AdminServiceQuerySpendProcedure:      auth.AccessRead,
	svc.AdminServiceDeleteTeamProcedure:      auth.AccessWrite,
	svc.AdminServiceDeleteUserProcedure:      auth.AccessWrite,
	// The audit trail: auditors may read and export, never erase.
	svc.AdminServiceListAuditEventsProcedure:    auth.AccessRead,
	svc.AdminServiceListRequestRecordsProcedure: auth.AccessRead,
	svc.AdminServiceExportUserDataProcedure:     auth.AccessRead,
	svc.AdminServiceDeleteUserDataProcedure:     auth.AccessWrite,
}

func init() {
	methods := switchboardv1.File_switchboard_v1_admin_proto.Services().ByName("AdminService").Methods()
	if methods.Len() != len(adminAccess) {
		panic(fmt.Sprintf("server: adminAccess has %d rules for %d AdminService methods", len(adminAccess), methods.Len()))
	}
	for i := range methods.Len() {
		procedure := "/" + svc.AdminServiceName + "/" + string(methods.Get(i).Name())
		if _, ok := adminAccess[procedure]; !ok {
			panic("server: no authorization rule for " + procedure + " in adminAccess")
		}
	}
}

type adminPrincipalKey struct{}

func withAdminPrincipal(ctx context.Context, p *auth.AdminPrincipal) context.Context {
	return context.WithValue(ctx, adminPrincipalKey{}, p)
}

// caller returns the admin credential authenticated by authInterceptor.
func caller(ctx context.Context) (*auth.AdminPrincipal, error) {
	if p, ok := ctx.Value(adminPrincipalKey{}).(*auth.AdminPrincipal); ok && p != nil {
		return p, nil
	}
	// Unreachable when the interceptor is installed; refuse rather than act
	// for nobody.
	return nil, ConnectError(llm.Errorf(llm.KindUnauthenticated, "not authenticated"))
}

// authorizeTeam checks the caller may read or write what teamID owns.
func authorizeTeam(ctx context.Context, a auth.Access, teamID string) error {
	p, err := caller(ctx)
	if err != nil {
		return err
	}
	if err := p.AuthorizeTeam(a, teamID); err != nil {
		return ConnectError(err)
	}
	return nil
}

// authorizeGlobal checks the caller may read or write what no team owns.
func authorizeGlobal(ctx context.Context, a auth.Access) error {
	p, err := caller(ctx)
	if err != nil {
		return err
	}
	if err := p.AuthorizeGlobal(a); err != nil {
		return ConnectError(err)
	}
	return nil
}

// teamFilter is the team a listing is limited to for the caller.
func teamFilter(ctx context.Context, requested string) (string, error) {
	p, err := caller(ctx)
	if err != nil {
		return "", err
	}
	team, ferr := p.TeamFilter(requested)
	if ferr != nil {
		return "", ConnectError(ferr)
	}
	return team, nil
}

// ownTeam is the team a create defaults to: the requested one, or the
// caller's own when it is limited to a team.
func ownTeam(ctx context.Context, requested string) string {
	if requested != "" {
		return requested
	}
	if p, err := caller(ctx); err == nil {
		return p.TeamID
	}
	return ""
}
