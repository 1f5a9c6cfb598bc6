package vaulttest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
)

// PutKV writes data as a new version of the KV version 2 secret at
// secret/<name> (read back at secret/data/<name>).
func (s *Server) PutKV(t testing.TB, name string, data map[string]any) {
	t.Helper()
	if err := s.WriteKV(name, data); err != nil {
		t.Fatalf("%v", err)
	}
}

// WriteKV is PutKV returning its error.
func (s *Server) WriteKV(name string, data map[string]any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	kv := s.Client().KVv2("secret")
	// A KV mount upgrades itself for a moment after it is created.
	err := retry(ctx, func() error {
		_, err := kv.Put(ctx, name, data)
		return err
	})
	if err != nil {
		return fmt.Errorf("vaulttest: writing secret/%s: %w", name, err)
	}
	return nil
}

// Policy writes an ACL policy.
func (s *Server) Policy(name, hcl string) error {
	return s.Client().Sys().PutPolicy(name, hcl)
}

// Write writes to any API path as root (to set up auth methods, roles, ...).
func (s *Server) Write(path string, data map[string]any) (*api.Secret, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return s.Client().Logical().WriteWithContext(ctx, path, data)
}

// AppRole enables the AppRole auth method (once), creates the role with
// the given parameters (token_policies, token_ttl, ...) and returns its
// role ID and a new secret ID.
func (s *Server) AppRole(t testing.TB, role string, params map[string]any) (roleID, secretID string) {
	t.Helper()
	c := s.Client()
	mounts, err := c.Sys().ListAuth()
	if err != nil {
		t.Fatalf("vaulttest: listing auth methods: %v", err)
	}
	if _, ok := mounts["approle/"]; !ok {
		if err := c.Sys().EnableAuthWithOptions("approle", &api.EnableAuthOptions{Type: "approle"}); err != nil {
			t.Fatalf("vaulttest: enabling AppRole: %v", err)
		}
	}
	if _, err := s.Write("auth/approle/role/"+role, params); err != nil {
		t.Fatalf("vaulttest: creating role %s: %v", role, err)
	}
	r, err := c.Logical().Read("auth/approle/role/" + role + "/role-id")
	if err != nil || r == nil {
		t.Fatalf("vaulttest: reading the role ID of %s: %v", role, err)
	}
	sid, err := s.Write("auth/approle/role/"+role+"/secret-id", nil)
	if err != nil || sid == nil {
		t.Fatalf("vaulttest: creating a secret ID for %s: %v", role, err)
	}
	return r.Data["role_id"].(string), sid.Data["secret_id"].(string)
}
