package config

import (
	"net/url"
	"strings"
)

// KindAzure is Azure OpenAI: the OpenAI wire protocol behind Azure's
// deployment URLs and credentials.
const KindAzure = "azure"

// Azure configures a provider of kind azure. Each deployment of the
// gateway that uses it names an Azure deployment as its model: in Azure the
// deployment name, not the model name, is the URL path element.
type Azure struct {
	// Endpoint is the resource endpoint, e.g.
	// https://my-resource.openai.azure.com (required).
	Endpoint string `yaml:"endpoint"`
	// APIVersion is the api-version query parameter; empty means the
	// current GA version (2024-10-21) on deployment URLs and none on v1.
	APIVersion string `yaml:"api_version"`
	// Route is "deployments" (default: /openai/deployments/{deployment}/...)
	// or "v1" (/openai/v1/..., the deployment in the body's model).
	Route string `yaml:"route"`
	// BearerToken is a credential reference to a Microsoft Entra ID access
	// token, sent as Authorization: Bearer, instead of the provider's
	// api_key (sent in the api-key header).
	BearerToken string `yaml:"bearer_token"`
	// MaxTokensField is where the token limit goes: max_completion_tokens
	// (default) or max_tokens (API versions before 2024-09-01).
	MaxTokensField string `yaml:"max_tokens_field"`
}

// Azure routes.
const (
	AzureRouteDeployments = "deployments"
	AzureRouteV1          = "v1"
)

func (c *Config) validateAzure(field string, p *Provider) error {
	a := p.Azure
	if a == nil {
		return fieldErr(field+".azure", "is required for kind azure (at least azure.endpoint)")
	}
	af := field + ".azure"
	if a.Endpoint == "" {
		return fieldErr(af+".endpoint", "is required, e.g. https://my-resource.openai.azure.com")
	}
	u, err := url.Parse(a.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return fieldErr(af+".endpoint", "want the resource's http(s) URL without a query, e.g. https://my-resource.openai.azure.com, got %q", a.Endpoint)
	}
	if strings.Contains(u.Path, "/openai") {
		return fieldErr(af+".endpoint", "is the resource endpoint without /openai/... (the gateway adds the path), got %q", a.Endpoint)
	}
	switch a.Route {
	case "", AzureRouteDeployments, AzureRouteV1:
	default:
		return fieldErr(af+".route", "unknown route %q (want deployments or v1)", a.Route)
	}
	if v := a.APIVersion; v != "" && !isToken(v, 40) {
		return fieldErr(af+".api_version", "%q is not an API version such as 2024-10-21 or 2025-04-01-preview", v)
	}
	switch a.MaxTokensField {
	case "", "max_tokens", "max_completion_tokens":
	default:
		return fieldErr(af+".max_tokens_field", "want max_completion_tokens or max_tokens, got %q", a.MaxTokensField)
	}
	if p.Vendor != "" {
		return fieldErr(field+".vendor", "vendor presets are for kind openai")
	}
	if p.BaseURL != "" {
		return fieldErr(field+".base_url", "an azure provider takes its URL from azure.endpoint")
	}
	if p.Auth != "" {
		return fieldErr(field+".auth", "an azure provider sends api_key in the api-key header and azure.bearer_token as a bearer token; auth is for kind openai")
	}
	switch {
	case p.APIKey == "" && a.BearerToken == "":
		return fieldErr(field+".api_key", "an azure provider needs api_key (a resource key) or azure.bearer_token (a Microsoft Entra ID token)")
	case p.APIKey != "" && a.BearerToken != "":
		return fieldErr(af+".bearer_token", "set api_key or azure.bearer_token, not both")
	case a.BearerToken != "":
		return c.checkCredentialRef(af+".bearer_token", a.BearerToken)
	}
	return nil
}

// isToken reports whether s is 1 to n letters, digits, '-' and '.'.
func isToken(s string, n int) bool {
	if s == "" || len(s) > n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
