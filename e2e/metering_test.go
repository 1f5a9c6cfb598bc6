package e2e_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/switchboard-gw/switchboard/billing/pricing"
	"github.com/switchboard-gw/switchboard/billing/tokens"
	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/sim"
)

// meteredDialect is one provider dialect under metering: the alias that
// reaches it, the vendor whose prices and tokenizer apply, the model, and
// the simulator directives that make it report what its provider bills
// for (cache reads and writes, reasoning).
type meteredDialect struct {
	alias, vendor, model string
	// priceVendor is the list the price comes from ("" looks the model up
	// on every list, as for a simulator or Bedrock).
	priceVendor string
	directives  string
	// tokenVendor is the vendor whose tokenizer counts a cut-off stream
	// ("sim" for the simulator's own providers).
	tokenVendor string
}

var meteredDialects = []meteredDialect{
	{alias: "openai", model: "gpt-4o-mini", priceVendor: "openai", tokenVendor: "sim", directives: "[[sim cached=12 reasoning=30]]"},
	{alias: "anthropic", model: "claude-haiku-4-5", priceVendor: "anthropic", tokenVendor: "sim", directives: "[[sim cached=10 cache_write=8]]"},
	{alias: "gemini", model: "gemini-2.5-flash", priceVendor: "gemini", tokenVendor: "sim", directives: "[[sim cached=12 reasoning=25]]"},
	{alias: "bedrock", model: "anthropic.claude-haiku-4-5-20251001-v1:0", priceVendor: "", tokenVendor: "sim", directives: "[[sim cached=10 cache_write=8]]"},
	{alias: "azure", model: "gpt-4o-mini", priceVendor: "openai", tokenVendor: "openai", directives: "[[sim cached=12]]"},
	{alias: "vertex", model: "gemini-2.5-flash", priceVendor: "gemini", tokenVendor: "gemini", directives: "[[sim cached=12 reasoning=25]]"},
}

const meterAzureKey = "azure-metering-key-0123456789"

// cloudSimulator is a simulator on a loopback port that Azure OpenAI and
// Vertex AI providers can reach (the in-process simulator has no dialect
// of theirs), with a service-account key file for Vertex.
func cloudSimulator(t *testing.T) (url, keyFile string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.New(sim.Options{APIKey: meterAzureKey,
		GoogleServiceAccounts: map[string]*rsa.PublicKey{cloudAccount: &key.PublicKey}}))
	t.Cleanup(srv.Close)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]string{"type": "service_account", "project_id": "proj", "private_key_id": "e2e",
		"private_key": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), "client_email": cloudAccount,
		"token_uri": srv.URL + "/token"})
	keyFile = filepath.Join(t.TempDir(), "service-account.json")
	if err := os.WriteFile(keyFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return srv.URL, keyFile
}

func dialectsConfig(cloudURL, keyFile string) string {
	return `
defaults: {demo: false, env_providers: false}
ledger: {flush_interval: 20ms}
providers:
  sim-openai: {kind: sim}
  sim-anthropic: {kind: sim, dialect: anthropic}
  sim-gemini: {kind: sim, dialect: gemini}
  sim-bedrock: {kind: sim, dialect: bedrock}
  azure:
    kind: azure
    api_key: env:METER_AZURE_KEY
    azure: {endpoint: ` + cloudURL + `}
  vertex:
    kind: vertex
    vertex: {location: us-central1, service_account_file: ` + keyFile + `, endpoint: ` + cloudURL + `}
deployments:
  openai: {provider: sim-openai, model: gpt-4o-mini}
  anthropic: {provider: sim-anthropic, model: claude-haiku-4-5}
  gemini: {provider: sim-gemini, model: gemini-2.5-flash}
  bedrock: {provider: sim-bedrock, model: "anthropic.claude-haiku-4-5-20251001-v1:0"}
  azure: {provider: azure, model: gpt-4o-mini}
  vertex: {provider: vertex, model: gemini-2.5-flash}
routing:
  retry: {max_retries: 0}
aliases:
  openai: {deployments: [openai]}
  anthropic: {deployments: [anthropic]}
  gemini: {deployments: [gemini]}
  bedrock: {deployments: [bedrock]}
  azure: {deployments: [azure]}
  vertex: {deployments: [vertex]}
`
}

func (d meteredDialect) price(t *testing.T) pricing.Price {
	t.Helper()
	p, ok := pricing.Embedded().Lookup(d.priceVendor, d.model, time.Now())
	if !ok {
		t.Fatalf("%s: the pricing table has no price for %s", d.alias, d.model)
	}
	return p
}

func usageOf(u *switchboardv1.Usage) llm.Usage {
	return llm.Usage{InputTokens: u.GetInputTokens(), CachedInputTokens: u.GetCachedInputTokens(), CacheWriteTokens: u.GetCacheWriteTokens(),
		OutputTokens: u.GetOutputTokens(), ReasoningTokens: u.GetReasoningTokens()}
}

func (u *meterUsage) canonical() llm.Usage {
	return llm.Usage{InputTokens: u.PromptTokens, CachedInputTokens: u.PromptTokensDetails.CachedTokens,
		CacheWriteTokens: u.PromptTokensDetails.CacheWriteTokens, OutputTokens: u.CompletionTokens,
		ReasoningTokens: u.CompletionTokensDetails.ReasoningTokens}
}

