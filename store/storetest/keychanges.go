package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
)

func testUpdate(t *testing.T, s auth.Store) {
	rec := newRecord("before", base)
	rec.AllowedModels = []string{"demo"}
	rec.Tags = []string{"a"}
	rec.ExpiresAt = base.Add(time.Hour)
	rec.Limits = auth.Limits{RPM: 10}
	mustInsert(t, s, rec)

	// Only the name.
	name := "after"
	at := base.Add(time.Minute)
	got, err := s.UpdateKey(t.Context(), auth.KeyUpdate{ID: rec.ID, Name: &name, UpdatedAt: at})
	if err != nil {
		t.Fatalf("UpdateKey(name): %v", err)
	}
	want := rec
	want.Name, want.UpdatedAt = name, at
	assertSameRecord(t, got, want)

	// Everything else; an expiry pointing at the zero time clears it.
	models, tags, never := []string{"openai/*", "demo"}, []string{"b", "c"}, time.Time{}
	limits := auth.Limits{TPM: 5000, BudgetNanoUSD: 7, BudgetPeriod: auth.BudgetDaily}
	at = at.Add(time.Minute)
	got, err = s.UpdateKey(t.Context(), auth.KeyUpdate{ID: rec.ID, AllowedModels: &models, Tags: &tags, ExpiresAt: &never, Limits: &limits, UpdatedAt: at})
	if err != nil {
		t.Fatalf("UpdateKey(all): %v", err)
	}
	want.AllowedModels, want.Tags, want.ExpiresAt, want.Limits, want.UpdatedAt = models, tags, never, limits, at
	assertSameRecord(t, got, want)

	// Empty lists clear.
	var none []string
	got, err = s.UpdateKey(t.Context(), auth.KeyUpdate{ID: rec.ID, AllowedModels: &none, Tags: &none, UpdatedAt: at})
	if err != nil {
		t.Fatalf("UpdateKey(clear): %v", err)
	}
	want.AllowedModels, want.Tags = nil, nil
	assertSameRecord(t, got, want)

	stored, err := s.KeyByID(t.Context(), rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertSameRecord(t, stored, want)
	m, err := s.KeyByHash(t.Context(), rec.Hash)
	if err != nil {
		t.Fatal(err)
	}
	assertSameRecord(t, m.Key, want)
}

func testUpdateRefusals(t *testing.T, s auth.Store) {
	rec := newRecord("revoked", base)
	mustInsert(t, s, rec)
	if _, err := s.RevokeKey(t.Context(), rec.ID, base.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	name := "renamed"
	if _, err := s.UpdateKey(t.Context(), auth.KeyUpdate{ID: rec.ID, Name: &name, UpdatedAt: base.Add(time.Minute)}); !errors.Is(err, auth.ErrRevoked) {
		t.Errorf("UpdateKey(revoked): %v, want ErrRevoked", err)
	}
	if got, _ := s.KeyByID(t.Context(), rec.ID); got.Name != rec.Name {
		t.Errorf("a refused update changed the name to %q", got.Name)
	}
	if _, err := s.UpdateKey(t.Context(), auth.KeyUpdate{ID: auth.NewKeyID(), Name: &name, UpdatedAt: base}); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("UpdateKey(unknown): %v, want ErrNotFound", err)
	}
}

func testRotate(t *testing.T, s auth.Store) {
	rec := newRecord("rotating", base)
	mustInsert(t, s, rec)

	// First rotation with a grace period: the old secret stays findable,
	// marked retired.
	first := auth.KeyRotation{ID: rec.ID, NewHash: randomHash(), SecretPrefix: "sk-sb-NEW1", At: base.Add(time.Hour), RetireUntil: base.Add(2 * time.Hour)}
	got, err := s.RotateKey(t.Context(), first)
	if err != nil {
		t.Fatalf("RotateKey: %v", err)
	}
	want := rec
	want.Hash, want.SecretPrefix, want.RotatedAt, want.UpdatedAt = first.NewHash, first.SecretPrefix, first.At, first.At
	assertSameRecord(t, got, want)

	m, err := s.KeyByHash(t.Context(), first.NewHash)
	if err != nil || m.Retired {
		t.Fatalf("KeyByHash(new secret): %+v, %v", m, err)
	}
	assertSameRecord(t, m.Key, want)
	m, err = s.KeyByHash(t.Context(), rec.Hash)
	if err != nil {
		t.Fatalf("KeyByHash(old secret within grace): %v", err)
	}
	if !m.Retired || !m.RetiredUntil.Equal(first.RetireUntil) {
		t.Errorf("old secret: Retired %v until %v, want true until %v", m.Retired, m.RetiredUntil, first.RetireUntil)
	}
	assertSameRecord(t, m.Key, want)

	// A second rotation without grace: the secret it replaces is refused
	// at once, the first retired secret keeps its own grace.
	second := auth.KeyRotation{ID: rec.ID, NewHash: randomHash(), SecretPrefix: "sk-sb-NEW2", At: base.Add(90 * time.Minute), RetireUntil: base.Add(90 * time.Minute)}
	if _, err := s.RotateKey(t.Context(), second); err != nil {
		t.Fatalf("second RotateKey: %v", err)
	}
	if _, err := s.KeyByHash(t.Context(), first.NewHash); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("secret rotated away without grace: %v, want ErrNotFound", err)
	}
	if m, err := s.KeyByHash(t.Context(), rec.Hash); err != nil || !m.Retired || !m.RetiredUntil.Equal(first.RetireUntil) {
		t.Errorf("first retired secret after a second rotation: %+v, %v", m, err)
	}

	// A revocation applies to retired secrets as well.
	if _, err := s.RevokeKey(t.Context(), rec.ID, base.Add(100*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if m, err := s.KeyByHash(t.Context(), rec.Hash); err != nil || m.Key.RevokedAt.IsZero() {
		t.Errorf("retired secret of a revoked key: revoked at %v, %v", m.Key.RevokedAt, err)
	}
}

func testRotateRefusals(t *testing.T, s auth.Store) {
	a, b := newRecord("a", base), newRecord("b", base)
	mustInsert(t, s, a, b)
	rot := func(id string, hash []byte) error {
		_, err := s.RotateKey(t.Context(), auth.KeyRotation{ID: id, NewHash: hash, SecretPrefix: "sk-sb-XXXX", At: base.Add(time.Hour), RetireUntil: base.Add(2 * time.Hour)})
		return err
	}
	if err := rot(auth.NewKeyID(), randomHash()); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("RotateKey(unknown): %v, want ErrNotFound", err)
	}
	if err := rot(a.ID, b.Hash); !errors.Is(err, auth.ErrAlreadyExists) {
		t.Errorf("RotateKey to another key's hash: %v, want ErrAlreadyExists", err)
	}
	if err := rot(a.ID, randomHash()); err != nil {
		t.Fatal(err)
	}
	if err := rot(b.ID, a.Hash); !errors.Is(err, auth.ErrAlreadyExists) {
		t.Errorf("RotateKey to a retired hash: %v, want ErrAlreadyExists", err)
	}
	if _, err := s.RevokeKey(t.Context(), b.ID, base.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := rot(b.ID, randomHash()); !errors.Is(err, auth.ErrRevoked) {
		t.Errorf("RotateKey(revoked): %v, want ErrRevoked", err)
	}
	if got, _ := s.KeyByID(t.Context(), b.ID); !got.RotatedAt.IsZero() {
		t.Error("a refused rotation changed the key")
	}
}

func testRecordUsage(t *testing.T, s auth.Store) {
	a, b := newRecord("a", base), newRecord("b", base.Add(time.Microsecond))
	mustInsert(t, s, a, b)
	later, earlier := base.Add(2*time.Hour), base.Add(time.Hour)
	if err := s.RecordKeyUsage(t.Context(), []auth.KeyUsage{{KeyID: a.ID, UsedAt: later}, {KeyID: auth.NewKeyID(), UsedAt: later}}); err != nil {
		t.Fatalf("RecordKeyUsage: %v", err)
	}
	if err := s.RecordKeyUsage(t.Context(), []auth.KeyUsage{{KeyID: a.ID, UsedAt: earlier}, {KeyID: b.ID, UsedAt: earlier}}); err != nil {
		t.Fatalf("RecordKeyUsage: %v", err)
	}
	if err := s.RecordKeyUsage(t.Context(), nil); err != nil {
		t.Fatalf("RecordKeyUsage(nil): %v", err)
	}
	got, err := s.KeyByID(t.Context(), a.ID)
	if err != nil || !got.LastUsedAt.Equal(later) {
		t.Errorf("a: LastUsedAt %v (%v), want %v: usage must never move backward", got.LastUsedAt, err, later)
	}
	listed := listAll(t, s, auth.ListKeysQuery{})
	if len(listed) != 2 || !listed[0].LastUsedAt.Equal(earlier) || !listed[1].LastUsedAt.Equal(later) {
		t.Errorf("ListKeys LastUsedAt: %+v", listed)
	}
	// Usage is not a change of the key.
	if !got.UpdatedAt.Equal(a.UpdatedAt) {
		t.Errorf("RecordKeyUsage moved UpdatedAt to %v", got.UpdatedAt)
	}
}
