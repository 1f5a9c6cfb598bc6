package vault_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/secrets/vault"
	"github.com/switchboard-gw/switchboard/secrets/vault/vaulttest"
)

const readerPolicy = `path "secret/data/switchboard/*" { capabilities = ["read"] }`

// Tokens and AppRole logins with lifetimes of a few seconds must keep
// working well past them: the resolver renews the token, and logs in
// again with AppRole once the token reaches its maximum TTL.
func TestCredentialsOutliveTheirTTL(t *testing.T) {
	s := devServer(t)
	if err := s.Policy("switchboard-reader", readerPolicy); err != nil {
		t.Fatal(err)
	}

	t.Run("renewed token", func(t *testing.T) {
		t.Parallel()
		tok, err := s.Write("auth/token/create", map[string]any{
			"policies": []string{"switchboard-reader"}, "ttl": "2s", "renewable": true, "no_parent": true,
		})
		if err != nil {
			t.Fatal(err)
		}
		token := tok.Auth.ClientToken
		r, logs := newResolver(t, vault.Config{Address: s.Addr, Token: token, CacheTTL: -1, MaxStaleness: -1})
		readsAfterTTL(t, s, r)
		assertNoSecret(t, "the log", logs.String(), token)
	})

	t.Run("AppRole login again at max TTL", func(t *testing.T) {
		t.Parallel()
		roleID, secretID := s.AppRole(t, "switchboard-short", map[string]any{
			"token_policies": []string{"switchboard-reader"}, "token_ttl": "2s", "token_max_ttl": "3s",
		})
		r, logs := newResolver(t, vault.Config{
			Address: s.Addr, AppRole: &vault.AppRole{RoleID: roleID, SecretID: secretID},
			CacheTTL: -1, MaxStaleness: -1,
		})
		readsAfterTTL(t, s, r)
		if !strings.Contains(logs.String(), "logged in again with AppRole") {
			t.Errorf("no second AppRole login logged:\n%s", logs.String())
		}
		assertNoSecret(t, "the log", logs.String(), secretID)
	})
}

// readsAfterTTL reads a fresh value now and again after the token's
// original lifetime (and maximum) has long passed.
func readsAfterTTL(t *testing.T, s *vaulttest.Server, r *vault.Resolver) {
	t.Helper()
	name := uniqueName(t)
	ref := "vault:secret/data/" + name + "#api_key"
	first, second := secretValue(t), secretValue(t)
	s.PutKV(t, name, map[string]any{"api_key": first})
	if resolve(t, r, ref) != first {
		t.Fatal("first read: wrong value")
	}
	time.Sleep(5 * time.Second)
	s.PutKV(t, name, map[string]any{"api_key": second})
	if resolve(t, r, ref) != second {
		t.Fatal("read after the TTL: wrong value")
	}
}

func TestAppRoleLoginReads(t *testing.T) {
	s := devServer(t)
	if err := s.Policy("switchboard-reader", readerPolicy); err != nil {
		t.Fatal(err)
	}
	roleID, secretID := s.AppRole(t, "switchboard", map[string]any{"token_policies": []string{"switchboard-reader"}})
	name, key := uniqueName(t), secretValue(t)
	s.PutKV(t, name, map[string]any{"api_key": key})
	r, logs := newResolver(t, vault.Config{Address: s.Addr, AppRole: &vault.AppRole{RoleID: roleID, SecretID: secretID}})
	if resolve(t, r, "vault:secret/data/"+name+"#api_key") != key {
		t.Error("wrong value")
	}
	// The policy allows switchboard/* only.
	s.PutKV(t, "elsewhere/"+name, map[string]any{"api_key": key})
	_, err := r.Resolve(context.Background(), "vault:secret/data/elsewhere/"+name+"#api_key")
	if err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("read outside the policy: %v", err)
	} else {
		assertNoSecret(t, "the error", err.Error(), key, secretID)
	}
	assertNoSecret(t, "the log", logs.String(), key, secretID)
}

func TestWrongCredentialsFailAtStartWithoutShowingThem(t *testing.T) {
	s := devServer(t)
	roleID, secretID := s.AppRole(t, "switchboard-wrong", map[string]any{"token_policies": []string{"default"}})
	wrongSecretID := secretValue(t)
	wrongToken := "hvs." + secretValue(t)
	for name, cfg := range map[string]vault.Config{
		"token":   {Address: s.Addr, Token: wrongToken},
		"approle": {Address: s.Addr, AppRole: &vault.AppRole{RoleID: roleID, SecretID: wrongSecretID}},
	} {
		_, err := vault.New(context.Background(), cfg)
		if err == nil {
			t.Errorf("%s: New accepted wrong credentials", name)
			continue
		}
		assertNoSecret(t, name+" error", err.Error(), wrongToken, wrongSecretID, secretID, s.RootToken)
		t.Logf("%s: %v", name, err)
	}
}
