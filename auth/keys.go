package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"hash"
	"log/slog"
	"sync"
	"time"
)

const (
	// DefaultCacheTTL is how long a successful verification is reused
	// before the store is asked again. With a store that announces changes
	// (Postgres) it only bounds how late a change is seen when an
	// announcement is lost.
	DefaultCacheTTL = 30 * time.Second
	// DefaultMaxStaleness is how long after its last successful check a
	// cached verification keeps being honoured while the store is
	// unreachable.
	DefaultMaxStaleness = time.Hour
	// DefaultCacheSize bounds the verification cache.
	DefaultCacheSize = 10_000
	// DefaultStoreTimeout bounds one store read on the request path.
	DefaultStoreTimeout = 2 * time.Second
	// DefaultUsageFlushInterval is how often last-used times are written.
	DefaultUsageFlushInterval = 10 * time.Second
	// DefaultRotationGrace is how long a rotated key's old secret keeps
	// working when the caller does not say.
	DefaultRotationGrace = 24 * time.Hour
	// MaxRotationGrace bounds the grace period of a rotation.
	MaxRotationGrace = 30 * 24 * time.Hour
	// DefaultPageSize and MaxPageSize bound listings.
	DefaultPageSize = 100
	MaxPageSize     = 1000
	// createAttempts bounds retries when a fresh id or hash collides; with
	// 95- and 196-bit randomness a second attempt is already theoretical.
	createAttempts = 3
)

// Key is a virtual key's or an admin credential's public record. It never
// holds the secret.
type Key struct {
	ID   string
	Name string
	// Role is empty for virtual keys; admin credentials have one.
	Role          Role
	TeamID        string
	UserID        string
	AllowedModels []string
	Tags          []string
	Limits        Limits
	SecretPrefix  string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	RevokedAt     time.Time // zero when not revoked
	ExpiresAt     time.Time // zero when it never expires
	RotatedAt     time.Time // zero when never rotated
	LastUsedAt    time.Time // zero when never used (recorded every few seconds, not per request)
}

// Keys issues, lists, changes, revokes, rotates and verifies virtual keys
// and admin credentials. It is safe for concurrent use. Run does its
// background work (last-used times, change announcements).
type Keys struct {
	store         KeyStore
	now           func() time.Time
	admin         *Admin
	cache         *verifiedCache
	health        storeHealth
	usage         *usageRecorder
	limiter       *FailureLimiter
	storeTimeout  time.Duration
	flushInterval time.Duration
	logger        *slog.Logger
	// macs pools keyed HMAC states (*pooledMAC): keying HMAC-SHA256 costs
	// two extra SHA-256 blocks, a third of the work of hashing a short
	// secret, and the pooled buffers keep hashing allocation-free.
	macs sync.Pool
}

// KeysOption configures NewKeys.
type KeysOption func(*keysConfig)

type keysConfig struct {
	now           func() time.Time
	cacheTTL      time.Duration
	maxStaleness  time.Duration
	cacheSize     int
	admin         *Admin
	limiter       *FailureLimiter
	storeTimeout  time.Duration
	flushInterval time.Duration
	logger        *slog.Logger
}

// WithClock replaces time.Now, for tests of expiry and caching.
func WithClock(now func() time.Time) KeysOption {
	return func(c *keysConfig) { c.now = now }
}

// WithCacheTTL sets how long a successful verification is reused before the
// store is asked again; 0 disables the cache (and with it the outage
// fallback). Without change announcements it bounds how long another
// instance sharing the store keeps accepting a key revoked elsewhere.
func WithCacheTTL(ttl time.Duration) KeysOption {
	return func(c *keysConfig) { c.cacheTTL = ttl }
}

// WithMaxStaleness sets how long after its last successful check a cached
// verification is still honoured while the store cannot be reached. Values
// below the cache TTL are raised to it.
func WithMaxStaleness(d time.Duration) KeysOption {
	return func(c *keysConfig) { c.maxStaleness = d }
}

// WithCacheSize bounds the number of cached verifications.
func WithCacheSize(n int) KeysOption {
	return func(c *keysConfig) { c.cacheSize = n }
}

// WithAdmin sets the bootstrap admin key: VerifyAdmin accepts it with the
// admin role, and Verify recognises it even when it was chosen by the
// operator and lacks AdminKeyPrefix, answering that it belongs to
// AdminService rather than calling it malformed.
func WithAdmin(a *Admin) KeysOption {
	return func(c *keysConfig) { c.admin = a }
}

// WithFailureLimiter rate limits failed authentications per client address
// in VerifyFrom and VerifyAdminFrom.
func WithFailureLimiter(l *FailureLimiter) KeysOption {
	return func(c *keysConfig) { c.limiter = l }
}

// WithStoreTimeout bounds one store read on the request path, so a hung
// database turns into the outage fallback instead of hung requests.
func WithStoreTimeout(d time.Duration) KeysOption {
	return func(c *keysConfig) { c.storeTimeout = d }
}

// WithUsageFlushInterval sets how often Run writes last-used times.
func WithUsageFlushInterval(d time.Duration) KeysOption {
	return func(c *keysConfig) { c.flushInterval = d }
}

// WithLogger receives outage transitions and background failures. It never
// receives a secret. Nil means slog.Default().
func WithLogger(l *slog.Logger) KeysOption {
	return func(c *keysConfig) { c.logger = l }
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
	cfg := keysConfig{
		now:           time.Now,
		cacheTTL:      DefaultCacheTTL,
		maxStaleness:  DefaultMaxStaleness,
		cacheSize:     DefaultCacheSize,
		storeTimeout:  DefaultStoreTimeout,
		flushInterval: DefaultUsageFlushInterval,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.logger == nil {
		cfg.logger = slog.Default()
	}
	if cfg.storeTimeout <= 0 {
		cfg.storeTimeout = DefaultStoreTimeout
	}
	if cfg.flushInterval <= 0 {
		cfg.flushInterval = DefaultUsageFlushInterval
	}
	key := append([]byte(nil), serverSecret...)
	usage := newUsageRecorder()
	k := &Keys{
		store:         store,
		now:           cfg.now,
		admin:         cfg.admin,
		cache:         newVerifiedCache(cfg.cacheTTL, max(cfg.maxStaleness, cfg.cacheTTL), cfg.cacheSize, usage),
		usage:         usage,
		limiter:       cfg.limiter,
		storeTimeout:  cfg.storeTimeout,
		flushInterval: cfg.flushInterval,
		logger:        cfg.logger,
	}
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

func keyFromRecord(r KeyRecord) Key {
	return Key{
		ID:            r.ID,
		Name:          r.Name,
		Role:          r.Role,
		TeamID:        r.TeamID,
		UserID:        r.UserID,
		AllowedModels: append([]string(nil), r.AllowedModels...),
		Tags:          append([]string(nil), r.Tags...),
		Limits:        r.Limits,
		SecretPrefix:  r.SecretPrefix,
		CreatedAt:     r.CreatedAt,
		UpdatedAt:     r.UpdatedAt,
		RevokedAt:     r.RevokedAt,
		ExpiresAt:     r.ExpiresAt,
		RotatedAt:     r.RotatedAt,
		LastUsedAt:    r.LastUsedAt,
	}
}

// isExpired reports whether something with this expiry is expired at now.
func isExpired(expiresAt, now time.Time) bool {
	return !expiresAt.IsZero() && !now.Before(expiresAt)
}
