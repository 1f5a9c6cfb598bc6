package config

import (
	"time"

	"github.com/switchboard-gw/switchboard/billing/pricing"
)

// Config is the gateway's resolved configuration.
type Config struct {
	Server      Server                 `yaml:"server"`
	Providers   map[string]*Provider   `yaml:"providers"`
	Deployments map[string]*Deployment `yaml:"deployments"`
	Aliases     map[string]*Alias      `yaml:"aliases"`
	Defaults    Defaults               `yaml:"defaults"`
	// Secrets configures Vault for vault: credential references.
	Secrets Secrets `yaml:"secrets"`
	// Store configures where keys, teams and users live (store.go).
	Store Store `yaml:"store"`
	// Auth configures authentication (store.go).
	Auth Auth `yaml:"auth"`
	// Routing holds routing defaults and hot reload (routing.go).
	Routing Routing `yaml:"routing"`
	// Redis is the server instances share limits and state through
	// (redis.go); off when absent.
	Redis Redis `yaml:"redis"`
	// RateLimits configures where rate limits are counted (ratelimits.go).
	RateLimits RateLimits `yaml:"rate_limits"`
	// Limits configures budgets, idempotency keys and the cost bound of
	// requests (limits.go).
	Limits Admission `yaml:"limits"`

	// Pricing merges a user's price list into the pricing table
	// (pricing.go).
	Pricing Pricing `yaml:"pricing"`
	// Telemetry configures traces, metrics and logs (telemetry.go).
	Telemetry Telemetry `yaml:"telemetry"`
	// Ledger configures the spend ledger's writer (ledger.go).
	Ledger Ledger `yaml:"ledger"`

	// LookupEnv resolves env: references; set by Load.
	LookupEnv func(string) (string, bool) `yaml:"-"`
	// Source is the file the configuration came from ("" for defaults only).
	Source string `yaml:"-"`
	// pricingTable is the table Validate loaded (pricing.go).
	pricingTable *pricing.Table
}

// Server configures the listener and the transports.
type Server struct {
	// Addr is host:port. Overridden by SWITCHBOARD_ADDR and --addr.
	Addr string `yaml:"addr"`
	// MaxBodyBytes limits request bodies on both transports.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// ShutdownTimeout bounds how long in-flight requests and streams may
	// run after a shutdown signal.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	TLS             TLS           `yaml:"tls"`
	// CORSAllowedOrigins lists browser origins allowed to call the API.
	CORSAllowedOrigins []string `yaml:"cors_allowed_origins"`
	// ServerSecret keys the hash of stored virtual keys. Empty: a random
	// secret kept in the data directory. A credential reference (env:NAME).
	ServerSecret string `yaml:"server_secret"`
}

// TLS enables HTTPS when both files are set.
type TLS struct {
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
}

// Provider kinds: the wire protocol a provider speaks.
const (
	KindOpenAI    = "openai"
	KindAnthropic = "anthropic"
	KindGemini    = "gemini"
	KindSim       = "sim"
)

// Provider is one upstream API endpoint with its credentials.
type Provider struct {
	// Kind is the wire protocol: "openai" (also every OpenAI-compatible
	// vendor), "anthropic", "gemini", "azure" (Azure OpenAI), "vertex"
	// (Gemini on Vertex AI), or "sim" (the in-process simulator).
	Kind string `yaml:"kind"`
	// Vendor selects preset defaults for an OpenAI-compatible vendor
	// (openai, groq, deepseek, mistral, together, openrouter, ollama, vllm).
	Vendor string `yaml:"vendor"`
	// BaseURL overrides the vendor's base URL, e.g. http://localhost:11434/v1.
	BaseURL string `yaml:"base_url"`
	// APIKey is a credential reference such as "env:OPENAI_API_KEY", never
	// the key itself.
	APIKey string `yaml:"api_key"`
	// Auth is how the key is sent: "bearer" (default), "api-key" or "none".
	Auth string `yaml:"auth"`
	// Headers are extra static headers sent upstream.
	Headers map[string]string `yaml:"headers"`
	// Passthrough exposes "<provider name>/<model>" as model names that
	// route to this provider with the model name as-is.
	Passthrough bool `yaml:"passthrough"`
	// Sim configures a "sim" provider.
	Sim SimOptions `yaml:"sim"`
	// Dialect is the wire protocol a "sim" provider is reached through:
	// "openai" (default), "anthropic", "gemini" or "bedrock". The simulator
	// speaks all of them; the gateway uses the real translator of the
	// dialect.
	Dialect string `yaml:"dialect"`
	// Azure configures a provider of kind "azure" (azure.go).
	Azure *Azure `yaml:"azure"`
	// Vertex configures a provider of kind "vertex" (vertex.go).
	Vertex *Vertex `yaml:"vertex"`
	// Bedrock configures a provider of kind "bedrock" (bedrock.go).
	Bedrock *Bedrock `yaml:"bedrock"`
	// ConnectTimeout bounds establishing a connection to the provider
	// (default 10s).
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
}

