package auth

import (
	"fmt"

	"github.com/switchboard-gw/switchboard/llm"
)

// Role is what an admin credential may do through AdminService.
type Role string

const (
	// RoleAdmin may do everything. The bootstrap admin key has this role.
	RoleAdmin Role = "admin"
	// RoleTeamAdmin may read and manage its own team: the team, its users
	// and its keys. It cannot see other teams, create teams, or issue admin
	// credentials.
	RoleTeamAdmin Role = "team_admin"
	// RoleAuditor may read, never write: everything, or only its team when
	// it is scoped to one.
	RoleAuditor Role = "auditor"
)

// Valid reports whether r is one of the roles above.
func (r Role) Valid() bool {
	return r == RoleAdmin || r == RoleTeamAdmin || r == RoleAuditor
}

// Access is what an admin call does to what it touches.
type Access int

const (
	// AccessRead reads and changes nothing.
	AccessRead Access = iota
	// AccessWrite creates, changes, revokes or rotates.
	AccessWrite
)

func (a Access) String() string {
	if a == AccessWrite {
		return "write"
	}
	return "read"
}

// AdminPrincipal is the authenticated caller of an AdminService RPC.
type AdminPrincipal struct {
	// KeyID is the admin credential's id; empty for the bootstrap admin key.
	KeyID   string
	KeyName string
	Role    Role
	// TeamID scopes a team admin (always) or an auditor (optionally).
	TeamID string
}

// Bootstrap reports whether this is the bootstrap admin key from the data
// directory or SWITCHBOARD_ADMIN_KEY.
func (p *AdminPrincipal) Bootstrap() bool { return p != nil && p.KeyID == "" && p.Role == RoleAdmin }

// bootstrapAdmin is the principal of the bootstrap admin key.
var bootstrapAdmin = AdminPrincipal{KeyName: "bootstrap admin key", Role: RoleAdmin}

// Allow checks the role alone: auditors cannot write. Every admin call goes
// through it before its handler runs; the handler then checks the team of
// what it touches with AuthorizeTeam or AuthorizeGlobal.
func (p *AdminPrincipal) Allow(a Access) error {
	switch {
	case p == nil || !p.Role.Valid():
		return denied("not authenticated as an admin")
	case p.Role == RoleTeamAdmin && p.TeamID == "":
		return denied("this team admin credential names no team")
	case p.Role == RoleAuditor && a == AccessWrite:
		return denied("auditor credentials are read-only")
	}
	return nil
}

// AuthorizeTeam checks access to something owned by teamID.
func (p *AdminPrincipal) AuthorizeTeam(a Access, teamID string) error {
	if err := p.Allow(a); err != nil {
		return err
	}
	if p.Role == RoleAdmin || p.TeamID == "" || p.TeamID == teamID {
		return nil
	}
	return denied(fmt.Sprintf("this credential is limited to team %s; the resource belongs to another team", p.TeamID))
}

// AuthorizeGlobal checks access to what no team owns: creating teams and
// managing admin credentials. Only admins may write; unscoped auditors may
// read.
func (p *AdminPrincipal) AuthorizeGlobal(a Access) error {
	if err := p.Allow(a); err != nil {
		return err
	}
	switch {
	case p.Role == RoleAdmin:
		return nil
	case p.Role == RoleAuditor && p.TeamID == "":
		return nil
	}
	return denied(fmt.Sprintf("a %s credential cannot %s this; it needs the admin role", p.Role, verb(a)))
}

// TeamFilter returns the team a listing must be limited to: the caller's
// own team for team-scoped credentials (refusing a request for another
// team), requested otherwise ("" for all teams).
func (p *AdminPrincipal) TeamFilter(requested string) (string, error) {
	if err := p.Allow(AccessRead); err != nil {
		return "", err
	}
	if p.Role == RoleAdmin || p.TeamID == "" {
		return requested, nil
	}
	if requested != "" && requested != p.TeamID {
		return "", denied(fmt.Sprintf("this credential is limited to team %s", p.TeamID))
	}
	return p.TeamID, nil
}

func verb(a Access) string {
	if a == AccessWrite {
		return "change"
	}
	return "read"
}

func denied(msg string) *llm.Error {
	return &llm.Error{Kind: llm.KindPermissionDenied, Code: "permission_denied", Message: msg}
}
