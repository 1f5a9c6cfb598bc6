package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// Admin credentials are keys with a role, issued by an admin through
// AdminService: "sk-sbadmin-" secrets, stored, hashed, cached, rotated and
// revoked exactly like virtual keys, and never accepted in their place.

// CreateAdminKeyParams describes a new admin credential.
type CreateAdminKeyParams struct {
	Name string
	Role Role
	// TeamID scopes the credential: required for RoleTeamAdmin, optional
	// for RoleAuditor, refused for RoleAdmin.
	TeamID    string
	ExpiresAt time.Time // zero: never
}

// ListAdminKeysParams pages through admin credentials.
type ListAdminKeysParams struct {
	PageSize       int
	PageToken      string
	IncludeRevoked bool
	TeamID         string
}

// CreateAdminKey issues an admin credential and returns its record and its
// secret (shown once).
func (k *Keys) CreateAdminKey(ctx context.Context, p CreateAdminKeyParams) (Key, string, error) {
	name, err := validateName("name", "admin key", p.Name)
	if err != nil {
		return Key{}, "", err
	}
	switch {
	case !p.Role.Valid():
		return Key{}, "", invalidParam("role", fmt.Sprintf("unknown role %q: want admin, team_admin or auditor", string(p.Role)))
	case p.Role == RoleTeamAdmin && p.TeamID == "":
		return Key{}, "", invalidParam("team_id", "a team_admin credential needs the team_id of the team it manages")
	case p.Role == RoleAdmin && p.TeamID != "":
		return Key{}, "", invalidParam("team_id", "an admin credential is not scoped to a team; use team_admin or auditor for that")
	case p.TeamID != "" && !looksLikeTeamID(p.TeamID):
		return Key{}, "", invalidParam("team_id", `team_id must look like "team_" followed by letters and digits`)
	}
	now := k.timestamp()
	expires, err := futureExpiry(p.ExpiresAt, now)
	if err != nil {
		return Key{}, "", err
	}
	return k.insert(ctx, KeyRecord{
		Name:      name,
		Role:      p.Role,
		TeamID:    p.TeamID,
		CreatedAt: now,
		UpdatedAt: now,
		ExpiresAt: expires,
	}, GenerateAdminKey)
}

// GetAdminKey returns an admin credential by id.
func (k *Keys) GetAdminKey(ctx context.Context, id string) (Key, error) {
	rec, err := k.read(ctx, id, true)
	if err != nil {
		return Key{}, err
	}
	return keyFromRecord(rec), nil
}

// ListAdminKeys returns a page of admin credentials, newest first.
func (k *Keys) ListAdminKeys(ctx context.Context, p ListAdminKeysParams) ([]Key, string, error) {
	if p.TeamID != "" && !looksLikeTeamID(p.TeamID) {
		return nil, "", invalidParam("team_id", `team_id must look like "team_" followed by letters and digits`)
	}
	filter := fmt.Sprintf("%t|%s", p.IncludeRevoked, p.TeamID)
	return k.list(ctx, p.PageSize, p.PageToken, listingAdminKeys, filter, ListKeysQuery{
		AdminKeys: true, IncludeRevoked: p.IncludeRevoked, TeamID: p.TeamID,
	})
}

// RevokeAdminKey revokes an admin credential, idempotently.
func (k *Keys) RevokeAdminKey(ctx context.Context, id string) (Key, error) {
	rec, err := k.revoke(ctx, id, true)
	if err != nil {
		return Key{}, err
	}
	return keyFromRecord(rec), nil
}

// RotateAdminKey gives an admin credential a new secret, like Rotate.
func (k *Keys) RotateAdminKey(ctx context.Context, id string, grace time.Duration) (Key, string, error) {
	return k.rotate(ctx, id, grace, true, GenerateAdminKey)
}

// parseAdminSecret checks the format and checksum of a generated admin
// credential, as parseSecret does for virtual keys.
func parseAdminSecret(s string) *llm.Error {
	if len(s) != len(AdminKeyPrefix)+secretRandomLen+secretChecksumLen || !isBase62(s[len(AdminKeyPrefix):]) {
		return errInvalidAdminKey()
	}
	body := s[:len(s)-secretChecksumLen]
	var want [secretChecksumLen]byte
	appendBase62Fixed(want[:0], uint64(checksum(body)), secretChecksumLen)
	if string(want[:]) != s[len(body):] {
		return errInvalidAdminKey()
	}
	return nil
}
