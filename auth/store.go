package auth

import (
	"context"
	"errors"
	"time"
)

// Storage sentinels. Store implementations return them (possibly wrapped)
// so the services here can tell a caller's mistake from a failing store.
var (
	// ErrNotFound: no record has the requested id or hash.
	ErrNotFound = errors.New("auth: not found in store")
	// ErrAlreadyExists: a record with the same id, hash or unique name is
	// stored.
	ErrAlreadyExists = errors.New("auth: already exists in store")
	// ErrTeamNotFound: a record names a team that does not exist.
	ErrTeamNotFound = errors.New("auth: team not found in store")
	// ErrUserNotFound: a key names a user that does not exist.
	ErrUserNotFound = errors.New("auth: user not found in store")
	// ErrUserNotInTeam: a key names a user of another team than its own.
	ErrUserNotInTeam = errors.New("auth: user belongs to another team")
	// ErrRevoked: a change was asked of a revoked key.
	ErrRevoked = errors.New("auth: key is revoked")
	// ErrHasLiveKeys: a team or user to delete still has a key that is
	// neither revoked nor expired.
	ErrHasLiveKeys = errors.New("auth: has live keys")
)

// KeyRecord is a virtual key or an admin credential as stored: the public
// record plus the keyed hash of its current secret. It never holds a secret.
//
// Times are UTC and truncated to the microsecond before they reach the
// store, so every backend (SQLite integers, Postgres timestamptz) can return
// them exactly as given. A zero time means "never" (ExpiresAt), "not
// revoked" (RevokedAt), "never rotated" (RotatedAt) and "never used"
// (LastUsedAt).
type KeyRecord struct {
	ID   string
	Name string
	// Role is empty for a virtual key and names the role of an admin
	// credential (RoleAdmin, RoleTeamAdmin, RoleAuditor).
	Role Role
	// TeamID owns the key; empty only for admin credentials that are not
	// scoped to a team.
	TeamID string
	// UserID is the team member the key belongs to, if any.
	UserID        string
	Hash          []byte // HMAC-SHA256(server secret, secret), 32 bytes
	SecretPrefix  string
	AllowedModels []string // nil or empty: all models
	Tags          []string // nil or empty: none
	Limits        Limits
	CreatedAt     time.Time
	UpdatedAt     time.Time
	ExpiresAt     time.Time
	RevokedAt     time.Time
	RotatedAt     time.Time
	// LastUsedAt is read-only: it is written by RecordKeyUsage and returned
	// by KeyByID and ListKeys (KeyByHash, on the request path, leaves it
	// zero).
	LastUsedAt time.Time
}

// KeyMatch is what KeyByHash found: the key, and whether the hash was that
// of a secret retired by a rotation, valid until RetiredUntil.
type KeyMatch struct {
	Key          KeyRecord
	Retired      bool
	RetiredUntil time.Time
}

// Cursor is a position in the newest-first order of a listing: the record
// with this creation time and id, which the next page starts after.
type Cursor struct {
	CreatedAt time.Time
	ID        string
}

// KeyCursor is the cursor of a key listing.
type KeyCursor = Cursor

// ListKeysQuery selects one page of keys.
type ListKeysQuery struct {
	// Limit is the most records to return; always positive.
	Limit int
	// After, when set, starts the page after this position.
	After *Cursor
	// IncludeRevoked also returns revoked keys.
	IncludeRevoked bool
	// AdminKeys lists admin credentials instead of virtual keys.
	AdminKeys bool
	// TeamID, UserID and Tag, when set, keep only keys of that team, of
	// that user, and carrying that tag.
	TeamID, UserID, Tag string
}

// KeyUpdate changes some fields of a key; nil fields are left as they are.
type KeyUpdate struct {
	ID            string
	Name          *string
	AllowedModels *[]string
	Tags          *[]string
	ExpiresAt     *time.Time // pointing at the zero time: never expires
	Limits        *Limits
	UpdatedAt     time.Time
}

// KeyRotation replaces a key's secret. The old secret stays valid until
// RetireUntil when that is after At, and is refused at once otherwise.
type KeyRotation struct {
	ID           string
	NewHash      []byte
	SecretPrefix string
	At           time.Time
	RetireUntil  time.Time
}

// KeyUsage is the last time a key was seen in use.
type KeyUsage struct {
	KeyID  string
	UsedAt time.Time
}

// KeyStore persists virtual keys and admin credentials. Implementations must
// be safe for concurrent use; store/storetest.Run is the conformance suite
// they all pass.
//
// Lookups that find nothing return an error matching ErrNotFound; inserting
// an id or hash that is already stored returns one matching
// ErrAlreadyExists. Any other error means the store is failing.
type KeyStore interface {
	// InsertKey stores a new key. Its team must exist (ErrTeamNotFound) and
	// its user, when set, must exist (ErrUserNotFound) and belong to that
	// team (ErrUserNotInTeam).
	InsertKey(ctx context.Context, k KeyRecord) error
	// KeyByID returns the key with this id, revoked or not.
	KeyByID(ctx context.Context, id string) (KeyRecord, error)
	// KeyByHash returns the key whose current secret, or a secret retired
	// by a rotation and not yet purged, hashes to hash, revoked or not.
	KeyByHash(ctx context.Context, hash []byte) (KeyMatch, error)
	// ListKeys returns keys newest first, ordered by (CreatedAt, ID)
	// descending, starting after q.After, at most q.Limit of them.
	ListKeys(ctx context.Context, q ListKeysQuery) ([]KeyRecord, error)
	// UpdateKey applies u and returns the key as it now is; a revoked key
	// is not changed (ErrRevoked).
	UpdateKey(ctx context.Context, u KeyUpdate) (KeyRecord, error)
	// RevokeKey marks the key revoked at the given time and returns it. It is
	// idempotent: a key already revoked keeps its first revocation time.
	RevokeKey(ctx context.Context, id string, at time.Time) (KeyRecord, error)
	// RotateKey gives the key a new secret hash, keeps the old one valid as
	// described by KeyRotation, and returns the key as it now is; a revoked
	// key is not rotated (ErrRevoked). Retired secrets whose validity ended
	// may be purged at any time.
	RotateKey(ctx context.Context, r KeyRotation) (KeyRecord, error)
	// RecordKeyUsage moves each key's LastUsedAt forward to UsedAt (never
	// backward). Unknown key ids are ignored.
	RecordKeyUsage(ctx context.Context, usage []KeyUsage) error
}

// KeyChange is one change to a key announced by KeyChangeWatcher.
type KeyChange struct {
	// KeyID is the changed key. Empty together with Resync.
	KeyID string
	// Revoked reports that the key is now revoked.
	Revoked bool
	// Resync reports that changes may have been missed (the watcher
	// (re)connected): everything cached must be checked again.
	Resync bool
}

// KeyChangeWatcher is implemented by stores that can tell every gateway
// instance about key changes made by any of them (Postgres LISTEN/NOTIFY).
// Keys.Run uses it, when the store has it, to evict changed keys from its
// cache at once instead of when their cache entries age out.
type KeyChangeWatcher interface {
	// WatchKeyChanges calls fn for every change until ctx ends, reconnecting
	// on its own after failures and calling fn with a Resync change after
	// every (re)connection. It returns ctx's error.
	WatchKeyChanges(ctx context.Context, fn func(KeyChange)) error
}