// SimOptions shape the simulator's timing.
type SimOptions struct {
	Latency         time.Duration `yaml:"latency"`
	TTFT            time.Duration `yaml:"ttft"`
	InterChunkDelay time.Duration `yaml:"inter_chunk_delay"`
	// Faults are injected into a random share of requests (routing.go).
	Faults []SimFault `yaml:"faults"`
	// Seed makes the fault rolls reproducible.
	Seed int64 `yaml:"seed"`
}

// Deployment is a model on a provider.
type Deployment struct {
	Provider string `yaml:"provider"`
	// Model is the upstream model name.
	Model string `yaml:"model"`
	// Routing: credential pool, weight, priority, limits, price,
	// timeouts, breaker (routing.go).
	DeploymentRouting `yaml:",inline"`
}

// Alias is a model name callers use, served by one or more deployments in
// the order its strategy chooses (by default the listed order), or by
// another alias chosen by content rules (routing.go).
type Alias struct {
	Deployments []string `yaml:"deployments"`
	// Routing: strategy, fallbacks, retry, timeouts, hedging,
	// continuation, rules (routing.go).
	AliasRouting `yaml:",inline"`
}

// Defaults switch the embedded defaults on or off (both on when unset).
type Defaults struct {
	// Demo adds the aliases "demo", "demo-anthropic" and "demo-gemini",
	// served by the in-process simulator.
	Demo *bool `yaml:"demo"`
	// EnvProviders adds a provider with passthrough routes for each standard
	// API-key variable that is set (OPENAI_API_KEY, ANTHROPIC_API_KEY,
	// GEMINI_API_KEY).
	EnvProviders *bool `yaml:"env_providers"`
}

// DefaultAddr is where the gateway listens unless told otherwise.
const DefaultAddr = "127.0.0.1:8080"

// DefaultMaxBodyBytes is the default request body limit (10 MiB: large
// enough for a long conversation with a few inline images).
const DefaultMaxBodyBytes = 10 << 20

// DefaultShutdownTimeout bounds graceful shutdown.
const DefaultShutdownTimeout = 30 * time.Second

// The names the embedded demo uses: the alias "demo" reaches the simulator
// through the OpenAI translator, "demo-anthropic" and "demo-gemini" through
// the Anthropic and Gemini translators, so that every translator can be tried
// with no provider key.
const (
	DemoAlias    = "demo"
	DemoProvider = "sim"
	DemoModel    = "sim-chat"
)

// demoDialects are the simulator dialects the demo exposes, with their
// alias and provider names.
var demoDialects = []struct{ dialect, alias, provider string }{
	{KindOpenAI, DemoAlias, DemoProvider},
	{KindAnthropic, DemoAlias + "-anthropic", DemoProvider + "-anthropic"},
	{KindGemini, DemoAlias + "-gemini", DemoProvider + "-gemini"},
}

// envProvider is a provider enabled by its standard key variable.
type envProvider struct {
	name, kind, vendor, variable string
}

// envProviders lists the standard key variables: each one set enables a
// provider of that name with <name>/<model> passthrough routes.
var envProviders = []envProvider{
	{name: "openai", kind: KindOpenAI, vendor: "openai", variable: "OPENAI_API_KEY"},
	{name: "anthropic", kind: KindAnthropic, variable: "ANTHROPIC_API_KEY"},
	{name: "gemini", kind: KindGemini, variable: "GEMINI_API_KEY"},
}

// DemoEnabled reports whether the demo alias is on.
func (d Defaults) DemoEnabled() bool { return d.Demo == nil || *d.Demo }

// EnvProvidersEnabled reports whether env-key providers are on.
func (d Defaults) EnvProvidersEnabled() bool { return d.EnvProviders == nil || *d.EnvProviders }
