package secrets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Schemes resolves each reference with the resolver registered for its
// scheme, e.g. {"env": Env{...}, "vault": vaultResolver}.
type Schemes map[string]Resolver

// Resolve dispatches ref to the resolver of its scheme.
func (s Schemes) Resolve(ctx context.Context, ref string) (string, error) {
	r, err := s.resolverFor(ref)
	if err != nil {
		return "", err
	}
	return r.Resolve(ctx, ref)
}

// Invalidate forwards to the scheme's resolver when it caches values.
func (s Schemes) Invalidate(ref string) {
	if inv, ok := s[Scheme(ref)].(Invalidator); ok {
		inv.Invalidate(ref)
	}
}

// Refreshable reports whether ref's resolver caches values and can be told
// to read them again: such references are resolved on every use instead of
// once at start, so that a rotated secret is picked up.
func (s Schemes) Refreshable(ref string) bool {
	_, ok := s[Scheme(ref)].(Invalidator)
	return ok
}

// Close closes every resolver that holds resources (Vault token renewal).
func (s Schemes) Close() error {
	var errs []error
	for _, r := range s {
		if c, ok := r.(io.Closer); ok {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}

func (s Schemes) resolverFor(ref string) (Resolver, error) {
	scheme := Scheme(ref)
	if r, ok := s[scheme]; ok && r != nil {
		return r, nil
	}
	if err := CheckRef(ref); err != nil {
		return nil, err
	}
	known := make([]string, 0, len(s))
	for k := range s {
		known = append(known, k+":")
	}
	sort.Strings(known)
	return nil, fmt.Errorf("%s: references are not configured here (configured: %s)", scheme, strings.Join(known, ", "))
}
