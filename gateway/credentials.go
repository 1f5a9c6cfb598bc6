package gateway

import (
	"context"
	"errors"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/secrets"
)

// providerKey resolves a provider's api_key reference. An environment key
// is read once and returned as key. A key from a source that caches and
// can refresh (Vault) is returned as a Credential that the provider reads
// on every request; it is read once here too, so that a missing secret or
// field fails the start with a clear error.
func providerKey(ctx context.Context, resolver secrets.Resolver, ref string) (key string, cred *secrets.Credential, err error) {
	if r, ok := resolver.(interface{ Refreshable(ref string) bool }); ok && r.Refreshable(ref) {
		cred = secrets.NewCredential(resolver, ref)
		if _, err := cred.Get(ctx); err != nil {
			return "", nil, err
		}
		return "", cred, nil
	}
	key, err = resolver.Resolve(ctx, ref)
	return key, nil, err
}

// withCredentialRefresh wraps a provider whose key comes from a refreshable
// source (Vault). When the upstream rejects the key (401), the credential
// is read again at once instead of waiting for its cache TTL, and if the
// value changed — the key was rotated — the request is sent once more, so
// a rotation costs the caller nothing. An unchanged key means the stored
// key itself is wrong: the 401 is returned as is. A rejected request had no
// effect upstream, so repeating it is safe, for streams too (a 401 comes
// before the first chunk).
//
// With a nil credential (a key read once from the environment) p is
// returned as is.
func withCredentialRefresh(p llm.Provider, c *secrets.Credential) llm.Provider {
	if c == nil {
		return p
	}
	r := &refreshing{Provider: p, cred: c}
	e, isEmbedder := p.(llm.Embedder)
	l, isLister := p.(llm.ModelLister)
	switch {
	case isEmbedder && isLister:
		return struct {
			*refreshing
			refreshingEmbedder
			refreshingLister
		}{r, refreshingEmbedder{r, e}, refreshingLister{r, l}}
	case isEmbedder:
		return struct {
			*refreshing
			refreshingEmbedder
		}{r, refreshingEmbedder{r, e}}
	case isLister:
		return struct {
			*refreshing
			refreshingLister
		}{r, refreshingLister{r, l}}
	}
	return r
}

type refreshing struct {
	llm.Provider
	cred *secrets.Credential
}

func (r *refreshing) Complete(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	resp, err := r.Provider.Complete(ctx, req)
	if r.retry(ctx, err) {
		return r.Provider.Complete(ctx, req)
	}
	return resp, err
}

func (r *refreshing) Stream(ctx context.Context, req *llm.Request) (llm.Stream, error) {
	s, err := r.Provider.Stream(ctx, req)
	if r.retry(ctx, err) {
		return r.Provider.Stream(ctx, req)
	}
	return s, err
}

// retry reports whether err is the upstream rejecting the key and a
// fresh read of the credential found a different one.
func (r *refreshing) retry(ctx context.Context, err error) bool {
	var e *llm.Error
	if err == nil || !errors.As(err, &e) || e.Kind != llm.KindUnauthenticated || e.Provider == "" {
		return false
	}
	changed, rerr := r.cred.Refresh(ctx)
	return rerr == nil && changed
}

type refreshingEmbedder struct {
	r *refreshing
	e llm.Embedder
}

func (x refreshingEmbedder) Embed(ctx context.Context, req *llm.EmbedRequest) (*llm.EmbedResponse, error) {
	resp, err := x.e.Embed(ctx, req)
	if x.r.retry(ctx, err) {
		return x.e.Embed(ctx, req)
	}
	return resp, err
}

type refreshingLister struct {
	r *refreshing
	l llm.ModelLister
}

func (x refreshingLister) ListModels(ctx context.Context) ([]llm.ModelInfo, error) {
	ms, err := x.l.ListModels(ctx)
	if x.r.retry(ctx, err) {
		return x.l.ListModels(ctx)
	}
	return ms, err
}
