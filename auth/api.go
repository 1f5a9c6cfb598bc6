package auth

// THIS FILE IS A PLACEHOLDER written so other packages compile while the auth
// package is being built. The auth helper replaces it with the real
// implementation, keeping these exported names and signatures.

import (
	"context"
	"time"
)

// Principal is the authenticated caller of a CompletionService RPC or /v1/ endpoint.
type Principal struct {
	KeyID         string
	KeyName       string
	AllowedModels []string
}

// Allows reports whether the principal may call the model alias.
func (p *Principal) Allows(model string) bool { panic("todo") }

// Key is a virtual key's public record.
type Key struct {
	ID            string
	Name          string
	AllowedModels []string
	SecretPrefix  string
	CreatedAt     time.Time
	RevokedAt     time.Time // zero when not revoked
	ExpiresAt     time.Time // zero when it never expires
}

// CreateKeyParams describes a new key.
type CreateKeyParams struct {
	Name          string
	AllowedModels []string
	ExpiresAt     time.Time
}

// ListKeysParams pages through keys.
type ListKeysParams struct {
	PageSize       int
	PageToken      string
	IncludeRevoked bool
}

// Keys issues, lists, revokes and verifies virtual keys.
type Keys struct{}

// Create issues a key and returns its record and its secret (shown once).
func (k *Keys) Create(ctx context.Context, p CreateKeyParams) (Key, string, error) { panic("todo") }

// Get returns a key by id.
func (k *Keys) Get(ctx context.Context, id string) (Key, error) { panic("todo") }

// List returns a page of keys and the next page token.
func (k *Keys) List(ctx context.Context, p ListKeysParams) ([]Key, string, error) { panic("todo") }

// Revoke revokes a key.
func (k *Keys) Revoke(ctx context.Context, id string) (Key, error) { panic("todo") }

// Verify checks a virtual key secret and returns its principal.
func (k *Keys) Verify(ctx context.Context, secret string) (*Principal, error) { panic("todo") }

// Admin verifies the admin key.
type Admin struct{}

// Verify checks an admin key.
func (a *Admin) Verify(token string) error { panic("todo") }

// BearerToken extracts the token from an Authorization header value.
func BearerToken(header string) (string, bool) { panic("todo") }
