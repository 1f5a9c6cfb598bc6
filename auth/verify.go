package auth

import (
	"context"
	"crypto/hmac"
	"errors"
	"slices"
)

// Verify checks a virtual key secret and returns its principal. It is on the
// path of every request, so it rejects malformed and mistyped secrets
// without touching the store, and reuses recent successful verifications
// (see WithCacheTTL). Expiry is checked on every call.
func (k *Keys) Verify(ctx context.Context, secret string) (*Principal, error) {
	if err := parseSecret(secret); err != nil {
		if k.admin.matches(secret) {
			return nil, errAdminKeyAsVirtualKey()
		}
		return nil, err
	}
	hash := k.hashSecret(secret)
	now := k.now()
	if e, ok := k.cache.get(hash, now); ok {
		if isExpired(e.expiresAt, now) {
			return nil, errKeyExpired()
		}
		p := *e.principal
		return &p, nil
	}

	// Taken before the read, so a Revoke that lands while the store is being
	// read keeps this (possibly stale) result out of the cache.
	generation := k.cache.generation()
	// A copy, so the array above stays on the stack on the cached path.
	rec, err := k.store.KeyByHash(ctx, slices.Clone(hash[:]))
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, errUnknownKey()
	case err != nil:
		return nil, storeError(err)
	case !hmac.Equal(rec.Hash, hash[:]):
		// A store that answered for another hash is broken; refuse rather
		// than let a key in on someone else's record.
		return nil, errUnknownKey()
	case !rec.RevokedAt.IsZero():
		return nil, errKeyRevoked()
	case isExpired(rec.ExpiresAt, now):
		return nil, errKeyExpired()
	}
	principal := &Principal{KeyID: rec.ID, KeyName: rec.Name, AllowedModels: rec.AllowedModels}
	k.cache.put(hash, cacheEntry{principal: principal, expiresAt: rec.ExpiresAt}, now, generation)
	p := *principal
	return &p, nil
}
