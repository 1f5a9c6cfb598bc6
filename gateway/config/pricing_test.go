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

const pricingExample = `
defaults: {demo: false}
providers:
  openai: {kind: openai, api_key: env:OPENAI_API_KEY}
  fast: {kind: openai, vendor: groq, api_key: env:OPENAI_API_KEY}
  local: {kind: openai, vendor: vllm, base_url: "http://localhost:8000/v1", auth: none}
  sim: {kind: sim}
deployments:
  mini:
    provider: openai
    model: gpt-4o-mini-2024-07-18
  negotiated:
    provider: openai
    model: gpt-4o
    pricing: {input: "2.00", output: 7.5, cached_input: 0.9}
  llama:
    provider: fast
    model: llama-3.3-70b-versatile
  selfhosted:
    provider: local
    model: meta-llama/Llama-3.3-70B-Instruct
  simulated:
    provider: sim
    model: claude-sonnet-4-5-20250929
aliases:
  cheap: {deployments: [mini, negotiated, llama], strategy: lowest_cost}
`

func TestDeploymentPrices(t *testing.T) {
	cfg, err := config.Parse([]byte(pricingExample), env("OPENAI_API_KEY", "k"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		deployment, input, cached, output string
		priced                            bool
	}{
		{"mini", "0.15", "0.075", "0.6", true},
		{"negotiated", "2", "0.9", "7.5", true}, // the override
		{"llama", "0.59", "0.59", "0.79", true}, // Groq's list, by the vendor preset
		{"simulated", "3", "0.3", "15", true},   // the simulator: by model name
		{"selfhosted", "", "", "", false},       // vLLM has no list: unpriced
		{"no-such-deployment", "", "", "", false},
	} {
		p, ok := cfg.DeploymentPrice(c.deployment, time.Time{})
		if ok != c.priced {
			t.Errorf("%s: priced %v", c.deployment, ok)
			continue
		}
		if ok && (p.Input.String() != c.input || p.CachedInput.String() != c.cached || p.Output.String() != c.output) {
			t.Errorf("%s: %s/%s/%s", c.deployment, p.Input, p.CachedInput, p.Output)
		}
	}
	if v := cfg.Providers["fast"].PricingVendor(); v != "groq" {
		t.Errorf("vendor %q", v)
	}
	if v := cfg.Providers["sim"].PricingVendor(); v != "" {
		t.Errorf("sim vendor %q", v)
	}
}

func TestInvalidPricingNamesTheField(t *testing.T) {
	for _, c := range []struct {
		edit  func(string) string
		field string
	}{
		{replace(`input: "2.00"`, `input: "-2"`), "deployments.negotiated.pricing.input"},
		{replace(`output: 7.5`, `output: lots`), "deployments.negotiated.pricing.output"},
		{replace(`cached_input: 0.9`, `cached_input: 0.0000001`), "deployments.negotiated.pricing.cached_input"},
		// A model the table lacks needs both prices.
		{replace("model: meta-llama/Llama-3.3-70B-Instruct", "model: meta-llama/Llama-3.3-70B-Instruct\n    pricing: {input: 0.1}"), "deployments.selfhosted.pricing.output"},
		// lowest_cost needs a price from somewhere.
		{replace("deployments: [mini, negotiated, llama]", "deployments: [mini, selfhosted]"), "aliases.cheap.deployments[1]"},
		{replace("defaults: {demo: false}", "defaults: {demo: false}\npricing: {file: /nonexistent/prices.yaml}"), "pricing.file"},
	} {
		_, err := config.Parse([]byte(c.edit(pricingExample)), env("OPENAI_API_KEY", "k"))
		var fe *config.FieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("want an error naming %s, got %v", c.field, err)
		}
	}
	// A price that is not a number fails decoding, naming the field.
	for _, bad := range []string{"[7.5]", "true", "{usd: 7.5}"} {
		block := replace(`pricing: {input: "2.00", output: 7.5, cached_input: 0.9}`,
			"pricing:\n      input: 2\n      output: "+bad)(pricingExample)
		_, err := config.Parse([]byte(block), env("OPENAI_API_KEY", "k"))
		if err == nil || !strings.Contains(err.Error(), "deployments.negotiated.pricing.output") {
			t.Errorf("%s as a price: %v", bad, err)
		}
	}
}

func TestPricingFileIsMerged(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "prices.yaml")
	list := `
version: internal-1
models:
  - provider: vllm
    model: meta-llama/Llama-3.3-70B-Instruct
    effective_from: 2025-01-01
    source: https://wiki.example.com/gpu-chargeback
    input: 0.05
    output: 0.05
    context_window: 131072
`
	if err := os.WriteFile(file, []byte(list), 0o600); err != nil {
		t.Fatal(err)
	}
	src := replace("defaults: {demo: false}", "defaults: {demo: false}\npricing: {file: "+file+"}")(pricingExample)
	cfg, err := config.Parse([]byte(src), env("OPENAI_API_KEY", "k"))
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := cfg.DeploymentPrice("selfhosted", time.Time{}); !ok || p.Input.String() != "0.05" {
		t.Errorf("self-hosted price %v %+v", ok, p)
	}
	table, err := cfg.PricingTable()
	if err != nil || !strings.HasSuffix(table.Version(), "+internal-1") {
		t.Errorf("table %v %v", table, err)
	}
	// An invalid list fails naming the field in it.
	if err := os.WriteFile(file, []byte(strings.Replace(list, "input: 0.05", "input: -1", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = config.Parse([]byte(src), env("OPENAI_API_KEY", "k"))
	var fe *config.FieldError
	if !errors.As(err, &fe) || fe.Field != "pricing.file" || !strings.Contains(err.Error(), "models[0]") || !strings.Contains(err.Error(), ".input") {
		t.Errorf("invalid list: %v", err)
	}
}
