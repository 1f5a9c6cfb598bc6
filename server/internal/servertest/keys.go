package servertest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/store/sqlite"
)

// AdminKey is the admin key of the Keys returned by NewKeys.
const AdminKey = "sk-sbadmin-test-admin-key-0123456789"

// Auth is real key verification over a SQLite store in a temporary
// directory, with one virtual key already issued.
type Auth struct {
	Keys   *auth.Keys
	Admin  *auth.Admin
	Secret string   // the virtual key's secret
	Key    auth.Key // its public record
}

// NewAuth opens a store in t.TempDir and issues one key named "test".
func NewAuth(t testing.TB) *Auth {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "switchboard.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	secret := make([]byte, auth.ServerSecretLen)
	for i := range secret {
		secret[i] = byte(i)
	}
	admin := auth.NewAdmin(AdminKey)
	keys := auth.NewKeys(st, secret, auth.WithAdmin(admin))
	key, sec, err := keys.Create(ctx, auth.CreateKeyParams{Name: "test"})
	if err != nil {
		t.Fatalf("create key: %v", err)
	}
	return &Auth{Keys: keys, Admin: admin, Secret: sec, Key: key}
}
