package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// Verify checks a virtual key secret and returns its principal. It is on the
// path of every request, so it rejects malformed and mistyped secrets
// without touching the store and serves recent verifications from memory
// (see WithCacheTTL). Expiry is checked on every call. While the store
// cannot be reached, keys verified within the staleness bound keep working,
// revocations already seen keep holding, and other keys are refused with
// Unavailable ("key store unavailable"), never Unauthenticated.
func (k *Keys) Verify(ctx context.Context, secret string) (*Principal, error) {
	if err := parseSecret(secret); err != nil {
		if k.admin.matches(secret) {
			return nil, errAdminKeyAsVirtualKey()
		}
		return nil, err
	}
	e, err := k.lookup(ctx, k.hashSecret(secret), false)
	if err != nil {
		return nil, err
	}
	p := *e.principal
	return &p, nil
}

// VerifyFrom is Verify for a request from remoteAddr ("host:port" or a
// bare address): with a FailureLimiter (WithFailureLimiter), an address
// that failed too often is refused with RateLimited and a RetryAfter before
// its key is even looked at.
func (k *Keys) VerifyFrom(ctx context.Context, secret, remoteAddr string) (*Principal, error) {
	if err := k.limiter.check(remoteAddr); err != nil {
		return nil, err
	}
	p, err := k.Verify(ctx, secret)
	if err != nil {
		k.limiter.noteFailure(remoteAddr, err)
	}
	return p, err
}

// VerifyAdmin checks a token presented to AdminService: the bootstrap admin
// key (WithAdmin) or an admin credential issued by CreateAdminKey. Virtual
// keys are refused with PermissionDenied, anything else with
// Unauthenticated, and an unreachable store as in Verify.
func (k *Keys) VerifyAdmin(ctx context.Context, token string) (*AdminPrincipal, error) {
	switch {
	case token == "":
		return nil, errMissingAdminKey()
	case k.admin.matches(token):
		p := bootstrapAdmin
		return &p, nil
	case strings.HasPrefix(token, SecretPrefix):
		return nil, errVirtualKeyAsAdminKey()
	case !strings.HasPrefix(token, AdminKeyPrefix):
		return nil, errInvalidAdminKey()
	}
	if err := parseAdminSecret(token); err != nil {
		return nil, err
	}
	e, err := k.lookup(ctx, k.hashSecret(token), true)
	if err != nil {
		return nil, err
	}
	p := *e.admin
	return &p, nil
}

// VerifyAdminFrom is VerifyAdmin with the failure limiter, as VerifyFrom.
func (k *Keys) VerifyAdminFrom(ctx context.Context, token, remoteAddr string) (*AdminPrincipal, error) {
	if err := k.limiter.check(remoteAddr); err != nil {
		return nil, err
	}
	p, err := k.VerifyAdmin(ctx, token)
	if err != nil {
		k.limiter.noteFailure(remoteAddr, err)
	}
	return p, err
}

// lookup finds the verification of a secret hash: in the cache while fresh,
// otherwise in the store, falling back to a stale cache entry when the
// store cannot be reached. It returns an entry that is live (neither
// revoked nor expired) and of the wanted kind, or the error to answer.
func (k *Keys) lookup(ctx context.Context, hash [sha256.Size]byte, admin bool) (cacheEntry, error) {
	now := k.now()
	e, state := k.cache.get(hash, now)
	if state == cacheFresh {
		return k.use(e, now, admin)
	}
	if !k.health.shouldAsk(now) {
		if state == cacheStale {
			return k.use(e, now, admin)
		}
		return cacheEntry{}, errStoreUnavailable(nil)
	}

	// Taken before the read, so a change that lands while the store is
	// being read keeps this (possibly stale) result out of the cache.
	generation := k.cache.generation()
	readCtx, cancel := context.WithTimeout(ctx, k.storeTimeout)
	// A copy, so the array above stays on the stack on the cached path.
	m, err := k.store.KeyByHash(readCtx, slices.Clone(hash[:]))
	cancel()
	switch {
	case err == nil || errors.Is(err, ErrNotFound):
		if k.health.succeeded() {
			k.logger.Info("key store reachable again; verifications use it from now on")
		}
	case ctx.Err() != nil:
		// The caller went away: that says nothing about the store.
		k.health.abandoned()
		return cacheEntry{}, storeError(ctx.Err())
	default:
		if k.health.failed(now) {
			k.logger.Warn("key store unreachable: serving keys verified in the last "+k.cache.staleFor.String()+
				" from memory, refusing others with Unavailable", "error", err)
		}
		if state == cacheStale {
			return k.use(e, now, admin)
		}
		return cacheEntry{}, errStoreUnavailable(err)
	}
	if errors.Is(err, ErrNotFound) || (!m.Retired && !hmac.Equal(m.Key.Hash, hash[:])) {
		// Unknown, or a store that answered for another hash: refuse rather
		// than let a key in on someone else's record.
		k.cache.remove(hash)
		return cacheEntry{}, errUnknown(admin)
	}
	e = entryFromMatch(m)
	k.cache.put(hash, e, now, generation)
	return k.use(e, now, admin)
}

// use turns a verification into the answer: refused when revoked, expired,
// retired past its grace, or of the other kind; otherwise its use is
// recorded for the last-used time.
func (k *Keys) use(e cacheEntry, now time.Time, admin bool) (cacheEntry, error) {
	switch {
	case (e.admin != nil) != admin:
		return cacheEntry{}, errUnknown(admin)
	case e.revoked:
		return cacheEntry{}, errKeyRevoked()
	case isExpired(e.expiresAt, now) && e.retired:
		return cacheEntry{}, errSecretRotated()
	case isExpired(e.expiresAt, now):
		return cacheEntry{}, errKeyExpired()
	}
	if e.usage != nil {
		e.usage.touch(now)
	} else {
		k.usage.cell(e.keyID).touch(now) // cache disabled
	}
	return e, nil
}

// entryFromMatch builds the cache entry for what the store found.
func entryFromMatch(m KeyMatch) cacheEntry {
	r := m.Key
	e := cacheEntry{keyID: r.ID, revoked: !r.RevokedAt.IsZero(), expiresAt: r.ExpiresAt}
	if m.Retired && (e.expiresAt.IsZero() || m.RetiredUntil.Before(e.expiresAt)) {
		e.expiresAt, e.retired = m.RetiredUntil, true
	}
	if r.Role != "" {
		e.admin = &AdminPrincipal{KeyID: r.ID, KeyName: r.Name, Role: r.Role, TeamID: r.TeamID}
	} else {
		e.principal = &Principal{
			KeyID:         r.ID,
			KeyName:       r.Name,
			TeamID:        r.TeamID,
			UserID:        r.UserID,
			AllowedModels: r.AllowedModels,
			Tags:          r.Tags,
			Limits:        r.Limits,
		}
	}
	return e
}

func errUnknown(admin bool) *llm.Error {
	if admin {
		return errInvalidAdminKey()
	}
	return errUnknownKey()
}
