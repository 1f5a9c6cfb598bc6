package auth_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
)

func TestCreateVerifyRevoke(t *testing.T) {
	ctx := t.Context()
	keys, _, clock := newKeys(t)
	key, secret := mustCreate(t, keys, auth.CreateKeyParams{Name: "  billing service  "})

	if err := auth.ParseSecret(secret); err != nil {
		t.Fatalf("issued secret does not parse: %v", err)
	}
	if key.Name != "billing service" {
		t.Errorf("name %q, want trimmed", key.Name)
	}
	if !strings.HasPrefix(key.ID, "key_") || key.SecretPrefix != secret[:10] {
		t.Errorf("id %q / prefix %q malformed", key.ID, key.SecretPrefix)
	}
	if !key.CreatedAt.Equal(clock.Now().Truncate(time.Microsecond)) || !key.RevokedAt.IsZero() || !key.ExpiresAt.IsZero() {
		t.Errorf("times: created %v revoked %v expires %v", key.CreatedAt, key.RevokedAt, key.ExpiresAt)
	}

	for range 3 { // the first call fills the cache, the others hit it
		p, err := keys.Verify(ctx, secret)
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if p.KeyID != key.ID || p.KeyName != key.Name || len(p.AllowedModels) != 0 {
			t.Errorf("principal %+v does not match key %+v", p, key)
		}
		if !p.Allows("demo") || !p.Allows("openai/gpt-4o-mini") {
			t.Error("a key created with a name only must allow every alias")
		}
	}

	got, err := keys.Get(ctx, key.ID)
	if err != nil || got.ID != key.ID || got.Name != key.Name {
		t.Fatalf("Get: %+v, %v", got, err)
	}

	clock.Advance(time.Minute)
	revoked, err := keys.Revoke(ctx, key.ID)
	if err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	if !revoked.RevokedAt.Equal(clock.Now().Truncate(time.Microsecond)) {
		t.Errorf("RevokedAt %v, want %v", revoked.RevokedAt, clock.Now())
	}
	_, err = keys.Verify(ctx, secret)
	e := assertError(t, err, llm.KindUnauthenticated, auth.ErrKeyRevoked)
	if e.Message != "API key has been revoked" {
		t.Errorf("message %q", e.Message)
	}

	clock.Advance(time.Minute)
	again, err := keys.Revoke(ctx, key.ID)
	if err != nil {
		t.Fatalf("second Revoke: %v", err)
	}
	if !again.RevokedAt.Equal(revoked.RevokedAt) {
		t.Errorf("second Revoke moved RevokedAt from %v to %v", revoked.RevokedAt, again.RevokedAt)
	}
}

func TestVerifyCachesSuccessesButNotFailures(t *testing.T) {
	ctx := t.Context()
	keys, store, clock := newKeys(t)
	_, secret := mustCreate(t, keys, auth.CreateKeyParams{Name: "cached"})

	for range 5 {
		if _, err := keys.Verify(ctx, secret); err != nil {
			t.Fatal(err)
		}
	}
	if n := store.hashLookups.Load(); n != 1 {
		t.Errorf("5 verifications read the store %d times, want 1", n)
	}

	// Unknown keys are asked about every time.
	unknown := auth.GenerateSecret()
	for range 2 {
		_, err := keys.Verify(ctx, unknown)
		assertError(t, err, llm.KindUnauthenticated, auth.ErrUnknownKey)
	}
	if n := store.hashLookups.Load(); n != 3 {
		t.Errorf("store read %d times, want 3", n)
	}

	// A store failure is reported as Unavailable and not remembered: once
	// the probe interval has passed, the store is asked again.
	_, fresh := mustCreate(t, keys, auth.CreateKeyParams{Name: "fresh"})
	store.failing.Store(true)
	_, err := keys.Verify(ctx, fresh)
	e := assertError(t, err, llm.KindUnavailable, errStoreDown)
	if e.Message != "key store unavailable" {
		t.Errorf("message %q", e.Message)
	}
	store.failing.Store(false)
	clock.Advance(time.Second)
	if _, err := keys.Verify(ctx, fresh); err != nil {
		t.Errorf("Verify after the store recovered: %v", err)
	}
}

