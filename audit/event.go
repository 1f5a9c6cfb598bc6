package audit

import (
	"crypto/rand"
	"encoding/json"
	"time"
)

// Actions recorded in the audit trail: "<what>.<verb>".
const (
	ActionKeyCreate      = "key.create"
	ActionKeyUpdate      = "key.update"
	ActionKeyRevoke      = "key.revoke"
	ActionKeyRotate      = "key.rotate"
	ActionAdminKeyCreate = "admin_key.create"
	ActionAdminKeyRevoke = "admin_key.revoke"
	ActionAdminKeyRotate = "admin_key.rotate"
	ActionTeamCreate     = "team.create"
	ActionTeamUpdate     = "team.update"
	ActionTeamDelete     = "team.delete"
	ActionUserCreate     = "user.create"
	ActionUserUpdate     = "user.update"
	ActionUserDelete     = "user.delete"
	// ActionUserDataExport and ActionUserDataErase are GDPR requests.
	ActionUserDataExport = "user_data.export"
	ActionUserDataErase  = "user_data.erase"
	// ActionAuditList and ActionRequestsList are reads of the audit trail
	// itself, which are recorded too: who looked at what.
	ActionAuditList    = "audit.list"
	ActionRequestsList = "request_records.list"
)

// Target types.
const (
	TargetKey        = "key"
	TargetAdminKey   = "admin_key"
	TargetTeam       = "team"
	TargetUser       = "user"
	TargetAuditTrail = "audit_trail"
)

// ActorBootstrap is the Actor of the bootstrap admin key, which has no id.
const ActorBootstrap = "bootstrap"

// OutcomeOK is the Outcome of an action that succeeded; failures carry
// the name of the error's kind ("permission_denied", "not_found", ...).
const OutcomeOK = "ok"

// ErasedDetails replaces Before and After of the events about a user
// whose data was erased (see EventStore.EraseEventDetails).
var ErasedDetails = json.RawMessage(`{"erased":true}`)

// Event is one admin action in the audit trail.
type Event struct {
	// ID is "evt_" followed by 16 base62 characters.
	ID   string
	Time time.Time
	// Actor is the admin credential's key id, or ActorBootstrap.
	Actor string
	// ActorRole is the credential's role ("admin", "team_admin",
	// "auditor").
	ActorRole string
	// Action is one of the Action constants.
	Action string
	// TargetType and TargetID name what was acted on; TargetID is empty
	// when nothing was created (a refused create) or for listings.
	TargetType string
	TargetID   string
	// TeamID is the team that owns the target, "" for what no team owns
	// (admin credentials, the whole trail).
	TeamID string
	// Before and After are JSON objects: the target as it was and as it
	// became (nil when there is none), or for reads the request's filters
	// (After). They never hold a secret or a secret's hash.
	Before, After json.RawMessage
	// ClientAddress is the caller's IP address; RequestID the gateway's id
	// of the admin request.
	ClientAddress string
	RequestID     string
	// Outcome is OutcomeOK or the error's kind.
	Outcome string
}

// eventIDPrefix starts every event id.
const eventIDPrefix = "evt_"

// NewEventID returns a fresh event id.
func NewEventID() string { return eventIDPrefix + randomBase62(16) }

const base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// randomBase62 returns n characters uniform over the alphabet (bytes at or
// above 248 are rejected rather than reduced, which would bias the first
// eight characters).
func randomBase62(n int) string {
	out := make([]byte, 0, n)
	var buf [32]byte
	for len(out) < n {
		rand.Read(buf[:])
		for _, b := range buf {
			if b < 248 && len(out) < n {
				out = append(out, base62Alphabet[b%62])
			}
		}
	}
	return string(out)
}

// looksLikeID reports whether id has the shape of an event id or a request
// id (page tokens carry one).
func looksLikeID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c == '_' || c == '-' || '0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}
