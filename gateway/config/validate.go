package config

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/switchboard-gw/switchboard/secrets"
)

// FieldError names the configuration field that is wrong.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

const kindList = "openai, anthropic, gemini, azure, vertex, bedrock or sim"

var vendors = []string{"openai", "groq", "deepseek", "mistral", "together", "openrouter", "ollama", "vllm"}

// Validate checks the whole configuration and returns the first problem,
// naming its field. Map keys are visited in sorted order so the error is
// deterministic.
func (c *Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Server.Addr); err != nil {
		return fieldErr("server.addr", "want host:port, got %q", c.Server.Addr)
	}
	if c.Server.MaxBodyBytes < 0 {
		return fieldErr("server.max_body_bytes", "must be positive")
	}
	if c.Server.ShutdownTimeout < 0 {
		return fieldErr("server.shutdown_timeout", "must be positive")
	}
	if (c.Server.TLS.CertFile == "") != (c.Server.TLS.KeyFile == "") {
		return fieldErr("server.tls", "set both cert_file and key_file, or neither")
	}
	if s := c.Server.ServerSecret; s != "" {
		if err := secrets.CheckRef(s); err != nil {
			return fieldErr("server.server_secret", "%v", err)
		}
		if err := c.checkVaultRef("server.server_secret", s); err != nil {
			return err
		}
	}
	if err := c.validateSecrets(); err != nil {
		return err
	}
	if err := c.validateStore(); err != nil {
		return err
	}
	if err := c.validateLedger(); err != nil {
		return err
	}
	if err := c.validateTelemetry(); err != nil {
		return err
	}
	if err := c.validateRedis(); err != nil {
		return err
	}
	if err := c.validateRateLimits(); err != nil {
		return err
	}
	if err := c.validateLimits(); err != nil {
		return err
	}
	for _, name := range sortedKeys(c.Providers) {
		if err := c.validateProvider(name, c.Providers[name]); err != nil {
			return err
		}
	}
	for _, name := range sortedKeys(c.Deployments) {
		d := c.Deployments[name]
		field := "deployments." + name
		if d == nil {
			return fieldErr(field, "is empty")
		}
		if d.Provider == "" {
			return fieldErr(field+".provider", "is required")
		}
		if _, ok := c.Providers[d.Provider]; !ok {
			return fieldErr(field+".provider", "unknown provider %q (declared: %s)", d.Provider, strings.Join(sortedKeys(c.Providers), ", "))
		}
		if d.Model == "" {
			return fieldErr(field+".model", "is required")
		}
	}
	for _, name := range sortedKeys(c.Aliases) {
		a := c.Aliases[name]
		field := "aliases." + name
		if name == "" || strings.ContainsAny(name, " \t\n") {
			return fieldErr(field, "alias names must be non-empty and have no spaces")
		}
		if a == nil || (len(a.Deployments) == 0 && len(a.Rules) == 0) {
			return fieldErr(field+".deployments", "must list at least one deployment (or rules that choose an alias)")
		}
		for i, d := range a.Deployments {
			if _, ok := c.Deployments[d]; !ok {
				return fieldErr(fmt.Sprintf("%s.deployments[%d]", field, i), "unknown deployment %q", d)
			}
		}
	}
	if err := c.validatePricing(); err != nil {
		return err
	}
	return c.validateRouting()
}

func (c *Config) validateProvider(name string, p *Provider) error {
	field := "providers." + name
	if p == nil {
		return fieldErr(field, "is empty")
	}
	if strings.Contains(name, "/") {
		return fieldErr(field, "provider names cannot contain '/'")
	}
	switch p.Kind {
	case KindOpenAI:
		if !slices.Contains(vendors, p.Vendor) {
			return fieldErr(field+".vendor", "unknown vendor %q (want one of %s)", p.Vendor, strings.Join(vendors, ", "))
		}
	case KindAnthropic, KindGemini:
		if p.Vendor != "" {
			return fieldErr(field+".vendor", "vendor presets are for kind openai")
		}
	case KindAzure:
		if err := c.validateAzure(field, p); err != nil {
			return err
		}
	case KindVertex:
		if err := c.validateVertex(field, p); err != nil {
			return err
		}
	case KindBedrock:
		if err := c.validateBedrock(field, p); err != nil {
			return err
		}
	case KindSim:
		switch p.Dialect {
		case "", KindOpenAI, KindAnthropic, KindGemini, KindBedrock:
		default:
			return fieldErr(field+".dialect", "unknown dialect %q (want openai, anthropic, gemini or bedrock)", p.Dialect)
		}
	case "":
		return fieldErr(field+".kind", "is required (%s)", kindList)
	default:
		return fieldErr(field+".kind", "unknown kind %q (want %s)", p.Kind, kindList)
	}
	if p.Azure != nil && p.Kind != KindAzure {
		return fieldErr(field+".azure", "only a provider of kind azure has an azure section")
	}
	if p.Vertex != nil && p.Kind != KindVertex {
		return fieldErr(field+".vertex", "only a provider of kind vertex has a vertex section")
	}
	if p.Bedrock != nil && p.Kind != KindBedrock {
		return fieldErr(field+".bedrock", "only a provider of kind bedrock has a bedrock section")
	}
	if p.Dialect != "" && p.Kind != KindSim {
		return fieldErr(field+".dialect", "only a sim provider has a dialect")
	}
	if p.BaseURL != "" {
		u, err := url.Parse(p.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fieldErr(field+".base_url", "want an http(s) URL, got %q", p.BaseURL)
		}
	}
	switch p.Auth {
	case "", "bearer", "api-key", "none":
	default:
		return fieldErr(field+".auth", "unknown auth style %q (want bearer, api-key or none)", p.Auth)
	}
	if p.APIKey != "" {
		if err := secrets.CheckRef(p.APIKey); err != nil {
			return fieldErr(field+".api_key", "%v", err)
		}
		if err := c.checkVaultRef(field+".api_key", p.APIKey); err != nil {
			return err
		}
		if secrets.Scheme(p.APIKey) == secrets.SchemeEnv {
			if _, err := (secrets.Env{LookupEnv: c.LookupEnv}).Resolve(context.Background(), p.APIKey); err != nil {
				return fieldErr(field+".api_key", "%v", err)
			}
		}
	}
	if p.Sim.Latency < 0 || p.Sim.TTFT < 0 || p.Sim.InterChunkDelay < 0 {
		return fieldErr(field+".sim", "durations must not be negative")
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
