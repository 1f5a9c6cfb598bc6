package anthropic

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-gw/switchboard/providers/anthropic/wire"
)

// Defaults of Config.
const (
	DefaultBaseURL = "https://api.anthropic.com"
	DefaultVersion = "2023-06-01"
	DefaultName    = "anthropic"
)

// Config describes one provider instance.
type Config struct {
	// Name is the instance name reported in errors and responses; it also
	// selects ProviderOptions[Name]. Empty means "anthropic".
	Name string
	// BaseURL is the API root; /v1/messages and /v1/models are appended (a
	// trailing /v1 is accepted). Empty means https://api.anthropic.com.
	BaseURL string
	// APIKey is a static key, sent as x-api-key. Credential, when set, wins.
	APIKey string
	// Credential returns the key for each call (Vault, rotation).
	Credential func(ctx context.Context) (string, error)
	// Version is the anthropic-version header; empty means 2023-06-01.
	Version string
	// Beta lists anthropic-beta features, sent comma-separated.
	Beta []string
	// Headers are extra static headers sent on every call.
	Headers map[string]string
	// HTTPClient sends the calls. Nil means a shared client tuned for many
	// concurrent calls to few hosts, without an overall timeout: streams are
	// long, and deadlines come from each call's context.
	HTTPClient *http.Client
	// DefaultMaxTokens is max_tokens for requests that set none (the API
	// requires it); 0 means 4096.
	DefaultMaxTokens int64
	// NativeStructuredOutput asks for JSON-schema answers with the API's
	// output_config.format (recent models) instead of the answer tool.
	NativeStructuredOutput bool
}

// Provider calls one Anthropic Messages API. It is safe for concurrent use.
type Provider struct {
	cfg         Config
	client      *http.Client
	messagesURL string
	modelsURL   string
	beta        string
	reqOptions  wire.RequestOptions
}

// New validates cfg and returns a Provider.
func New(cfg Config) (*Provider, error) {
	if cfg.Name == "" {
		cfg.Name = DefaultName
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.Version == "" {
		cfg.Version = DefaultVersion
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("anthropic provider %q: Config.BaseURL must be an absolute http(s) URL, got %q", cfg.Name, cfg.BaseURL)
	}
	if cfg.APIKey == "" && cfg.Credential == nil {
		return nil, fmt.Errorf("anthropic provider %q: Config.APIKey or Config.Credential is required", cfg.Name)
	}
	if cfg.DefaultMaxTokens < 0 {
		return nil, fmt.Errorf("anthropic provider %q: Config.DefaultMaxTokens must not be negative", cfg.Name)
	}
	for k := range cfg.Headers {
		if k == "" || strings.ContainsAny(k, " :\r\n") {
			return nil, fmt.Errorf("anthropic provider %q: invalid header name %q", cfg.Name, k)
		}
	}
	for _, b := range cfg.Beta {
		if b == "" || strings.ContainsAny(b, ", \r\n") {
			return nil, fmt.Errorf("anthropic provider %q: invalid beta feature %q", cfg.Name, b)
		}
	}
	p := &Provider{cfg: cfg, client: cfg.HTTPClient, beta: strings.Join(cfg.Beta, ",")}
	if p.client == nil {
		p.client = sharedClient
	}
	p.messagesURL = endpoint(base, "messages")
	models := *base
	q := models.Query()
	q.Set("limit", "1000") // the API's maximum page
	models.RawQuery = q.Encode()
	p.modelsURL = endpoint(&models, "models")
	p.reqOptions = wire.RequestOptions{
		Provider:               cfg.Name,
		DefaultMaxTokens:       cfg.DefaultMaxTokens,
		NativeStructuredOutput: cfg.NativeStructuredOutput,
	}
	return p, nil
}

// Name returns the instance name.
func (p *Provider) Name() string { return p.cfg.Name }

// endpoint appends /v1/<path> to the base URL, keeping its query string.
func endpoint(base *url.URL, path string) string {
	u := *base
	root := strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/v1")
	u.Path = root + "/v1/" + path
	u.RawPath = ""
	return u.String()
}

var errNoKey = errors.New("credential source returned an empty key")

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
