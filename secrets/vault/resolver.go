package vault

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/vault/api"
)

// Resolver resolves "vault:" references. It is safe for concurrent use;
// Close stops the token renewal.
type Resolver struct {
	cfg    Config
	client *api.Client
	auth   *authenticator
	stop   context.CancelFunc
	done   chan struct{}

	mu      sync.RWMutex
	entries map[string]*entry // by secret path: one read serves every field
}

// entry caches the fields of one secret.
type entry struct {
	refresh sync.Mutex // one read of Vault at a time per secret

	// guarded by Resolver.mu
	fields      map[string]any
	fetched     time.Time // last successful read
	invalidated bool      // read again on next use, whatever the TTL
	retryAt     time.Time // after a failed read: serve stale until then
}

// New checks cfg, authenticates with Vault, and starts renewing the token.
// It fails when Vault cannot be reached or refuses the credentials, so a
// misconfiguration is reported at start.
func New(ctx context.Context, cfg Config) (*Resolver, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	client, err := newClient(cfg)
	if err != nil {
		return nil, err
	}
	a := newAuthenticator(client, cfg)
	auth, err := a.login(ctx)
	if err != nil {
		return nil, err
	}
	runCtx, stop := context.WithCancel(context.Background())
	r := &Resolver{cfg: cfg, client: client, auth: a, stop: stop, done: make(chan struct{}), entries: map[string]*entry{}}
	go func() {
		defer close(r.done)
		a.keepAlive(runCtx, auth)
	}()
	return r, nil
}

// Close stops the token renewal. It does not revoke the token: another
// instance may share it, and it expires by itself.
func (r *Resolver) Close() error {
	r.stop()
	<-r.done
	return nil
}

// String names the Vault address, never a token or value.
func (r *Resolver) String() string { return "vault resolver for " + r.cfg.Address }

// Resolve returns the value of a "vault:PATH#FIELD" reference: from the
// cache while fresh; otherwise read from Vault; and when Vault cannot be
// reached, the last good value for up to MaxStaleness past its TTL.
func (r *Resolver) Resolve(ctx context.Context, ref string) (string, error) {
	p, err := ParseRef(ref)
	if err != nil {
		return "", err
	}
	// The request path: one read lock, no Vault round trip.
	r.mu.RLock()
	e := r.entries[p.Path]
	r.mu.RUnlock()
	if e == nil {
		e = r.entry(p.Path)
	}
	if fields, ok := r.fresh(e, time.Now()); ok {
		return fieldValue(fields, p.Path, p.Field)
	}
	fields, err := r.refresh(ctx, e, p.Path)
	if err != nil {
		return "", err
	}
	return fieldValue(fields, p.Path, p.Field)
}

// Invalidate makes the next Resolve of the secret ref names read Vault,
// whatever its TTL (the gateway calls it when the upstream rejects a key).
// A Vault outage still serves the last good value, within MaxStaleness.
func (r *Resolver) Invalidate(ref string) {
	p, err := ParseRef(ref)
	if err != nil {
		return
	}
	r.mu.Lock()
	if e, ok := r.entries[p.Path]; ok {
		e.invalidated = true
	}
	r.mu.Unlock()
}

func (r *Resolver) entry(path string) *entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.entries[path]
	if !ok {
		e = &entry{}
		r.entries[path] = e
	}
	return e
}

// fresh returns the cached fields when no read is due: within the TTL,
// or while backing off after a failed read (then they are stale).
func (r *Resolver) fresh(e *entry, now time.Time) (map[string]any, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if e.fields == nil {
		return nil, false
	}
	if now.Before(e.retryAt) && r.withinStaleness(e, now) {
		return e.fields, true
	}
	if e.invalidated {
		return nil, false
	}
	return e.fields, now.Before(e.fetched.Add(r.cfg.CacheTTL))
}

func (r *Resolver) withinStaleness(e *entry, now time.Time) bool {
	return !now.After(e.fetched.Add(r.cfg.CacheTTL + r.cfg.MaxStaleness))
}

// refresh reads the secret from Vault, one caller at a time per secret:
// callers that waited find the fields the first one read.
func (r *Resolver) refresh(ctx context.Context, e *entry, path string) (map[string]any, error) {
	e.refresh.Lock()
	defer e.refresh.Unlock()
	now := time.Now()
	if fields, ok := r.fresh(e, now); ok {
		return fields, nil
	}
	// Waiters share this read, so one caller going away must not fail it;
	// the client's Timeout bounds it.
	fields, err := r.read(context.WithoutCancel(ctx), path)
	var unavailable *unavailableError
	r.mu.Lock()
	switch {
	case err == nil:
		e.fields, e.fetched, e.invalidated, e.retryAt = fields, time.Now(), false, time.Time{}
		r.mu.Unlock()
		return fields, nil
	case errors.As(err, &unavailable) && e.fields != nil && r.withinStaleness(e, now):
		e.retryAt = now.Add(r.cfg.RetryInterval)
		stale, age := e.fields, now.Sub(e.fetched)
		r.mu.Unlock()
		r.cfg.Logger.Warn("vault: serving the last good value of a secret while Vault cannot be read",
			"path", path, "age", age.Round(time.Second).String(),
			"max_staleness", r.cfg.MaxStaleness.String(), "error", err.Error())
		return stale, nil
	case e.fields != nil && errors.As(err, &unavailable):
		err = fmt.Errorf("%w (the last good value is older than the allowed staleness of %s)", err, r.cfg.MaxStaleness)
	}
	r.mu.Unlock()
	return nil, err
}

// read reads the secret, logging in again with AppRole once when Vault
// refuses the token (it expired or was revoked).
func (r *Resolver) read(ctx context.Context, path string) (map[string]any, error) {
	fields, err := readFields(ctx, r.client, path)
	if err != nil && isPermissionDenied(err) && r.auth.reloginAfterDenied(ctx) {
		fields, err = readFields(ctx, r.client, path)
	}
	return fields, err
}
