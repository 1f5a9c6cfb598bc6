package vertex

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/switchboard-gw/switchboard/providers/gemini"
)

// DefaultAPIVersion is the Vertex AI API version in the URL path.
const DefaultAPIVersion = "v1"

// Config describes one provider instance.
type Config struct {
	// Name is the instance name reported in errors and responses ("vertex").
	// It also selects ProviderOptions[Name], merged after
	// ProviderOptions["gemini"] (see the gemini wire package).
	Name string
	// Project is the Google Cloud project id. Empty means the service
	// account's own project_id.
	Project string
	// Location is the region ("us-central1", "europe-west4", ...) or
	// "global".
	Location string
	// Endpoint replaces https://{location}-aiplatform.googleapis.com (or
	// https://aiplatform.googleapis.com for "global"): a private endpoint,
	// a proxy, a test server. A path in it is kept as a prefix.
	Endpoint string
	// APIVersion is the version in the path; empty means DefaultAPIVersion
	// ("v1beta1" for preview features).
	APIVersion string
	// ServiceAccountJSON is the content of a service-account key file.
	// Ignored when Tokens is set.
	ServiceAccountJSON []byte
	// TokenURI, when set, replaces the key file's token_uri.
	TokenURI string
	// Tokens is an existing token source (to share one account's tokens
	// between providers); nil means one made from ServiceAccountJSON.
	Tokens *TokenSource
	// Headers are extra static headers sent on every API call.
	Headers map[string]string
	// HTTPClient sends the API calls and the token exchanges; nil means
	// the Gemini translator's shared client for calls and a client with a
	// 30s timeout for token exchanges.
	HTTPClient *http.Client
	// OpenAPISchema sends schemas in Gemini's OpenAPI subset instead of JSON
	// Schema, for models before Gemini 2.5 (see gemini.Config).
	OpenAPISchema bool
}

// New validates cfg and returns a Provider.
func New(cfg Config) (*Provider, error) {
	if cfg.Name == "" {
		return nil, errors.New("vertex provider: Config.Name is required")
	}
	tokens := cfg.Tokens
	if tokens == nil {
		if len(cfg.ServiceAccountJSON) == 0 {
			return nil, fmt.Errorf("vertex provider %q: Config.ServiceAccountJSON (a service-account key file) is required", cfg.Name)
		}
		sa, err := ParseServiceAccount(cfg.ServiceAccountJSON)
		if err != nil {
			return nil, fmt.Errorf("vertex provider %q: %w", cfg.Name, err)
		}
		if cfg.Project == "" {
			cfg.Project = sa.ProjectID
		}
		tokens, err = NewTokenSource(TokenSourceConfig{Provider: cfg.Name, Account: sa, TokenURI: cfg.TokenURI, HTTPClient: cfg.HTTPClient})
		if err != nil {
			return nil, fmt.Errorf("vertex provider %q: %w", cfg.Name, err)
		}
	}
	base, err := BaseURL(cfg.Endpoint, cfg.APIVersion, cfg.Project, cfg.Location)
	if err != nil {
		return nil, fmt.Errorf("vertex provider %q: %w", cfg.Name, err)
	}
	p := &Provider{name: cfg.Name, tokens: tokens, baseURL: base}
	p.gem, err = gemini.New(gemini.Config{
		Name:          cfg.Name,
		BaseURL:       base,
		Authorize:     p.authorize,
		Headers:       cfg.Headers,
		HTTPClient:    cfg.HTTPClient,
		OpenAPISchema: cfg.OpenAPISchema,
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// BaseURL returns the root that model paths are appended to:
// {endpoint}/{version}/projects/{project}/locations/{location}/publishers/google.
// An empty endpoint is the location's regional host (the global host for
// "global"); an empty version is DefaultAPIVersion.
func BaseURL(endpoint, version, project, location string) (string, error) {
	if err := checkSegment("project", project); err != nil {
		return "", err
	}
	if err := checkLocation(location); err != nil {
		return "", err
	}
	if version == "" {
		version = DefaultAPIVersion
	}
	if err := checkSegment("API version", version); err != nil {
		return "", err
	}
	if endpoint == "" {
		endpoint = "https://" + location + "-aiplatform.googleapis.com"
		if location == "global" {
			endpoint = "https://aiplatform.googleapis.com"
		}
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("endpoint must be an absolute http(s) URL without a query, got %q", endpoint)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/" + version + "/projects/" + project + "/locations/" + location + "/publishers/google"
	u.RawPath = ""
	return u.String(), nil
}

// checkSegment refuses a value that is empty or would change the URL's
// shape.
func checkSegment(what, v string) error {
	if v == "" {
		return fmt.Errorf("%s is required", what)
	}
	if strings.ContainsAny(v, "/?#%\\ \t\r\n") || v == "." || v == ".." {
		return fmt.Errorf("%s %q is not a valid path segment", what, clip(v))
	}
	return nil
}

// checkLocation accepts "global" and region names such as us-central1 or
// europe-west4: lower-case letters and digits in dash-separated words.
func checkLocation(loc string) error {
	if loc == "" {
		return errors.New("location is required (a region such as us-central1, or global)")
	}
	ok := loc[0] >= 'a' && loc[0] <= 'z' && loc[len(loc)-1] != '-' && len(loc) <= 64
	for i := 0; ok && i < len(loc); i++ {
		c := loc[i]
		ok = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' && loc[i-1] != '-'
	}
	if !ok {
		return fmt.Errorf("location %q is not a region name such as us-central1 (or global)", clip(loc))
	}
	return nil
}
