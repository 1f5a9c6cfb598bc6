package config_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/gateway/config"
)

// routingExample is the routing example of docs/routing.md, less the
// providers that need keys.
const routingExample = `
defaults: {demo: false, env_providers: false}
routing:
  timeouts: {ttft: 30s, idle: 20s, total: 5m}
  retry:
    max_retries: 1
    backoff: 100ms
    max_backoff: 5s
    max_retry_after: 5s
    budget: {ratio: 0.2, min_per_second: 5}
  breaker: {consecutive_failures: 5, failure_rate: 0.5, min_requests: 20, window: 30s, open_for: 10s, half_open_probes: 1}
  reload: {watch: true, interval: 2s}
providers:
  openai: {kind: openai, api_key: env:OPENAI_API_KEY, connect_timeout: 3s}
  sim: {kind: sim, sim: {faults: [{probability: 0.3, fault: "status=500"}], seed: 1}}
deployments:
  gpt-a:
    provider: openai
    model: gpt-4o-mini
    api_keys: [env:OPENAI_KEY_1, env:OPENAI_KEY_2]
    weight: 3
    priority: 1
    limits: {rpm: 500, tpm: 200000}
    price: {input_per_mtok: 0.15, output_per_mtok: 0.6}
    timeouts: {ttft: 10s}
    breaker: {open_for: 30s}
  sim-a:
    provider: sim
    model: sim-chat
    limits: {rpm: 100}
    price: {input_per_mtok: 0, output_per_mtok: 0}
aliases:
  chat:
    deployments: [gpt-a, sim-a]
    strategy: weighted
    fallbacks:
      rate_limited: [backup]
      overloaded: [backup]
      timeout: [backup]
      context_window: [long]
      content_filtered: [backup]
    retry: {max_retries: 2}
    timeouts: {idle: 10s}
    hedge: {delay: 2s, percentile: 95, max: 1}
    continuation: {enabled: true, max: 1}
  cheap: {deployments: [gpt-a, sim-a], strategy: lowest_cost}
  headroom: {deployments: [gpt-a, sim-a], strategy: usage_based}
  fastest: {deployments: [gpt-a, sim-a], strategy: least_latency, exploration: 0.1}
  backup: {deployments: [sim-a]}
  long: {deployments: [gpt-a]}
  auto:
    rules:
      - {name: vision, when: {images: true}, alias: chat}
      - {name: tools, when: {tools: true}, alias: chat}
      - {name: premium, when: {metadata: {tier: premium}}, alias: chat}
      - {name: long, when: {min_input_tokens: 30000}, alias: long}
      - {name: hard, when: {min_complexity: 0.6}, alias: chat}
      - {name: easy, when: {max_complexity: 0.2, max_input_tokens: 500}, alias: cheap}
    default: backup
`

var routingEnv = env("OPENAI_API_KEY", "k0", "OPENAI_KEY_1", "k1", "OPENAI_KEY_2", "k2")

func TestRoutingExampleParses(t *testing.T) {
	cfg, err := config.Parse([]byte(routingExample), routingEnv)
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.Deployments["gpt-a"]
	if len(d.APIKeys) != 2 || *d.Weight != 3 || d.Priority != 1 || d.Limits.TPM != 200000 || d.Price.OutputPerMTok != 0.6 ||
		d.Timeouts.TTFT != 10*time.Second || d.Breaker.OpenFor != 30*time.Second {
		t.Errorf("deployment %+v", d.DeploymentRouting)
	}
	a := cfg.Aliases["chat"]
	if a.Strategy != "weighted" || a.Fallbacks["context_window"][0] != "long" || *a.Retry.MaxRetries != 2 ||
		a.Hedge.Percentile != 95 || !a.Continuation.Enabled || a.Timeouts.Idle != 10*time.Second {
		t.Errorf("alias %+v", a.AliasRouting)
	}
	if auto := cfg.Aliases["auto"]; len(auto.Rules) != 6 || auto.Default != "backup" || *auto.Rules[4].When.MinComplexity != 0.6 {
		t.Errorf("rules %+v", auto.AliasRouting)
	}
	if cfg.Providers["openai"].ConnectTimeout != 3*time.Second || cfg.Providers["sim"].Sim.Faults[0].Probability != 0.3 {
		t.Errorf("providers %+v", cfg.Providers)
	}
	if cfg.Routing.Reload.IntervalOrDefault() != 2*time.Second || !cfg.Routing.Reload.WatchEnabled() {
		t.Errorf("reload %+v", cfg.Routing.Reload)
	}
}

