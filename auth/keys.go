package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"sync"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

const (
	// DefaultCacheTTL is how long a successful verification is reused.
	DefaultCacheTTL = 30 * time.Second
	// DefaultCacheSize bounds the verification cache.
	DefaultCacheSize = 10_000
	// DefaultPageSize and MaxPageSize bound List.
	DefaultPageSize = 100
	MaxPageSize     = 1000
	// createAttempts bounds retries when a fresh id or hash collides; with
	// 95- and 196-bit randomness a second attempt is already theoretical.
	createAttempts = 3
)

// Key is a virtual key's public record. It never holds the secret.
type Key struct {
	ID            string
	Name          string
	AllowedModels []string
	SecretPrefix  string
	CreatedAt     time.Time
	RevokedAt     time.Time // zero when not revoked
	ExpiresAt     time.Time // zero when it never expires
}

// CreateKeyParams describes a new key.
type CreateKeyParams struct {
	Name          string
	AllowedModels []string  // empty: every alias
	ExpiresAt     time.Time // zero: never
}

// ListKeysParams pages through keys.
type ListKeysParams struct {
	PageSize       int // 0: DefaultPageSize; above MaxPageSize: MaxPageSize
	PageToken      string
	IncludeRevoked bool
}

// Keys issues, lists, revokes and verifies virtual keys. It is safe for
// concurrent use.
type Keys struct {
	store KeyStore
	now   func() time.Time
	admin *Admin
	cache *verifiedCache
	// macs pools keyed HMAC states (*pooledMAC): keying HMAC-SHA256 costs
	// two extra SHA-256 blocks, a third of the work of hashing a short
	// secret, and the pooled buffers keep hashing allocation-free.
	macs sync.Pool
}

// KeysOption configures NewKeys.
type KeysOption func(*keysConfig)

type keysConfig struct {
	now       func() time.Time
	cacheTTL  time.Duration
	cacheSize int
	admin     *Admin
}

// WithClock replaces time.Now, for tests of expiry and caching.
func WithClock(now func() time.Time) KeysOption {
	return func(c *keysConfig) { c.now = now }
}

// WithCacheTTL sets how long a successful verification is reused before the
// store is asked again; 0 disables the cache. It bounds how long another
// instance sharing the store keeps accepting a key revoked elsewhere.
func WithCacheTTL(ttl time.Duration) KeysOption {
	return func(c *keysConfig) { c.cacheTTL = ttl }
}

// WithCacheSize bounds the number of cached verifications.
func WithCacheSize(n int) KeysOption {
	return func(c *keysConfig) { c.cacheSize = n }
}

// WithAdmin lets Verify recognise the admin key even when it was chosen by
// the operator and lacks AdminKeyPrefix, and answer that it belongs to
// AdminService rather than calling it malformed.
func WithAdmin(a *Admin) KeysOption {
	return func(c *keysConfig) { c.admin = a }
}

// NewKeys returns a Keys over store, hashing secrets under serverSecret. It
// panics when store is nil or serverSecret is shorter than ServerSecretLen:
// both are wiring mistakes, found at start-up.
func NewKeys(store KeyStore, serverSecret []byte, opts ...KeysOption) *Keys {
	if store == nil {
		panic("auth.NewKeys: nil KeyStore")
	}
	if len(serverSecret) < ServerSecretLen {
		panic(fmt.Sprintf("auth.NewKeys: server secret must be at least %d bytes", ServerSecretLen))
	}
	cfg := keysConfig{now: time.Now, cacheTTL: DefaultCacheTTL, cacheSize: DefaultCacheSize}
	for _, o := range opts {
		o(&cfg)
	}
	key := append([]byte(nil), serverSecret...)
	k := &Keys{store: store, now: cfg.now, admin: cfg.admin, cache: newVerifiedCache(cfg.cacheTTL, cfg.cacheSize)}
	k.macs.New = func() any { return &pooledMAC{mac: hmac.New(sha256.New, key)} }
	return k
}

// pooledMAC is a keyed HMAC with scratch space that lives on the heap once,
// rather than escaping anew through the hash.Hash interface on every call.
type pooledMAC struct {
	mac hash.Hash
	in  []byte
	sum []byte
}

// hashSecret returns HMAC-SHA256(server secret, secret).
func (k *Keys) hashSecret(secret string) [sha256.Size]byte {
	p := k.macs.Get().(*pooledMAC)
	p.mac.Reset()
	p.in = append(p.in[:0], secret...)
	p.mac.Write(p.in)
	p.sum = p.mac.Sum(p.sum[:0])
	sum := [sha256.Size]byte(p.sum)
	k.macs.Put(p)
	return sum
}

// timestamp is the current time as stored: UTC, microsecond precision.
func (k *Keys) timestamp() time.Time { return storedTime(k.now()) }