// Streams on every provider dialect, completed and cut off by the client:
// each is recorded with the tokens its provider reported (or, cut off,
// those produced, flagged estimated) and priced by the provider's rules
// for cached input, cache writes and reasoning; the client is told the
// same cost the ledger holds.
func TestStreamsOnEveryDialectAreMetered(t *testing.T) {
	cloudURL, keyFile := cloudSimulator(t)
	g := serveInProcess(t, dialectsConfig(cloudURL, keyFile), t.TempDir(), map[string]string{"METER_AZURE_KEY": meterAzureKey})
	counter := tokens.New(tokens.WithTokenizer("sim", sim.CountTokens))
	ctx := context.Background()
	for _, d := range meteredDialects {
		t.Run(d.alias, func(t *testing.T) {
			price := d.price(t)

			// Completed, with the usage chunk.
			keyID, secret := g.newKey(t, d.alias+"-completed")
			resp, err := g.shimRequest(ctx, secret, chatRequest(d.alias, "Tell me about invoices. "+d.directives, true))
			if err != nil {
				t.Fatal(err)
			}
			got := readShimStream(t, resp, 0)
			if !got.done || got.usage == nil {
				t.Fatalf("stream: done %v, usage %v", got.done, got.usage)
			}
			usage := got.usage.canonical()
			want := pricing.Cost(price, usage).TotalNano
			if usage.CachedInputTokens == 0 || (usage.ReasoningTokens == 0 && usage.CacheWriteTokens == 0 && d.alias != "azure") {
				t.Errorf("the provider's cache and reasoning counts did not come through: %+v", usage)
			}
			if got.extCost != llm.FormatUSD(want) || got.trailer != got.extCost || want == 0 {
				t.Errorf("client was told %q (usage chunk) and %q (trailer), want %s", got.extCost, got.trailer, llm.FormatUSD(want))
			}
			row := g.keySpend(t, keyID, 1)
			if row.GetAttempts() != 1 || row.GetRequests() != 1 || usageOf(row.GetUsage()) != usage ||
				row.GetCost().GetNanoUsd() != want || row.GetEstimatedAttempts() != 0 || row.GetUnpricedAttempts() != 0 {
				t.Errorf("ledger %v, want usage %+v cost %d", row, usage, want)
			}

			// Cut off by the client after three chunks of text.
			keyID, secret = g.newKey(t, d.alias+"-cut")
			resp, err = g.shimRequest(ctx, secret, chatRequest(d.alias, "Tell me a long story about ledgers and invoices and money. [[sim chunk_delay=150ms]]", true))
			if err != nil {
				t.Fatal(err)
			}
			cut := readShimStream(t, resp, 3)
			row = g.keySpend(t, keyID, 1)
			recorded := usageOf(row.GetUsage())
			produced, _ := counter.CountText(d.tokenVendor, d.model, cut.text)
			if row.GetEstimatedAttempts() != 1 || recorded.OutputTokens != produced || recorded.InputTokens == 0 {
				t.Errorf("cut-off stream recorded %v; the client received %q (%d tokens)", row, cut.text, produced)
			}
			t.Logf("completed: usage %+v cost %s; cut off: %d output tokens produced, recorded %+v", usage, got.extCost, produced, recorded)
			if c := row.GetCost().GetNanoUsd(); c != pricing.Cost(price, recorded).TotalNano || c == 0 {
				t.Errorf("cut-off stream charged %d, want %d", c, pricing.Cost(price, recorded).TotalNano)
			}
		})
	}

	// Over Connect the cost is on the stream's last message and on unary
	// answers.
	keyID, secret := g.newKey(t, "connect")
	client := switchboardv1connect.NewCompletionServiceClient(g.http, g.url)
	req := connect.NewRequest(&switchboardv1.StreamCompleteRequest{Model: "anthropic", Messages: userMessage("Hello [[sim cached=5 cache_write=5]]")})
	req.Header().Set("Authorization", "Bearer "+secret)
	stream, err := client.StreamComplete(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	var last *switchboardv1.StreamCompleteResponse
	for stream.Receive() {
		last = stream.Msg()
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	unary := connect.NewRequest(&switchboardv1.CompleteRequest{Model: "gemini", Messages: userMessage("Hello [[sim reasoning=9]]")})
	unary.Header().Set("Authorization", "Bearer "+secret)
	answer, err := client.Complete(ctx, unary)
	if err != nil {
		t.Fatal(err)
	}
	row := g.keySpend(t, keyID, 2)
	total := last.GetCost().GetNanoUsd() + answer.Msg.GetCost().GetNanoUsd()
	if last.GetCost() == nil || answer.Msg.GetCost().GetUsd() != answer.Header().Get("X-Switchboard-Cost-Usd") || row.GetCost().GetNanoUsd() != total {
		t.Errorf("Connect costs: stream %v, unary %v (header %q); ledger %v", last.GetCost(), answer.Msg.GetCost(),
			answer.Header().Get("X-Switchboard-Cost-Usd"), row)
	}
}