// Each invalid setting fails naming its field.
func TestInvalidRoutingNamesTheField(t *testing.T) {
	cases := []struct {
		edit  func(string) string
		field string
	}{
		{replace("strategy: weighted", "strategy: fastest"), "aliases.chat.strategy"},
		{replace("rate_limited: [backup]", "rate_limit: [backup]"), "aliases.chat.fallbacks.rate_limit"},
		{replace("timeout: [backup]", "timeout: [nope]"), "aliases.chat.fallbacks.timeout[0]"},
		{replace("content_filtered: [backup]", "content_filtered: [chat]"), "aliases.chat.fallbacks.content_filtered[0]"},
		{replace("content_filtered: [backup]", "content_filtered: [auto]"), "aliases.chat.fallbacks.content_filtered[0]"},
		{replace("weight: 3", "weight: 0"), "deployments.gpt-a.weight"},
		{replace("limits: {rpm: 500, tpm: 200000}", "limits: {rpm: -1}"), "deployments.gpt-a.limits"},
		{replace("api_keys: [env:OPENAI_KEY_1, env:OPENAI_KEY_2]", "api_keys: [sk-literal]"), "deployments.gpt-a.api_keys[0]"},
		{replace("api_keys: [env:OPENAI_KEY_1, env:OPENAI_KEY_2]", "api_keys: [env:OPENAI_KEY_1, env:MISSING]"), "deployments.gpt-a.api_keys[1]"},
		{replace("timeouts: {ttft: 10s}", "timeouts: {ttft: -1s}"), "deployments.gpt-a.timeouts.ttft"},
		{replace("breaker: {open_for: 30s}", "breaker: {failure_rate: 2}"), "deployments.gpt-a.breaker.failure_rate"},
		{replace("max_retries: 1", "max_retries: -1"), "routing.retry.max_retries"},
		{replace("budget: {ratio: 0.2", "budget: {ratio: -0.2"), "routing.retry.budget.ratio"},
		{replace("backoff: 100ms\n    max_backoff: 5s", "backoff: 10s\n    max_backoff: 5s"), "routing.retry.max_backoff"},
		{replace("half_open_probes: 1}", "half_open_probes: 0}"), "routing.breaker.half_open_probes"},
		{replace("hedge: {delay: 2s, percentile: 95, max: 1}", "hedge: {percentile: 100}"), "aliases.chat.hedge.percentile"},
		{replace("hedge: {delay: 2s, percentile: 95, max: 1}", "hedge: {max: 1}"), "aliases.chat.hedge"},
		{replace("exploration: 0.1", "exploration: 1.5"), "aliases.fastest.exploration"},
		{replace("price: {input_per_mtok: 0, output_per_mtok: 0}", "price: null"), "aliases.cheap.deployments[1]"},
		{replace("limits: {rpm: 100}", "limits: {}"), "aliases.headroom.deployments[1]"},
		{replace("default: backup", "default: nope"), "aliases.auto.default"},
		{replace("default: backup", "default: auto"), "aliases.auto.default"},
		{replace("{name: tools, when: {tools: true}, alias: chat}", "{name: vision, when: {tools: true}, alias: chat}"), "aliases.auto.rules[1].name"},
		{replace("{min_complexity: 0.6}", "{min_complexity: 1.6}"), "aliases.auto.rules[4].when.min_complexity"},
		{replace("alias: long}", "alias: nope}"), "aliases.auto.rules[3].alias"},
		{replace("fault: \"status=500\"", "fault: \"status=abc\""), "providers.sim.sim.faults[0].fault"},
		{replace("probability: 0.3", "probability: 3"), "providers.sim.sim.faults[0].probability"},
		{replace("connect_timeout: 3s", "connect_timeout: -3s"), "providers.openai.connect_timeout"},
		{replace("interval: 2s", "interval: -2s"), "routing.reload.interval"},
		{replace("strategy: usage_based}", "strategy: usage_based, rules: [{name: x, alias: chat}], default: chat}"), "aliases.headroom.rules"},
		{replace("default: backup", "default: backup\n    strategy: weighted"), "aliases.auto.rules"},
		{replace("  sim-a:\n    provider: sim", "  \"bad,name\": {provider: sim, model: m}\n  sim-a:\n    provider: sim"), "deployments.bad,name"},
	}
	for _, tc := range cases {
		_, err := config.Parse([]byte(tc.edit(routingExample)), routingEnv)
		var fe *config.FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field {
			t.Errorf("want an error naming %s, got %v", tc.field, err)
		}
	}
}

func replace(old, new string) func(string) string {
	return func(s string) string {
		if !strings.Contains(s, old) {
			panic("example does not contain " + old)
		}
		return strings.Replace(s, old, new, 1)
	}
}

func TestDemoAliasesDoNotRetryOrBreak(t *testing.T) {
	cfg, err := config.Load("", env())
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.Deployments["demo"]
	a := cfg.Aliases["demo"]
	if d.Breaker == nil || *d.Breaker.Enabled || a.Retry == nil || *a.Retry.MaxRetries != 0 {
		t.Errorf("demo routing: %+v %+v", d.DeploymentRouting, a.AliasRouting)
	}
}
