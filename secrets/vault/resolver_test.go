package vault_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/switchboard-gw/switchboard/secrets/vault"
	"github.com/switchboard-gw/switchboard/secrets/vault/vaulttest"
)

func TestResolveReadsAFieldOfAKVv2Secret(t *testing.T) {
	s := devServer(t)
	name, key, org := uniqueName(t), secretValue(t), "org-1234"
	s.PutKV(t, name, map[string]any{"api_key": key, "organization": org})
	r, logs := newResolver(t, vault.Config{Address: s.Addr, Token: s.RootToken})

	if got := resolve(t, r, "vault:secret/data/"+name+"#api_key"); got != key {
		t.Error("api_key: wrong value")
	}
	if got := resolve(t, r, "vault:secret/data/"+name+"#organization"); got != org {
		t.Errorf("organization = %q", got)
	}
	assertNoSecret(t, "String()", r.String(), key, s.RootToken)
	assertNoSecret(t, "the log", logs.String(), key, s.RootToken)
}

func TestMissingSecretOrFieldIsReportedClearly(t *testing.T) {
	s := devServer(t)
	name, key := uniqueName(t), secretValue(t)
	s.PutKV(t, name, map[string]any{"api_key": key})
	r, _ := newResolver(t, vault.Config{Address: s.Addr, Token: s.RootToken})

	_, err := r.Resolve(context.Background(), "vault:secret/data/"+name+"#organization")
	want := "vault: secret/data/" + name + " has no field organization"
	if err == nil || !errors.Is(err, vault.ErrNoField) || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("missing field: %v, want %q", err, want)
	} else {
		assertNoSecret(t, "the error", err.Error(), key, s.RootToken)
	}

	_, err = r.Resolve(context.Background(), "vault:secret/data/switchboard/does-not-exist#api_key")
	if err == nil || !errors.Is(err, vault.ErrNotFound) {
		t.Errorf("missing secret: %v", err)
	}

	// A KV version 2 path without its data/ segment is a common mistake.
	_, err = r.Resolve(context.Background(), "vault:secret/"+name+"#api_key")
	if err == nil {
		t.Error("a KV v2 path without data/ resolved")
	} else {
		assertNoSecret(t, "the error", err.Error(), key, s.RootToken)
	}
}

func TestRotationIsPickedUpWhenTheTTLRunsOut(t *testing.T) {
	s := devServer(t)
	name, before, after := uniqueName(t), secretValue(t), secretValue(t)
	s.PutKV(t, name, map[string]any{"api_key": before})
	r, _ := newResolver(t, vault.Config{Address: s.Addr, Token: s.RootToken, CacheTTL: 200 * time.Millisecond})
	ref := "vault:secret/data/" + name + "#api_key"
	if resolve(t, r, ref) != before {
		t.Fatal("first read: wrong value")
	}
	s.PutKV(t, name, map[string]any{"api_key": after})
	eventually(t, "the rotated value after the TTL", func() bool { return resolve(t, r, ref) == after })
}

func TestInvalidateRereadsAtOnce(t *testing.T) {
	s := devServer(t)
	name, before, after := uniqueName(t), secretValue(t), secretValue(t)
	s.PutKV(t, name, map[string]any{"api_key": before})
	r, _ := newResolver(t, vault.Config{Address: s.Addr, Token: s.RootToken, CacheTTL: time.Hour})
	ref := "vault:secret/data/" + name + "#api_key"
	if resolve(t, r, ref) != before {
		t.Fatal("first read: wrong value")
	}
	s.PutKV(t, name, map[string]any{"api_key": after})
	if resolve(t, r, ref) != before {
		t.Fatal("within the TTL the cached value is expected")
	}
	r.Invalidate(ref)
	if resolve(t, r, ref) != after {
		t.Fatal("after Invalidate the rotated value is expected")
	}
}

func TestKVv1PathsWork(t *testing.T) {
	s := devServer(t)
	key := secretValue(t)
	mount := "kv1-" + key[len(key)-8:] // a new mount per run
	if err := s.Client().Sys().Mount(mount, &api.MountInput{Type: "kv", Options: map[string]string{"version": "1"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Write(mount+"/openai", map[string]any{"api_key": key}); err != nil {
		t.Fatal(err)
	}
	r, _ := newResolver(t, vault.Config{Address: s.Addr, Token: s.RootToken})
	if resolve(t, r, "vault:"+mount+"/openai#api_key") != key {
		t.Error("KV v1: wrong value")
	}
}

// The request path reads a cached value; this is its cost.
func BenchmarkResolveCached(b *testing.B) {
	if dev == nil {
		b.Skip("no Vault server: set " + vaulttest.EnvBinary)
	}
	dev.PutKV(b, "switchboard/bench", map[string]any{"api_key": "sk-bench-0123456789"})
	r, err := vault.New(context.Background(), vault.Config{Address: dev.Addr, Token: dev.RootToken})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	ref := "vault:secret/data/switchboard/bench#api_key"
	if _, err := r.Resolve(context.Background(), ref); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := r.Resolve(context.Background(), ref); err != nil {
				b.Fatal(err)
			}
		}
	})
}