func TestMalformedAndMistypedKeysNeverReachTheStore(t *testing.T) {
	keys, store, _ := newKeys(t)
	_, secret := mustCreate(t, keys, auth.CreateKeyParams{Name: "typo target"})
	typo := secret[:12] + flip(secret[12]) + secret[13:]
	for _, bad := range []string{"", "sk-proj-abc", secret[:30], typo, auth.GenerateAdminKey()} {
		if _, err := keys.Verify(t.Context(), bad); err == nil {
			t.Errorf("Verify accepted a bad key (length %d)", len(bad))
		}
	}
	if n := store.hashLookups.Load(); n != 0 {
		t.Errorf("bad keys caused %d store reads, want 0", n)
	}
	_, err := keys.Verify(t.Context(), typo)
	assertError(t, err, llm.KindUnauthenticated, auth.ErrChecksumMismatch)
}

func TestRevokeRacingAVerifyDoesNotLeaveTheKeyCached(t *testing.T) {
	// Many rounds of verify-while-revoking: whatever the interleaving, the
	// first Verify that starts after Revoke returns must refuse the key.
	ctx := t.Context()
	keys, _, _ := newKeys(t)
	for range 30 {
		key, secret := mustCreate(t, keys, auth.CreateKeyParams{Name: "raced"})
		done := make(chan struct{})
		go func() {
			defer close(done)
			for range 20 {
				keys.Verify(ctx, secret)
			}
		}()
		if _, err := keys.Revoke(ctx, key.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := keys.Verify(ctx, secret); !errors.Is(err, auth.ErrKeyRevoked) {
			t.Fatalf("Verify right after Revoke: %v", err)
		}
		<-done
		if _, err := keys.Verify(ctx, secret); !errors.Is(err, auth.ErrKeyRevoked) {
			t.Fatalf("Verify after the racing verifications: %v", err)
		}
	}
}

func TestRevocationByAnotherInstanceIsSeenWhenTheCacheAgesOut(t *testing.T) {
	ctx := t.Context()
	shared := openSQLite(t)
	clock := newFakeClock()
	a := auth.NewKeys(shared, testServerSecret, auth.WithClock(clock.Now), auth.WithCacheTTL(30*time.Second))
	b := auth.NewKeys(shared, testServerSecret, auth.WithClock(clock.Now))
	key, secret := mustCreate(t, b, auth.CreateKeyParams{Name: "shared"})

	if _, err := a.Verify(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Revoke(ctx, key.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Verify(ctx, secret); err != nil {
		t.Errorf("instance a within its cache TTL: %v (the documented window)", err)
	}
	clock.Advance(30 * time.Second)
	if _, err := a.Verify(ctx, secret); !errors.Is(err, auth.ErrKeyRevoked) {
		t.Errorf("instance a after its cache TTL: %v, want revoked", err)
	}
}

func TestExpiry(t *testing.T) {
	ctx := t.Context()
	keys, store, clock := newKeys(t, auth.WithCacheTTL(24*time.Hour)) // expiry must not wait for the cache
	key, secret := mustCreate(t, keys, auth.CreateKeyParams{Name: "temp", ExpiresAt: clock.Now().Add(time.Hour)})
	if !key.ExpiresAt.Equal(clock.Now().Add(time.Hour).Truncate(time.Microsecond)) {
		t.Errorf("ExpiresAt %v", key.ExpiresAt)
	}
	if _, err := keys.Verify(ctx, secret); err != nil {
		t.Fatalf("Verify before expiry: %v", err)
	}
	clock.Advance(time.Hour - time.Second)
	if _, err := keys.Verify(ctx, secret); err != nil {
		t.Fatalf("Verify a second before expiry: %v", err)
	}
	clock.Advance(time.Second)
	_, err := keys.Verify(ctx, secret)
	e := assertError(t, err, llm.KindUnauthenticated, auth.ErrKeyExpired)
	if e.Message != "API key has expired" {
		t.Errorf("message %q", e.Message)
	}

	// Uncached path: a fresh Keys over the same store agrees.
	fresh := auth.NewKeys(store, testServerSecret, auth.WithClock(clock.Now))
	_, err = fresh.Verify(ctx, secret)
	assertError(t, err, llm.KindUnauthenticated, auth.ErrKeyExpired)

	_, _, err = keys.Create(ctx, auth.CreateKeyParams{Name: "born expired", ExpiresAt: clock.Now()})
	if e := assertError(t, err, llm.KindInvalidRequest, nil); e.Param != "expire_time" {
		t.Errorf("Param %q, want expire_time", e.Param)
	}
}

func TestExpiredKeyIsRefusedWithoutCache(t *testing.T) {
	keys, _, clock := newKeys(t, auth.WithCacheTTL(0))
	_, secret := mustCreate(t, keys, auth.CreateKeyParams{Name: "temp", ExpiresAt: clock.Now().Add(time.Minute)})
	if _, err := keys.Verify(t.Context(), secret); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	_, err := keys.Verify(t.Context(), secret)
	assertError(t, err, llm.KindUnauthenticated, auth.ErrKeyExpired)
}

func TestScopedKey(t *testing.T) {
	keys, _, _ := newKeys(t)
	_, secret := mustCreate(t, keys, auth.CreateKeyParams{Name: "scoped", AllowedModels: []string{"demo", "openai/*", "demo"}})
	p, err := keys.Verify(t.Context(), secret)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.AllowedModels, []string{"demo", "openai/*"}) {
		t.Errorf("AllowedModels %v, want duplicates removed in order", p.AllowedModels)
	}
	for model, want := range map[string]bool{"demo": true, "openai/gpt-4o": true, "demo2": false, "anthropic/claude": false} {
		if got := p.Allows(model); got != want {
			t.Errorf("Allows(%q) = %v, want %v", model, got, want)
		}
	}
}

func TestAdminKeyPresentedAsVirtualKey(t *testing.T) {
	operatorChosen := "correct-horse-battery-staple"
	keys, store, _ := newKeys(t, auth.WithAdmin(auth.NewAdmin(operatorChosen)))
	for _, k := range []string{auth.GenerateAdminKey(), operatorChosen} {
		_, err := keys.Verify(t.Context(), k)
		e := assertError(t, err, llm.KindUnauthenticated, auth.ErrAdminKeyAsVirtualKey)
		if !strings.Contains(e.Message, "only for AdminService") {
			t.Errorf("message %q", e.Message)
		}
	}
	if store.hashLookups.Load() != 0 {
		t.Error("admin keys reached the store")
	}
}

func TestCreateValidation(t *testing.T) {
	keys, _, _ := newKeys(t)
	tests := []struct {
		name  string
		p     auth.CreateKeyParams
		param string
	}{
		{"empty name", auth.CreateKeyParams{Name: "  "}, "name"},
		{"control character", auth.CreateKeyParams{Name: "a\nb"}, "name"},
		{"long name", auth.CreateKeyParams{Name: strings.Repeat("x", 257)}, "name"},
		{"empty model", auth.CreateKeyParams{Name: "x", AllowedModels: []string{""}}, "allowed_models"},
		{"inner star", auth.CreateKeyParams{Name: "x", AllowedModels: []string{"open*ai"}}, "allowed_models"},
		{"space", auth.CreateKeyParams{Name: "x", AllowedModels: []string{"gpt 4"}}, "allowed_models"},
		{"past expiry", auth.CreateKeyParams{Name: "x", ExpiresAt: time.Unix(0, 0)}, "expire_time"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, secret, err := keys.Create(t.Context(), tc.p)
			e := assertError(t, err, llm.KindInvalidRequest, nil)
			if e.Param != tc.param {
				t.Errorf("Param %q, want %q (message %q)", e.Param, tc.param, e.Message)
			}
			if secret != "" {
				t.Error("a refused Create returned a secret")
			}
		})
	}
	if _, _, err := keys.Create(t.Context(), auth.CreateKeyParams{Name: strings.Repeat("é", 256)}); err != nil {
		t.Errorf("256-character name refused: %v", err)
	}
}

func TestGetAndRevokeUnknownOrMalformedIDs(t *testing.T) {
	keys, _, _ := newKeys(t)
	secret := auth.GenerateSecret()
	ops := map[string]func(context.Context, string) (auth.Key, error){"Get": keys.Get, "Revoke": keys.Revoke}
	for name, op := range ops {
		_, err := op(t.Context(), "")
		if e := assertError(t, err, llm.KindInvalidRequest, nil); e.Param != "id" {
			t.Errorf("%s(\"\"): Param %q", name, e.Param)
		}
		unknown := auth.NewKeyID()
		_, err = op(t.Context(), unknown)
		if e := assertError(t, err, llm.KindNotFound, auth.ErrNotFound); !strings.Contains(e.Message, unknown) {
			t.Errorf("%s(unknown): message %q should name the id", name, e.Message)
		}
		// A secret pasted where an id belongs is refused without echoing it.
		_, err = op(t.Context(), secret)
		if e := assertError(t, err, llm.KindNotFound, nil); strings.Contains(e.Error(), secret[6:]) {
			t.Errorf("%s echoed a secret", name)
		}
	}
}

func TestStoreFailuresAreUnavailable(t *testing.T) {
	store := openSQLite(t)
	keys := auth.NewKeys(store, testServerSecret)
	key, secret := mustCreate(t, keys, auth.CreateKeyParams{Name: "before the outage"})
	keys = auth.NewKeys(store, testServerSecret) // no cached verification
	store.Close()

	_, err := keys.Verify(t.Context(), secret)
	assertError(t, err, llm.KindUnavailable, nil)
	_, _, err = keys.Create(t.Context(), auth.CreateKeyParams{Name: "during"})
	assertError(t, err, llm.KindUnavailable, nil)
	_, err = keys.Get(t.Context(), key.ID)
	assertError(t, err, llm.KindUnavailable, nil)
	_, err = keys.Revoke(t.Context(), key.ID)
	assertError(t, err, llm.KindUnavailable, nil)
	_, _, err = keys.List(t.Context(), auth.ListKeysParams{})
	assertError(t, err, llm.KindUnavailable, nil)
}

func TestCanceledContextIsNotAStoreOutage(t *testing.T) {
	store := openSQLite(t)
	_, secret := mustCreate(t, auth.NewKeys(store, testServerSecret), auth.CreateKeyParams{Name: "x"})
	uncached := auth.NewKeys(store, testServerSecret)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := uncached.Verify(ctx, secret)
	assertError(t, err, llm.KindCanceled, context.Canceled)
}

func TestBoundedCacheEvictsAndStillVerifies(t *testing.T) {
	keys, store, _ := newKeys(t, auth.WithCacheSize(4))
	var secrets []string
	for range 12 {
		_, s := mustCreate(t, keys, auth.CreateKeyParams{Name: "many"})
		secrets = append(secrets, s)
	}
	for round := range 2 {
		for _, s := range secrets {
			if _, err := keys.Verify(t.Context(), s); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
	// 12 keys cannot all stay in 4 slots: the second round reads again.
	if n := store.hashLookups.Load(); n <= 12 {
		t.Errorf("%d store reads for 24 verifications of 12 keys with 4 cache slots", n)
	}
}
