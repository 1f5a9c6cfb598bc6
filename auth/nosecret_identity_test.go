package auth_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
)

// TestNoSecretInIdentityErrors drives the failure paths of admin
// credentials, rotation, updates, outages and the failure limiter with real
// secrets, and asserts that no error text holds any 8-character run of one.
func TestNoSecretInIdentityErrors(t *testing.T) {
	ctx := t.Context()
	limiter := auth.NewFailureLimiter(2, time.Hour)
	keys, store, clock := newKeys(t, auth.WithAdmin(auth.NewAdmin("operator-admin-key-value")), auth.WithFailureLimiter(limiter))
	adminKey, adminSecret, err := keys.CreateAdminKey(ctx, auth.CreateAdminKeyParams{Name: "auditor", Role: auth.RoleAuditor})
	if err != nil {
		t.Fatal(err)
	}
	key, secret := mustCreate(t, keys, auth.CreateKeyParams{Name: "rotated"})
	_, rotatedTo, err := keys.Rotate(ctx, key.ID, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	_, adminRotatedTo, err := keys.RotateAdminKey(ctx, adminKey.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	secrets := []string{adminSecret, secret, rotatedTo, adminRotatedTo, "operator-admin-key-value"}

	var errs []error
	collect := func(err error) {
		if err == nil {
			t.Error("expected an error")
			return
		}
		errs = append(errs, err)
	}
	_, err = keys.Verify(ctx, secret) // rotated away
	collect(err)
	_, err = keys.Verify(ctx, adminSecret)
	collect(err)
	_, err = keys.VerifyAdmin(ctx, adminSecret) // rotated without grace
	collect(err)
	_, err = keys.VerifyAdmin(ctx, rotatedTo)
	collect(err)
	_, err = keys.VerifyAdmin(ctx, adminRotatedTo[:25])
	collect(err)
	for _, s := range []string{secret, adminSecret} {
		_, _, err = keys.Rotate(ctx, s, time.Minute)
		collect(err)
		name := "x"
		_, err = keys.Update(ctx, auth.UpdateKeyParams{ID: s, Name: &name})
		collect(err)
		_, err = keys.GetAdminKey(ctx, s)
		collect(err)
		_, err = keys.RevokeAdminKey(ctx, s)
		collect(err)
		_, err = auth.NewTeams(store, nil).Get(ctx, s)
		collect(err)
		_, err = auth.NewUsers(store, nil).Get(ctx, s)
		collect(err)
		_, _, err = keys.List(ctx, auth.ListKeysParams{TeamID: s})
		collect(err)
	}
	for range 3 {
		_, err = keys.VerifyFrom(ctx, secret, "192.0.2.1:1")
		collect(err)
	}
	_, err = keys.VerifyAdminFrom(ctx, "operator-admin-key-value", "192.0.2.1:1") // rate limited
	collect(err)
	store.unreachable.Store(true)
	clock.Advance(time.Second)
	_, err = keys.Verify(ctx, rotatedTo)
	collect(err)
	_, err = keys.VerifyAdmin(ctx, adminRotatedTo)
	collect(err)

	for _, err := range errs {
		var texts []string
		for e := err; e != nil; e = errors.Unwrap(e) {
			texts = append(texts, e.Error())
		}
		texts = append(texts, fmt.Sprintf("%v %+v %#v %s", err, err, err, err))
		for _, text := range texts {
			for _, s := range secrets {
				if leak := leakedRun(text, s); leak != "" {
					t.Errorf("error %q contains part of a secret", strings.ReplaceAll(text, leak, "<REDACTED>"))
				}
			}
		}
	}
}
