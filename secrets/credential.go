package secrets

import (
	"context"
	"sync/atomic"
)

// Credential is one credential reference bound to its resolver. It is read
// on every use (the resolver caches), so a rotated secret reaches the next
// request without a restart. Providers take its Get method as their
// credential function.
type Credential struct {
	resolver Resolver
	ref      string

	// last is the value last handed out, to tell whether a refresh changed
	// it. Stored only when it changes, so the request path neither locks
	// nor allocates.
	last atomic.Pointer[string]
}

// NewCredential binds ref to r.
func NewCredential(r Resolver, ref string) *Credential {
	return &Credential{resolver: r, ref: ref}
}

// Ref returns the reference, which is safe to log.
func (c *Credential) Ref() string { return c.ref }

// String names the reference, never the value.
func (c *Credential) String() string { return "credential " + c.ref }

// Get returns the current value.
func (c *Credential) Get(ctx context.Context) (string, error) {
	v, err := c.resolver.Resolve(ctx, c.ref)
	if err != nil {
		return "", err
	}
	if p := c.last.Load(); p == nil || *p != v {
		c.last.Store(&v)
	}
	return v, nil
}

// Invalidate makes the next Get read the source again. It is a no-op for
// resolvers that do not cache.
func (c *Credential) Invalidate() {
	if inv, ok := c.resolver.(Invalidator); ok {
		inv.Invalidate(c.ref)
	}
}

// Refresh invalidates the cached value, reads it again, and reports
// whether it differs from the value Get returned before: after the
// upstream rejected a key, a changed value is worth one more try, an
// unchanged one is not.
func (c *Credential) Refresh(ctx context.Context) (changed bool, err error) {
	var before string
	if p := c.last.Load(); p != nil {
		before = *p
	}
	c.Invalidate()
	v, err := c.Get(ctx)
	if err != nil {
		return false, err
	}
	return v != before, nil
}
