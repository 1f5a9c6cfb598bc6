package auth_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
)

// TestNoSecretInAnyError drives every failure path with real secrets and
// asserts that no error text (message, cause chain, formatted forms) holds
// any 8-character run of any secret involved.
func TestNoSecretInAnyError(t *testing.T) {
	ctx := t.Context()
	keys, store, clock := newKeys(t, auth.WithAdmin(auth.NewAdmin("operator-admin-key-value")))
	revokedKey, revokedSecret := mustCreate(t, keys, auth.CreateKeyParams{Name: "revoked"})
	if _, err := keys.Revoke(ctx, revokedKey.ID); err != nil {
		t.Fatal(err)
	}
	_, expiringSecret := mustCreate(t, keys, auth.CreateKeyParams{Name: "expiring", ExpiresAt: clock.Now().Add(time.Minute)})
	_, liveSecret := mustCreate(t, keys, auth.CreateKeyParams{Name: "live"})
	clock.Advance(time.Hour)
	unknown := auth.GenerateSecret()
	adminKey := auth.GenerateAdminKey()
	typo := liveSecret[:20] + flip(liveSecret[20]) + liveSecret[21:]
	secrets := []string{revokedSecret, expiringSecret, liveSecret, unknown, adminKey, "operator-admin-key-value"}

	var errs []error
	collect := func(err error) {
		if err == nil {
			t.Error("expected an error")
			return
		}
		errs = append(errs, err)
	}
	verify := func(s string) error { _, err := keys.Verify(ctx, s); return err }
	collect(verify(revokedSecret))
	collect(verify(expiringSecret))
	collect(verify(unknown))
	collect(verify(typo))
	collect(verify(liveSecret[:30]))
	collect(verify(liveSecret + "Z"))
	collect(verify("sk-proj-" + liveSecret[6:]))
	collect(verify(adminKey))
	collect(verify("operator-admin-key-value"))
	collect(auth.ParseSecret(typo))
	admin := auth.NewAdmin(adminKey)
	collect(admin.Verify(liveSecret))
	collect(admin.Verify(unknown))
	collect(admin.Verify(adminKey[:20]))
	for _, s := range []string{liveSecret, adminKey} {
		_, err := keys.Get(ctx, s)
		collect(err)
		_, err = keys.Revoke(ctx, s)
		collect(err)
	}
	_, _, err := keys.List(ctx, auth.ListKeysParams{PageToken: liveSecret})
	collect(err)
	_, _, _, err = auth.LoadAdminKey(t.TempDir(), liveSecret)
	collect(err)
	store.failing.Store(true)
	_, fresh := mustCreate(t, keys, auth.CreateKeyParams{Name: "outage"})
	secrets = append(secrets, fresh)
	collect(verify(fresh))

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

// leakedRun returns the first 8-character run of secret's random part found
// in text, or "".
func leakedRun(text, secret string) string {
	body := secret
	for _, prefix := range []string{auth.AdminKeyPrefix, auth.SecretPrefix} {
		body = strings.TrimPrefix(body, prefix)
	}
	for i := 0; i+8 <= len(body); i++ {
		if strings.Contains(text, body[i:i+8]) {
			return body[i : i+8]
		}
	}
	return ""
}
