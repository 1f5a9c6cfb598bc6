package auth_test

import (
	"errors"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
)

func TestOutageServesKnownKeysFromMemoryWithinTheStalenessBound(t *testing.T) {
	ctx := t.Context()
	keys, store, clock := newKeys(t, auth.WithCacheTTL(30*time.Second), auth.WithMaxStaleness(10*time.Minute))
	_, known := mustCreate(t, keys, auth.CreateKeyParams{Name: "known"})
	revokedKey, revoked := mustCreate(t, keys, auth.CreateKeyParams{Name: "revoked"})
	_, unknownToCache := mustCreate(t, keys, auth.CreateKeyParams{Name: "never verified"})
	for _, s := range []string{known, revoked} {
		if _, err := keys.Verify(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := keys.Revoke(ctx, revokedKey.ID); err != nil {
		t.Fatal(err)
	}

	store.unreachable.Store(true)
	clock.Advance(time.Minute) // past the TTL: every entry is stale

	if _, err := keys.Verify(ctx, known); err != nil {
		t.Errorf("known key during the outage: %v, want it served from memory", err)
	}
	_, err := keys.Verify(ctx, revoked)
	assertError(t, err, llm.KindUnauthenticated, auth.ErrKeyRevoked)
	_, err = keys.Verify(ctx, unknownToCache)
	if e := assertError(t, err, llm.KindUnavailable, nil); e.Message != "key store unavailable" {
		t.Errorf("message %q", e.Message)
	}
	_, err = keys.Verify(ctx, auth.GenerateSecret())
	assertError(t, err, llm.KindUnavailable, nil) // never 401 while the store cannot say

	// Writes fail with Unavailable.
	_, _, err = keys.Create(ctx, auth.CreateKeyParams{Name: "during"})
	assertError(t, err, llm.KindUnavailable, nil)

	// Within the probe interval the store is not asked again per request.
	before := store.hashLookups.Load()
	for range 20 {
		keys.Verify(ctx, known)
		keys.Verify(ctx, unknownToCache)
	}
	if n := store.hashLookups.Load() - before; n != 0 {
		t.Errorf("%d store reads during the probe interval, want 0", n)
	}

	// Past the staleness bound even known keys are refused, with Unavailable.
	clock.Advance(10 * time.Minute)
	_, err = keys.Verify(ctx, known)
	assertError(t, err, llm.KindUnavailable, nil)

	// Recovery is automatic: the next probe finds the store and it is used
	// again for everything.
	store.unreachable.Store(false)
	clock.Advance(10 * time.Second)
	for _, s := range []string{known, unknownToCache} {
		if _, err := keys.Verify(ctx, s); err != nil {
			t.Errorf("after recovery: %v", err)
		}
	}
	if _, _, err := keys.Create(ctx, auth.CreateKeyParams{Name: "after"}); err != nil {
		t.Errorf("Create after recovery: %v", err)
	}
}

func TestKeysChangedElsewhereAreNotServedStaleDuringAnOutage(t *testing.T) {
	ctx := t.Context()
	keys, store, clock := newKeys(t)
	changed, changedSecret := mustCreate(t, keys, auth.CreateKeyParams{Name: "changed elsewhere"})
	revokedElsewhere, revokedSecret := mustCreate(t, keys, auth.CreateKeyParams{Name: "revoked elsewhere"})
	for _, s := range []string{changedSecret, revokedSecret} {
		if _, err := keys.Verify(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	// Announcements from another instance (see Run).
	keys.ApplyChange(auth.KeyChange{KeyID: changed.ID})
	keys.ApplyChange(auth.KeyChange{KeyID: revokedElsewhere.ID, Revoked: true})

	store.unreachable.Store(true)
	clock.Advance(time.Second)
	_, err := keys.Verify(ctx, changedSecret)
	assertError(t, err, llm.KindUnavailable, nil)
	_, err = keys.Verify(ctx, revokedSecret)
	assertError(t, err, llm.KindUnauthenticated, auth.ErrKeyRevoked)
}

func TestResyncMakesCachedVerificationsAskTheStoreButKeepsThemForOutages(t *testing.T) {
	ctx := t.Context()
	keys, store, clock := newKeys(t)
	_, secret := mustCreate(t, keys, auth.CreateKeyParams{Name: "cached"})
	keys.Verify(ctx, secret)
	before := store.hashLookups.Load()

	keys.ApplyChange(auth.KeyChange{Resync: true})
	if _, err := keys.Verify(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if n := store.hashLookups.Load() - before; n != 1 {
		t.Errorf("%d store reads after a resync, want 1", n)
	}

	keys.ApplyChange(auth.KeyChange{Resync: true})
	store.unreachable.Store(true)
	clock.Advance(time.Second)
	if _, err := keys.Verify(ctx, secret); err != nil {
		t.Errorf("after a resync, during an outage: %v, want served from memory", err)
	}
}

func TestAStoreTimeoutIsAnOutageNotACancellation(t *testing.T) {
	store := &slowStore{Store: openSQLite(t), delay: time.Second}
	keys := auth.NewKeys(store, testServerSecret, auth.WithStoreTimeout(10*time.Millisecond), auth.WithLogger(quietLogger))
	_, secret := mustCreate(t, keys, auth.CreateKeyParams{Name: "slow"})
	_, err := keys.Verify(t.Context(), secret)
	if e := assertError(t, err, llm.KindUnavailable, nil); !errors.Is(e, errSlow) && e.Message != "key store unavailable" {
		t.Errorf("message %q", e.Message)
	}
}
