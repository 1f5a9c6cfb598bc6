package auth

import (
	"context"
	"errors"
	"time"
)

// Storage sentinels. KeyStore implementations return them (possibly wrapped)
// so Keys can tell "no such key" and "already taken" from a failing store.
var (
	// ErrNotFound: no key has the requested id or hash.
	ErrNotFound = errors.New("auth: key not found in store")
	// ErrAlreadyExists: a key with the same id or the same hash is stored.
	ErrAlreadyExists = errors.New("auth: key already exists in store")
)

// KeyRecord is a virtual key as stored: the public record plus the keyed
// hash of its secret. It never holds the secret itself.
//
// Times are UTC and truncated to the microsecond by Keys before they reach
// the store, so every backend (SQLite integers, Postgres timestamptz) can
// return them exactly as given. A zero ExpiresAt or RevokedAt means "never"
// and "not revoked".
type KeyRecord struct {
	ID            string
	Name          string
	Hash          []byte // HMAC-SHA256(server secret, secret), 32 bytes
	SecretPrefix  string
	AllowedModels []string // nil or empty: all models
	CreatedAt     time.Time
	ExpiresAt     time.Time
	RevokedAt     time.Time
}

// KeyCursor is a position in the newest-first order of keys: the key with
// this creation time and id, which the next page starts after.
type KeyCursor struct {
	CreatedAt time.Time
	ID        string
}

// ListKeysQuery selects one page of keys.
type ListKeysQuery struct {
	// Limit is the most records to return; always positive.
	Limit int
	// After, when set, starts the page after this position.
	After *KeyCursor
	// IncludeRevoked also returns revoked keys.
	IncludeRevoked bool
}

// KeyStore persists virtual keys. Implementations must be safe for
// concurrent use; store/storetest.RunKeyStore is the conformance suite they
// all pass.
//
// Lookups that find nothing return an error matching ErrNotFound; inserting
// an id or hash that is already stored returns one matching
// ErrAlreadyExists. Any other error means the store is failing.
type KeyStore interface {
	// InsertKey stores a new key.
	InsertKey(ctx context.Context, k KeyRecord) error
	// KeyByID returns the key with this id, revoked or not.
	KeyByID(ctx context.Context, id string) (KeyRecord, error)
	// KeyByHash returns the key whose secret hashes to hash, revoked or not.
	KeyByHash(ctx context.Context, hash []byte) (KeyRecord, error)
	// ListKeys returns keys newest first, ordered by (CreatedAt, ID)
	// descending, starting after q.After, at most q.Limit of them.
	ListKeys(ctx context.Context, q ListKeysQuery) ([]KeyRecord, error)
	// RevokeKey marks the key revoked at the given time and returns it. It is
	// idempotent: a key already revoked keeps its first revocation time.
	RevokeKey(ctx context.Context, id string, at time.Time) (KeyRecord, error)
}