func storedTime(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

// Create issues a key and returns its record and its secret (shown once).
func (k *Keys) Create(ctx context.Context, p CreateKeyParams) (Key, string, error) {
	name, models, err := validateCreate(p)
	if err != nil {
		return Key{}, "", err
	}
	now := k.timestamp()
	expires := storedTime(p.ExpiresAt)
	if !expires.IsZero() && !expires.After(now) {
		return Key{}, "", invalidParam("expire_time", "expire_time must be in the future")
	}
	for range createAttempts {
		secret := GenerateSecret()
		hash := k.hashSecret(secret)
		rec := KeyRecord{
			ID:            NewKeyID(),
			Name:          name,
			Hash:          hash[:],
			SecretPrefix:  secret[:secretDisplayLen],
			AllowedModels: models,
			CreatedAt:     now,
			ExpiresAt:     expires,
		}
		err := k.store.InsertKey(ctx, rec)
		if errors.Is(err, ErrAlreadyExists) {
			continue
		}
		if err != nil {
			return Key{}, "", storeError(err)
		}
		return keyFromRecord(rec), secret, nil
	}
	return Key{}, "", &llm.Error{Kind: llm.KindInternal, Message: "could not allocate a unique key id; try again"}
}

// Get returns a key by id.
func (k *Keys) Get(ctx context.Context, id string) (Key, error) {
	if err := checkKeyID(id); err != nil {
		return Key{}, err
	}
	rec, err := k.store.KeyByID(ctx, id)
	if err != nil {
		return Key{}, lookupError(err, id)
	}
	return keyFromRecord(rec), nil
}

// Revoke revokes a key; revoking a revoked key changes nothing and succeeds.
// The key is refused from the next Verify through this Keys on.
func (k *Keys) Revoke(ctx context.Context, id string) (Key, error) {
	if err := checkKeyID(id); err != nil {
		return Key{}, err
	}
	rec, err := k.store.RevokeKey(ctx, id, k.timestamp())
	if err != nil {
		if !errors.Is(err, ErrNotFound) {
			// The revocation may have committed before the failure was
			// reported; forget every cached verification to be safe.
			k.cache.purge()
		}
		return Key{}, lookupError(err, id)
	}
	k.cache.invalidate(rec.Hash)
	return keyFromRecord(rec), nil
}

// List returns a page of keys, newest first, and the token of the next page
// ("" on the last page).
func (k *Keys) List(ctx context.Context, p ListKeysParams) ([]Key, string, error) {
	size := p.PageSize
	switch {
	case size < 0:
		return nil, "", invalidParam("page_size", "page_size must not be negative")
	case size == 0:
		size = DefaultPageSize
	case size > MaxPageSize:
		size = MaxPageSize // AIP-158: coerce, do not refuse
	}
	after, tokenErr := decodePageToken(p.PageToken, p.IncludeRevoked)
	if tokenErr != nil {
		return nil, "", tokenErr
	}
	recs, err := k.store.ListKeys(ctx, ListKeysQuery{Limit: size + 1, After: after, IncludeRevoked: p.IncludeRevoked})
	if err != nil {
		return nil, "", storeError(err)
	}
	next := ""
	if len(recs) > size {
		recs = recs[:size]
		last := recs[size-1]
		next = encodePageToken(KeyCursor{CreatedAt: last.CreatedAt, ID: last.ID}, p.IncludeRevoked)
	}
	keys := make([]Key, len(recs))
	for i, r := range recs {
		keys[i] = keyFromRecord(r)
	}
	return keys, next, nil
}

// checkKeyID refuses ids that cannot exist before the store is asked. It
// does not echo them: callers sometimes paste a secret where an id belongs.
func checkKeyID(id string) *llm.Error {
	switch {
	case id == "":
		return invalidParam("id", "id is required")
	case !looksLikeKeyID(id):
		return &llm.Error{Kind: llm.KindNotFound, Err: ErrNotFound,
			Message: `API key not found: ids look like "key_" followed by 16 letters and digits`}
	}
	return nil
}

func lookupError(err error, id string) *llm.Error {
	if errors.Is(err, ErrNotFound) {
		// id has the shape of a key id (checkKeyID), so it is safe to show.
		return &llm.Error{Kind: llm.KindNotFound, Err: err, Message: fmt.Sprintf("API key %q not found", id)}
	}
	return storeError(err)
}

func keyFromRecord(r KeyRecord) Key {
	return Key{
		ID:            r.ID,
		Name:          r.Name,
		AllowedModels: append([]string(nil), r.AllowedModels...),
		SecretPrefix:  r.SecretPrefix,
		CreatedAt:     r.CreatedAt,
		RevokedAt:     r.RevokedAt,
		ExpiresAt:     r.ExpiresAt,
	}
}

// isExpired reports whether a key with this expiry is expired at now.
func isExpired(expiresAt, now time.Time) bool {
	return !expiresAt.IsZero() && !now.Before(expiresAt)
}
