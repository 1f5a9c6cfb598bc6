package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/gateway/config"
)

func env(kv ...string) func(string) (string, bool) {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaultsWithoutFile(t *testing.T) {
	cfg, err := config.Load("", env())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Server.Addr != "127.0.0.1:8080" {
		t.Errorf("addr = %q", cfg.Server.Addr)
	}
	if cfg.Server.MaxBodyBytes != config.DefaultMaxBodyBytes || cfg.Server.ShutdownTimeout != config.DefaultShutdownTimeout {
		t.Errorf("server defaults = %+v", cfg.Server)
	}
	a := cfg.Aliases["demo"]
	if a == nil || len(a.Deployments) != 1 {
		t.Fatalf("demo alias = %+v", a)
	}
	d := cfg.Deployments[a.Deployments[0]]
	if d.Provider != "sim" || cfg.Providers["sim"].Kind != config.KindSim {
		t.Errorf("demo deployment = %+v", d)
	}
	if _, ok := cfg.Providers["openai"]; ok {
		t.Error("openai provider present without OPENAI_API_KEY")
	}
}

func TestOpenAIKeyEnablesPassthrough(t *testing.T) {
	cfg, err := config.Load("", env("OPENAI_API_KEY", "sk-test"))
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Providers["openai"]
	if p == nil || !p.Passthrough || p.APIKey != "env:OPENAI_API_KEY" || p.Kind != config.KindOpenAI {
		t.Fatalf("openai provider = %+v", p)
	}
}

func TestFileDeclaresProvidersDeploymentsAliases(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sb.yaml")
	yaml := `
server:
  addr: 127.0.0.1:9999
  max_body_bytes: 1024
  shutdown_timeout: 5s
providers:
  groq:
    kind: openai
    vendor: groq
    api_key: env:GROQ_API_KEY
  local:
    kind: openai
    vendor: ollama
    base_url: http://127.0.0.1:11434/v1
    auth: none
deployments:
  llama-groq:
    provider: groq
    model: llama-3.3-70b-versatile
  llama-local:
    provider: local
    model: llama3.2
aliases:
  llama:
    deployments: [llama-groq, llama-local]
defaults:
  demo: false
`
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, env("GROQ_API_KEY", "gsk-x"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Server.Addr != "127.0.0.1:9999" || cfg.Server.MaxBodyBytes != 1024 || cfg.Server.ShutdownTimeout != 5*time.Second {
		t.Errorf("server = %+v", cfg.Server)
	}
	if got := cfg.Aliases["llama"].Deployments; len(got) != 2 || got[0] != "llama-groq" {
		t.Errorf("alias = %v", got)
	}
	if _, ok := cfg.Aliases["demo"]; ok {
		t.Error("demo alias present although defaults.demo is false")
	}
	if cfg.Source != path {
		t.Errorf("source = %q", cfg.Source)
	}
}

// Each invalid file fails at start with an error naming the field.
func TestInvalidConfigNamesTheField(t *testing.T) {
	cases := []struct {
		name, yaml, field string
	}{
		{"unknown field", "servr:\n  addr: x\n", "servr"},
		{"bad addr", "server:\n  addr: nonsense\n", "server.addr"},
		{"unknown kind", "providers:\n  p:\n    kind: banana\n", "providers.p.kind"},
		{"missing kind", "providers:\n  p:\n    base_url: http://x\n", "providers.p.kind"},
		{"bad vendor", "providers:\n  p:\n    kind: openai\n    vendor: nope\n", "providers.p.vendor"},
		{"literal key", "providers:\n  p:\n    kind: openai\n    api_key: sk-live-abcdefgh\n", "providers.p.api_key"},
		{"unset env", "providers:\n  p:\n    kind: openai\n    api_key: env:NOT_SET_ANYWHERE\n", "providers.p.api_key"},
		{"bad url", "providers:\n  p:\n    kind: openai\n    base_url: ftp://x\n", "providers.p.base_url"},
		{"bad auth", "providers:\n  p:\n    kind: openai\n    auth: magic\n", "providers.p.auth"},
		{"deployment provider", "deployments:\n  d:\n    provider: ghost\n    model: m\n", "deployments.d.provider"},
		{"deployment model", "deployments:\n  d:\n    provider: sim\n", "deployments.d.model"},
		{"alias deployment", "aliases:\n  a:\n    deployments: [ghost]\n", "aliases.a.deployments[0]"},
		{"alias empty", "aliases:\n  a:\n    deployments: []\n", "aliases.a.deployments"},
		{"tls half", "server:\n  tls:\n    cert_file: c.pem\n", "server.tls"},
		{"bad duration", "server:\n  shutdown_timeout: soon\n", "shutdown_timeout"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Parse([]byte(tc.yaml), env())
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.field) {
				t.Errorf("error %q does not name %q", err, tc.field)
			}
			if strings.Contains(err.Error(), "sk-live-abcdefgh") {
				t.Errorf("error %q leaks the literal key", err)
			}
		})
	}
}

