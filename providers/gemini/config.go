package gemini

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-gw/switchboard/providers/gemini/wire"
)

// DefaultBaseURL is the Gemini API's root.
const DefaultBaseURL = "https://generativelanguage.googleapis.com/v1beta"

// Config describes one provider instance.
type Config struct {
	// Name is the instance name reported in errors and responses ("gemini").
	// It also selects ProviderOptions[Name], merged after
	// ProviderOptions["gemini"].
	Name string
	// BaseURL is the API root; empty means DefaultBaseURL. The paths
	// /models/{model}:generateContent etc. are appended; a query string is
	// kept on every call.
	BaseURL string
	// APIKey is a static key. Credential, when set, wins over it.
	APIKey string
	// Credential returns the key for each call (Vault, rotation).
	Credential func(ctx context.Context) (string, error)
	// Authorize, when set, replaces the API key: it sets the credentials of
	// every request itself (Vertex AI's OAuth access token in an
	// Authorization header). An *llm.Error it returns is returned as is;
	// any other error is Unavailable.
	Authorize func(ctx context.Context, req *http.Request) error
	// Headers are extra static headers sent on every call.
	Headers map[string]string
	// HTTPClient sends the calls. Nil means a shared client tuned for many
	// concurrent calls to few hosts, with no overall timeout because streams
	// are long: deadlines come from each call's context.
	HTTPClient *http.Client
	// OpenAPISchema sends schemas in Gemini's OpenAPI subset instead of JSON
	// Schema, for models before Gemini 2.5 (see wire.RequestOptions).
	OpenAPISchema bool
}

// Provider calls the Gemini API. It is safe for concurrent use.
type Provider struct {
	cfg    Config
	client *http.Client
	base   *url.URL
	opts   wire.RequestOptions
}

// New validates cfg and returns a Provider.
func New(cfg Config) (*Provider, error) {
	if cfg.Name == "" {
		return nil, errors.New("gemini provider: Config.Name is required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("gemini provider %q: Config.BaseURL must be an absolute http(s) URL, got %q", cfg.Name, cfg.BaseURL)
	}
	if base.Query().Has("key") {
		return nil, fmt.Errorf("gemini provider %q: put the API key in Config.APIKey, not in the BaseURL (it would reach logs)", cfg.Name)
	}
	if cfg.APIKey == "" && cfg.Credential == nil && cfg.Authorize == nil {
		return nil, fmt.Errorf("gemini provider %q: Config.APIKey, Config.Credential or Config.Authorize is required", cfg.Name)
	}
	for k := range cfg.Headers {
		if k == "" || strings.ContainsAny(k, " :\r\n") {
			return nil, fmt.Errorf("gemini provider %q: invalid header name %q", cfg.Name, k)
		}
	}
	p := &Provider{cfg: cfg, client: cfg.HTTPClient, base: base,
		opts: wire.RequestOptions{Provider: cfg.Name, OpenAPISchema: cfg.OpenAPISchema}}
	if p.client == nil {
		p.client = sharedClient
	}
	return p, nil
}

// Name returns the instance name.
func (p *Provider) Name() string { return p.cfg.Name }

// modelURL returns {base}/models/{model}:{method}, with query appended to
// the base's own query. The model may be given with or without "models/";
// "tunedModels/..." is kept. A model name cannot add path segments, a
// query or a fragment.
func (p *Provider) modelURL(model, method, query string) (string, error) {
	res := wire.ModelResource(model)
	coll, id, _ := strings.Cut(res, "/")
	if id == "" || strings.ContainsAny(id, "/?#") || id == "." || id == ".." {
		return "", invalidModel(p.cfg.Name, model)
	}
	u := *p.base
	u.Path = strings.TrimSuffix(u.Path, "/") + "/" + coll + "/" + id + ":" + method
	u.RawPath = ""
	if query != "" {
		if u.RawQuery != "" {
			u.RawQuery += "&"
		}
		u.RawQuery += query
	}
	return u.String(), nil
}

// collectionURL returns {base}/{path} with query appended.
func (p *Provider) collectionURL(path, query string) string {
	u := *p.base
	u.Path = strings.TrimSuffix(u.Path, "/") + "/" + path
	u.RawPath = ""
	if query != "" {
		if u.RawQuery != "" {
			u.RawQuery += "&"
		}
		u.RawQuery += query
	}
	return u.String()
}

// sharedClient is used by every Provider without its own client, so that
// connections to the same host are pooled across instances.
var sharedClient = &http.Client{Transport: &http.Transport{
	Proxy: http.ProxyFromEnvironment,
	DialContext: (&net.Dialer{
		Timeout:   10 * time.Second,
		KeepAlive: 30 * time.Second,
	}).DialContext,
	ForceAttemptHTTP2:     true,
	MaxIdleConns:          1024,
	MaxIdleConnsPerHost:   256,
	IdleConnTimeout:       90 * time.Second,
	TLSHandshakeTimeout:   10 * time.Second,
	ExpectContinueTimeout: time.Second,
}}
