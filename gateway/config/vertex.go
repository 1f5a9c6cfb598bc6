package config

import (
	"net/url"
)

// KindVertex is Google Vertex AI for Gemini models: the Gemini wire
// protocol behind Vertex AI's regional URLs and OAuth2 service-account
// credentials.
const KindVertex = "vertex"

// Vertex configures a provider of kind vertex. Its deployments name Gemini
// models ("gemini-2.5-flash").
type Vertex struct {
	// Project is the Google Cloud project id; empty means the service
	// account's project_id.
	Project string `yaml:"project"`
	// Location is the region (us-central1, europe-west4, ...) or global
	// (required).
	Location string `yaml:"location"`
	// ServiceAccountFile is the path of a service-account key file (JSON).
	ServiceAccountFile string `yaml:"service_account_file"`
	// Credentials is a credential reference (env:..., vault:...) whose value
	// is the content of a service-account key file, instead of
	// ServiceAccountFile.
	Credentials string `yaml:"credentials"`
	// Endpoint replaces https://{location}-aiplatform.googleapis.com: a
	// private endpoint, a proxy, a test server.
	Endpoint string `yaml:"endpoint"`
	// TokenURI replaces the key file's token_uri (a test server).
	TokenURI string `yaml:"token_uri"`
	// APIVersion is the version in the path: v1 (default) or v1beta1.
	APIVersion string `yaml:"api_version"`
}

func (c *Config) validateVertex(field string, p *Provider) error {
	v := p.Vertex
	if v == nil {
		return fieldErr(field+".vertex", "is required for kind vertex (location, and service_account_file or credentials)")
	}
	vf := field + ".vertex"
	if v.Location == "" {
		return fieldErr(vf+".location", "is required: the region, such as us-central1, or global")
	}
	if !isRegion(v.Location) {
		return fieldErr(vf+".location", "%q is not a region such as us-central1 (or global)", v.Location)
	}
	if v.Project != "" && !isProjectID(v.Project) {
		return fieldErr(vf+".project", "%q is not a Google Cloud project id", v.Project)
	}
	switch v.APIVersion {
	case "", "v1", "v1beta1":
	default:
		return fieldErr(vf+".api_version", "want v1 or v1beta1, got %q", v.APIVersion)
	}
	for _, f := range []struct{ name, value string }{{"endpoint", v.Endpoint}, {"token_uri", v.TokenURI}} {
		if f.value == "" {
			continue
		}
		u, err := url.Parse(f.value)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
			return fieldErr(vf+"."+f.name, "want an http(s) URL without a query, got %q", f.value)
		}
	}
	if p.Vendor != "" {
		return fieldErr(field+".vendor", "vendor presets are for kind openai")
	}
	if p.BaseURL != "" {
		return fieldErr(field+".base_url", "a vertex provider takes its URL from vertex.location (or vertex.endpoint)")
	}
	if p.Auth != "" {
		return fieldErr(field+".auth", "a vertex provider authenticates with OAuth2 tokens from its service account; auth is for kind openai")
	}
	if p.APIKey != "" {
		return fieldErr(field+".api_key", "a vertex provider takes no API key: set vertex.service_account_file or vertex.credentials")
	}
	switch {
	case v.ServiceAccountFile == "" && v.Credentials == "":
		return fieldErr(vf+".service_account_file", "is required (or vertex.credentials, a reference to the key file's content)")
	case v.ServiceAccountFile != "" && v.Credentials != "":
		return fieldErr(vf+".credentials", "set service_account_file or credentials, not both")
	case v.Credentials != "":
		return c.checkCredentialRef(vf+".credentials", v.Credentials)
	}
	return nil
}

// isRegion accepts "global" and names such as us-central1: lower-case
// letters and digits in dash-separated words.
func isRegion(s string) bool {
	if s == "" || len(s) > 64 || s[0] < 'a' || s[0] > 'z' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' && s[i-1] != '-') {
			return false
		}
	}
	return true
}

// isProjectID accepts project ids (lower-case letters, digits and dashes)
// and the legacy domain-scoped form "example.com:my-project".
func isProjectID(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}