func TestFieldErrorIsTyped(t *testing.T) {
	_, err := config.Parse([]byte("server:\n  addr: nope\n"), env())
	var fe *config.FieldError
	if !errors.As(err, &fe) || fe.Field != "server.addr" {
		t.Fatalf("err = %v", err)
	}
}

func TestMissingFile(t *testing.T) {
	_, err := config.Load(filepath.Join(t.TempDir(), "absent.yaml"), env())
	if err == nil || !strings.Contains(err.Error(), "absent.yaml") {
		t.Fatalf("err = %v", err)
	}
}

func TestEmptyFileIsDefaults(t *testing.T) {
	cfg, err := config.Parse(nil, env())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Aliases["demo"] == nil {
		t.Fatal("no demo alias")
	}
}

func TestProviderKeysEnableEachProvider(t *testing.T) {
	cfg, err := config.Load("", env("ANTHROPIC_API_KEY", "a", "GEMINI_API_KEY", "g"))
	if err != nil {
		t.Fatal(err)
	}
	for name, kind := range map[string]string{"anthropic": config.KindAnthropic, "gemini": config.KindGemini} {
		p := cfg.Providers[name]
		if p == nil || p.Kind != kind || !p.Passthrough {
			t.Errorf("%s provider = %+v", name, p)
		}
	}
	if _, ok := cfg.Providers["openai"]; ok {
		t.Error("openai provider without its key")
	}
}

func TestDemoHasOneAliasPerDialect(t *testing.T) {
	cfg, err := config.Load("", env())
	if err != nil {
		t.Fatal(err)
	}
	for alias, dialect := range map[string]string{"demo": "openai", "demo-anthropic": "anthropic", "demo-gemini": "gemini"} {
		a := cfg.Aliases[alias]
		if a == nil {
			t.Fatalf("no alias %s", alias)
		}
		p := cfg.Providers[cfg.Deployments[a.Deployments[0]].Provider]
		if p.Kind != config.KindSim || p.Dialect != dialect {
			t.Errorf("%s: provider %+v", alias, p)
		}
	}
}

func TestDialectValidation(t *testing.T) {
	for yaml, field := range map[string]string{
		"providers:\n  s:\n    kind: sim\n    dialect: klingon\n":        "providers.s.dialect",
		"providers:\n  s:\n    kind: openai\n    dialect: anthropic\n":   "providers.s.dialect",
		"providers:\n  s:\n    kind: anthropic\n    vendor: groq\n":      "providers.s.vendor",
		"providers:\n  s:\n    kind: gemini\n    api_key: env:MISSING\n": "providers.s.api_key",
	} {
		if _, err := config.Parse([]byte(yaml), env()); err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%q: err = %v, want it to name %s", yaml, err, field)
		}
	}
}
