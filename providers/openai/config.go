package openai

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-gw/switchboard/providers/openai/wire"
)

// AuthStyle says how the API key is sent.
type AuthStyle int

// Auth styles.
const (
	// AuthBearer sends "Authorization: Bearer <key>" (OpenAI and most vendors).
	AuthBearer AuthStyle = iota
	// AuthAPIKeyHeader sends "api-key: <key>" (Azure OpenAI).
	AuthAPIKeyHeader
	// AuthNone sends no credential (local Ollama, vLLM, the simulator).
	AuthNone
)

// Config describes one provider instance.
type Config struct {
	// Name is the instance name reported in errors and responses: "openai",
	// "groq", "sim", ... It also selects ProviderOptions[Name].
	Name string
	// BaseURL is the API root, e.g. https://api.openai.com/v1. The paths
	// /chat/completions, /embeddings and /models are appended; a query
	// string (Azure's ?api-version=...) is kept on every call.
	BaseURL string
	// APIKey is a static key. Credential, when set, wins over it.
	APIKey string
	// Credential returns the key for each call (Vault, rotation).
	Credential func(ctx context.Context) (string, error)
	AuthStyle  AuthStyle
	// Headers are extra static headers sent on every call.
	Headers map[string]string
	// HTTPClient sends the calls. Nil means a shared client tuned for many
	// concurrent calls to few hosts, with no overall timeout because streams
	// are long: deadlines come from each call's context.
	HTTPClient *http.Client
	// Request holds the vendor's request-format differences.
	Request wire.RequestOptions
	// EmbeddingEncoding is the encoding_format asked of the upstream:
	// "base64" (smaller and faster to decode) or "" for the vendor default.
	EmbeddingEncoding string
}

// Provider calls one OpenAI-format API. It is safe for concurrent use.
type Provider struct {
	cfg        Config
	client     *http.Client
	chatURL    string
	embedURL   string
	modelsURL  string
	reqOptions wire.RequestOptions
}

// New validates cfg and returns a Provider.
func New(cfg Config) (*Provider, error) {
	if cfg.Name == "" {
		return nil, errors.New("openai provider: Config.Name is required")
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("openai provider %q: Config.BaseURL must be an absolute http(s) URL, got %q", cfg.Name, cfg.BaseURL)
	}
	switch cfg.AuthStyle {
	case AuthBearer, AuthAPIKeyHeader:
		if cfg.APIKey == "" && cfg.Credential == nil {
			return nil, fmt.Errorf("openai provider %q: Config.APIKey or Config.Credential is required (or use AuthNone)", cfg.Name)
		}
	case AuthNone:
	default:
		return nil, fmt.Errorf("openai provider %q: unknown AuthStyle %d", cfg.Name, cfg.AuthStyle)
	}
	switch cfg.Request.MaxTokensField {
	case "", "max_tokens", "max_completion_tokens":
	default:
		return nil, fmt.Errorf("openai provider %q: Request.MaxTokensField must be max_tokens or max_completion_tokens, got %q", cfg.Name, cfg.Request.MaxTokensField)
	}
	switch cfg.EmbeddingEncoding {
	case "", wire.EncodingFloat, wire.EncodingBase64:
	default:
		return nil, fmt.Errorf("openai provider %q: EmbeddingEncoding must be float or base64, got %q", cfg.Name, cfg.EmbeddingEncoding)
	}
	for k := range cfg.Headers {
		if k == "" || strings.ContainsAny(k, " :\r\n") {
			return nil, fmt.Errorf("openai provider %q: invalid header name %q", cfg.Name, k)
		}
	}
	p := &Provider{cfg: cfg, client: cfg.HTTPClient, reqOptions: cfg.Request}
	if p.client == nil {
		p.client = sharedClient
	}
	p.reqOptions.Provider = cfg.Name
	p.chatURL = endpoint(base, "chat/completions")
	p.embedURL = endpoint(base, "embeddings")
	p.modelsURL = endpoint(base, "models")
	return p, nil
}

// Name returns the instance name.
func (p *Provider) Name() string { return p.cfg.Name }

func endpoint(base *url.URL, path string) string {
	u := *base
	u.Path = strings.TrimSuffix(u.Path, "/") + "/" + path
	u.RawPath = ""
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
