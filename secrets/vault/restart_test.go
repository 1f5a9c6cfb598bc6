package vault_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/secrets/vault"
	"github.com/switchboard-gw/switchboard/secrets/vault/vaulttest"
)

// A Vault restart: while Vault is down the last good value is served
// (within MaxStaleness, with a warning that never shows the value); past
// the bound Resolve fails; once Vault is back, unsealed, a rotated value is
// picked up without restarting the resolver.
func TestVaultRestartIsSurvived(t *testing.T) {
	s := vaulttest.StartFile(t)
	name, before, after := "switchboard/openai", secretValue(t), secretValue(t)
	s.PutKV(t, name, map[string]any{"api_key": before})
	ref := "vault:secret/data/" + name + "#api_key"

	tolerant, tolerantLogs := newResolver(t, vault.Config{
		Address: s.Addr, Token: s.RootToken,
		CacheTTL: 100 * time.Millisecond, MaxStaleness: time.Hour, RetryInterval: 50 * time.Millisecond,
	})
	strict, _ := newResolver(t, vault.Config{
		Address: s.Addr, Token: s.RootToken,
		CacheTTL: 100 * time.Millisecond, MaxStaleness: -1,
	})
	if resolve(t, tolerant, ref) != before || resolve(t, strict, ref) != before {
		t.Fatal("first read: wrong value")
	}

	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // past the cache TTL
	if resolve(t, tolerant, ref) != before {
		t.Fatal("while Vault is down the last good value is expected")
	}
	tolerant.Invalidate(ref) // as after a 401: still the last good value
	if resolve(t, tolerant, ref) != before {
		t.Fatal("after Invalidate, while Vault is down, the last good value is expected")
	}
	if !strings.Contains(tolerantLogs.String(), "serving the last good value") {
		t.Errorf("no warning logged while serving a stale value:\n%s", tolerantLogs.String())
	}
	assertNoSecret(t, "the log", tolerantLogs.String(), before, s.RootToken)

	_, err := strict.Resolve(context.Background(), ref)
	if err == nil {
		t.Fatal("with no staleness allowed, Resolve succeeded while Vault is down")
	}
	assertNoSecret(t, "the error", err.Error(), before, s.RootToken)
	if !strings.Contains(err.Error(), "secret/data/"+name) {
		t.Errorf("the error does not name the secret: %v", err)
	}

	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	s.PutKV(t, name, map[string]any{"api_key": after})
	eventually(t, "the rotated value after the restart", func() bool {
		v, err := tolerant.Resolve(context.Background(), ref)
		return err == nil && v == after
	})
	eventually(t, "the strict resolver to recover", func() bool {
		v, err := strict.Resolve(context.Background(), ref)
		return err == nil && v == after
	})
}
