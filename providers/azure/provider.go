package azure

import (
	"context"
	"net/url"
	"sync"
	"sync/atomic"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/openai"
)

// Provider calls one Azure OpenAI resource. It is safe for concurrent use.
//
// On RouteDeployments each deployment has its own URL, so the provider
// keeps one OpenAI translator per deployment it has been asked for (they
// share the HTTP client and its connections); on RouteV1 one translator
// serves every deployment.
type Provider struct {
	cfg      Config
	base     openai.Config // the translator settings every deployment shares
	endpoint *url.URL
	version  string // the api-version sent; "" for none
	v1       *openai.Provider

	deployments sync.Map // deployment name -> *openai.Provider
	cached      atomic.Int64
}

// maxCachedDeployments bounds the per-deployment translators kept: names
// come from the configuration, but passthrough routes let callers name
// any deployment.
const maxCachedDeployments = 1024

var (
	_ llm.Provider = (*Provider)(nil)
	_ llm.Embedder = (*Provider)(nil)
)

// New validates cfg and returns a Provider.
func New(cfg Config) (*Provider, error) {
	if err := checkConfig(&cfg); err != nil {
		return nil, err
	}
	endpoint, err := endpointURL(&cfg)
	if err != nil {
		return nil, err
	}
	p := &Provider{cfg: cfg, endpoint: endpoint, version: cfg.APIVersion}
	if p.version == "" && cfg.Route == RouteDeployments {
		p.version = DefaultAPIVersion
	}
	p.base = openai.Config{
		Name:       cfg.Name,
		APIKey:     cfg.APIKey,
		Credential: cfg.Credential,
		AuthStyle:  openai.AuthAPIKeyHeader,
		Headers:    cfg.Headers,
		HTTPClient: cfg.HTTPClient,
		Request:    requestOptions(&cfg),
	}
	if cfg.Auth == AuthBearer {
		p.base.AuthStyle = openai.AuthBearer
	}
	if cfg.Route == RouteV1 {
		if p.v1, err = p.translator(p.baseURL("v1")); err != nil {
			return nil, err
		}
		return p, nil
	}
	return p, nil
}

// Name returns the instance name.
func (p *Provider) Name() string { return p.cfg.Name }

// baseURL is {endpoint}/openai/{path}, with the api-version query when
// there is one. The OpenAI translator appends /chat/completions and
// /embeddings to the path and keeps the query.
func (p *Provider) baseURL(path string) string {
	u := *p.endpoint
	u.Path += "/openai/" + path
	if p.version != "" {
		u.RawQuery = url.Values{"api-version": {p.version}}.Encode()
	}
	return u.String()
}

// ChatURL returns the chat completions URL for a deployment, as the
// provider calls it.
func (p *Provider) ChatURL(deployment string) string {
	u, _ := url.Parse(p.deploymentBase(deployment))
	u.Path += "/chat/completions"
	return u.String()
}

func (p *Provider) deploymentBase(deployment string) string {
	if p.cfg.Route == RouteV1 {
		return p.baseURL("v1")
	}
	return p.baseURL("deployments/" + deployment)
}

func (p *Provider) translator(base string) (*openai.Provider, error) {
	c := p.base
	c.BaseURL = base
	return openai.New(c)
}

// forDeployment returns the translator that calls deployment.
func (p *Provider) forDeployment(deployment string) (*openai.Provider, error) {
	if !validDeployment(deployment) {
		return nil, &llm.Error{Kind: llm.KindInvalidRequest, Provider: p.cfg.Name, Param: "model",
			Message: "invalid Azure OpenAI deployment name " + quoteClip(deployment) + ": the model of an Azure deployment is its deployment name (letters, digits, '-', '_' and '.')"}
	}
	if p.v1 != nil {
		return p.v1, nil
	}
	if t, ok := p.deployments.Load(deployment); ok {
		return t.(*openai.Provider), nil
	}
	t, err := p.translator(p.deploymentBase(deployment))
	if err != nil {
		return nil, &llm.Error{Kind: llm.KindInternal, Provider: p.cfg.Name, Message: "could not build the Azure OpenAI URL", Err: err}
	}
	if p.cached.Load() < maxCachedDeployments {
		if prev, loaded := p.deployments.LoadOrStore(deployment, t); loaded {
			return prev.(*openai.Provider), nil
		}
		p.cached.Add(1)
	}
	return t, nil
}

// validDeployment accepts Azure's deployment names: 1 to 64 letters,
// digits, '-', '_' and '.', not "." or "..". Nothing else can reach the
// URL path.
func validDeployment(name string) bool {
	if name == "" || len(name) > 64 || name == "." || name == ".." {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func quoteClip(s string) string {
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return "\"" + s + "\""
}

// Complete sends a chat completion to the deployment req.Model.
func (p *Provider) Complete(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	t, err := p.forDeployment(req.Model)
	if err != nil {
		return nil, err
	}
	return t.Complete(ctx, req)
}

// Stream sends a streamed chat completion to the deployment req.Model.
func (p *Provider) Stream(ctx context.Context, req *llm.Request) (llm.Stream, error) {
	t, err := p.forDeployment(req.Model)
	if err != nil {
		return nil, err
	}
	s, err := t.Stream(ctx, req)
	if err != nil {
		return nil, err
	}
	return &annotationFilter{Stream: s}, nil
}

// Embed computes embeddings with the deployment req.Model.
func (p *Provider) Embed(ctx context.Context, req *llm.EmbedRequest) (*llm.EmbedResponse, error) {
	t, err := p.forDeployment(req.Model)
	if err != nil {
		return nil, err
	}
	return t.Embed(ctx, req)
}
