package router

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/switchboard-gw/switchboard/llm"
)

// Deployment is one model on one provider.
type Deployment struct {
	// Name identifies the deployment in responses and logs.
	Name string
	// ProviderName is the configured provider instance ("openai", "sim").
	ProviderName string
	// Model is the upstream model name sent to the provider.
	Model    string
	Provider llm.Provider
}

// Router resolves model names and runs attempts.
type Router struct {
	aliases     map[string][]*Deployment
	passthrough map[string]llm.Provider
	names       []string
}

// New returns a router over aliases (name -> deployments in order of
// preference) and passthrough providers (provider name -> provider), which
// serve "<provider>/<model>" with the model name as-is.
func New(aliases map[string][]*Deployment, passthrough map[string]llm.Provider) *Router {
	names := make([]string, 0, len(aliases))
	for n := range aliases {
		names = append(names, n)
	}
	sort.Strings(names)
	return &Router{aliases: aliases, passthrough: passthrough, names: names}
}

// Aliases returns the alias names, sorted.
func (r *Router) Aliases() []string { return r.names }

// PassthroughProviders returns the names of providers reachable as
// "<provider>/<model>", sorted.
func (r *Router) PassthroughProviders() []string {
	out := make([]string, 0, len(r.passthrough))
	for n := range r.passthrough {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Resolve returns the deployments that serve model, in order.
func (r *Router) Resolve(model string) ([]*Deployment, error) {
	if ds, ok := r.aliases[model]; ok {
		return ds, nil
	}
	if prov, upstream, ok := strings.Cut(model, "/"); ok && upstream != "" {
		if p, ok := r.passthrough[prov]; ok {
			return []*Deployment{{Name: model, ProviderName: prov, Model: upstream, Provider: p}}, nil
		}
	}
	return nil, &llm.Error{
		Kind:    llm.KindNotFound,
		Code:    "model_not_found",
		Param:   "model",
		Message: fmt.Sprintf("the model %q does not exist or you do not have access to it; list the available models with GET /v1/models", model),
	}
}

// Complete sends req to the first deployment of its model that answers.
func (r *Router) Complete(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	ds, err := r.Resolve(req.Model)
	if err != nil {
		return nil, err
	}
	var last error
	for _, d := range ds {
		resp, err := d.Provider.Complete(ctx, upstreamRequest(req, d))
		if err == nil {
			resp.Provider, resp.Deployment = d.ProviderName, d.Name
			return resp, nil
		}
		last = err
		if !shouldTryNext(ctx, err) {
			break
		}
	}
	return nil, last
}

// Embed sends req to the first deployment of its model that answers.
func (r *Router) Embed(ctx context.Context, req *llm.EmbedRequest) (*llm.EmbedResponse, error) {
	ds, err := r.Resolve(req.Model)
	if err != nil {
		return nil, err
	}
	var last error
	for _, d := range ds {
		e, ok := d.Provider.(llm.Embedder)
		if !ok {
			last = &llm.Error{Kind: llm.KindInvalidRequest, Param: "model", Provider: d.ProviderName,
				Message: fmt.Sprintf("model %q does not offer embeddings", req.Model)}
			continue
		}
		up := *req
		up.Model = d.Model
		resp, err := e.Embed(ctx, &up)
		if err == nil {
			resp.Provider, resp.Deployment = d.ProviderName, d.Name
			return resp, nil
		}
		last = err
		if !shouldTryNext(ctx, err) {
			break
		}
	}
	return nil, last
}

// upstreamRequest is req addressed to d's upstream model. The copy is
// shallow: providers must not modify the request.
func upstreamRequest(req *llm.Request, d *Deployment) *llm.Request {
	up := *req
	up.Model = d.Model
	return &up
}

// shouldTryNext reports whether another deployment may succeed where this
// one failed: only for retryable kinds, and never once the caller has gone.
func shouldTryNext(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		return false
	}
	return llm.KindOf(err).Retryable()
}
