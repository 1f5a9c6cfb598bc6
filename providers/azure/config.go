package azure

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/switchboard-gw/switchboard/providers/openai/wire"
)

// DefaultAPIVersion is the api-version sent on deployment URLs unless
// Config.APIVersion says otherwise: the current GA version of the Azure
// OpenAI data-plane inference API.
const DefaultAPIVersion = "2024-10-21"

// Route selects Azure's URL scheme.
type Route int

// Routes.
const (
	// RouteDeployments is {endpoint}/openai/deployments/{deployment}/...
	// with ?api-version=.
	RouteDeployments Route = iota
	// RouteV1 is {endpoint}/openai/v1/..., the deployment named by the
	// body's model; api-version is sent only when Config.APIVersion is set
	// (e.g. "preview").
	RouteV1
)

// Auth says how the credential is sent.
type Auth int

// Auth styles.
const (
	// AuthAPIKey sends the resource key as "api-key: <key>".
	AuthAPIKey Auth = iota
	// AuthBearer sends a Microsoft Entra ID token as
	// "Authorization: Bearer <token>".
	AuthBearer
)

// Config describes one provider instance.
type Config struct {
	// Name is the instance name reported in errors and responses.
	Name string
	// Endpoint is the resource's endpoint, e.g.
	// https://my-resource.openai.azure.com. A path is kept as a prefix (an
	// API Management front end), but it must not already hold /openai.
	Endpoint string
	// Route selects the URL scheme; the zero value is RouteDeployments.
	Route Route
	// APIVersion is the api-version query parameter. Empty means
	// DefaultAPIVersion on RouteDeployments and none on RouteV1.
	APIVersion string
	// Auth selects the api-key header or a bearer token.
	Auth Auth
	// APIKey is the static key or token. Credential, when set, wins.
	APIKey string
	// Credential returns the key or token for each call (Vault, rotation).
	Credential func(ctx context.Context) (string, error)
	// Headers are extra static headers sent on every call.
	Headers map[string]string
	// HTTPClient sends the calls; nil means the OpenAI translator's shared
	// client.
	HTTPClient *http.Client
	// MaxTokensField is the request field the token limit goes in:
	// "max_completion_tokens" (the default; API versions from 2024-09-01,
	// required by reasoning models) or "max_tokens" (older API versions).
	MaxTokensField string
}

// endpointURL checks cfg.Endpoint and returns it parsed, without a
// trailing slash.
func endpointURL(cfg *Config) (*url.URL, error) {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("azure provider %q: Config.Endpoint must be an absolute http(s) URL such as https://my-resource.openai.azure.com, got %q", cfg.Name, cfg.Endpoint)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("azure provider %q: Config.Endpoint must not have a query (set the API version in Config.APIVersion)", cfg.Name)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	if p := u.Path; p == "/openai" || strings.Contains(p, "/openai/") || strings.HasSuffix(p, "/openai") {
		return nil, fmt.Errorf("azure provider %q: Config.Endpoint is the resource endpoint without /openai/... (e.g. https://my-resource.openai.azure.com), got %q", cfg.Name, cfg.Endpoint)
	}
	return u, nil
}

func checkConfig(cfg *Config) error {
	if cfg.Name == "" {
		return errors.New("azure provider: Config.Name is required")
	}
	switch cfg.Route {
	case RouteDeployments, RouteV1:
	default:
		return fmt.Errorf("azure provider %q: unknown Route %d", cfg.Name, cfg.Route)
	}
	switch cfg.Auth {
	case AuthAPIKey, AuthBearer:
	default:
		return fmt.Errorf("azure provider %q: unknown Auth %d", cfg.Name, cfg.Auth)
	}
	if cfg.APIKey == "" && cfg.Credential == nil {
		return fmt.Errorf("azure provider %q: Config.APIKey or Config.Credential is required", cfg.Name)
	}
	if v := cfg.APIVersion; v != "" && !validAPIVersion(v) {
		return fmt.Errorf("azure provider %q: Config.APIVersion %q is not an API version such as %s or preview", cfg.Name, v, DefaultAPIVersion)
	}
	for k := range cfg.Headers {
		if k == "" || strings.ContainsAny(k, " :\r\n") {
			return fmt.Errorf("azure provider %q: invalid header name %q", cfg.Name, k)
		}
	}
	switch cfg.MaxTokensField {
	case "", "max_tokens", "max_completion_tokens":
	default:
		return fmt.Errorf("azure provider %q: Config.MaxTokensField must be max_tokens or max_completion_tokens, got %q", cfg.Name, cfg.MaxTokensField)
	}
	return nil
}

// validAPIVersion accepts what Azure names versions: a date, optionally
// with a suffix ("2024-10-21", "2025-04-01-preview"), or a word such as
// "preview", "latest" or "v1". Only letters, digits and dashes: the value
// goes in a query string.
func validAPIVersion(v string) bool {
	if len(v) > 40 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return v != ""
}

// requestOptions are the request-format settings the OpenAI translator uses
// for Azure.
func requestOptions(cfg *Config) wire.RequestOptions {
	field := cfg.MaxTokensField
	if field == "" {
		field = "max_completion_tokens"
	}
	return wire.RequestOptions{MaxTokensField: field}
}
