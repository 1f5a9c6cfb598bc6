package e2e_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/pricing"
	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/sim"
)

// simulatedVendor is one simulator standing in for a provider, serving one
// model, so that its own record of tokens served is that model's.
type simulatedVendor struct {
	alias, kind, model, priceVendor string
	directives                      []string
	sim                             *sim.Server
	url                             string
}

// The ledger's total for a scripted workload equals the total computed
// independently from the simulators' own records of the tokens they served
// and the pricing table. A model without a price is served, recorded with
// its tokens and flagged, and changes nothing for the others; requests the
// provider refused cost nothing.
func TestLedgerTotalEqualsTheSimulatorsRecord(t *testing.T) {
	vendors := []*simulatedVendor{
		{alias: "gpt", kind: "openai", model: "gpt-4o-mini", priceVendor: "openai",
			directives: []string{"", "[[sim cached=16]]", "[[sim reasoning=40]]", "[[sim cached=8 reasoning=12]]"}},
		{alias: "claude", kind: "anthropic", model: "claude-haiku-4-5", priceVendor: "anthropic",
			directives: []string{"", "[[sim cached=14]]", "[[sim cache_write=12]]", "[[sim cached=6 cache_write=6]]"}},
		{alias: "gemini", kind: "gemini", model: "gemini-2.5-flash", priceVendor: "gemini",
			directives: []string{"", "[[sim cached=10]]", "[[sim reasoning=33]]"}},
		{alias: "private", kind: "openai", model: "acme-private-13b", priceVendor: "vllm", directives: []string{""}},
	}
	yml := "defaults: {demo: false, env_providers: false}\nledger: {flush_interval: 20ms}\nrouting: {retry: {max_retries: 0}}\nproviders:\n"
	for _, v := range vendors {
		v.sim = sim.New(sim.Options{})
		srv := httptest.NewServer(v.sim)
		t.Cleanup(srv.Close)
		v.url = srv.URL
		switch v.alias {
		case "gpt":
			yml += fmt.Sprintf("  gpt: {kind: openai, vendor: openai, base_url: %s/v1, api_key: env:METER_UPSTREAM_KEY}\n", v.url)
		case "claude":
			yml += fmt.Sprintf("  claude: {kind: anthropic, base_url: %s, api_key: env:METER_UPSTREAM_KEY}\n", v.url)
		case "gemini":
			yml += fmt.Sprintf("  gemini: {kind: gemini, base_url: %s/v1beta, api_key: env:METER_UPSTREAM_KEY}\n", v.url)
		case "private":
			yml += fmt.Sprintf("  private: {kind: openai, vendor: vllm, base_url: %s/v1, api_key: env:METER_UPSTREAM_KEY}\n", v.url)
		}
	}
	yml += "deployments:\n"
	for _, v := range vendors {
		yml += fmt.Sprintf("  %s: {provider: %s, model: %s}\n", v.alias, v.alias, v.model)
	}
	yml += "aliases:\n"
	for _, v := range vendors {
		yml += fmt.Sprintf("  %s: {deployments: [%s]}\n", v.alias, v.alias)
	}
	g := serveInProcess(t, yml, t.TempDir(), map[string]string{"METER_UPSTREAM_KEY": "upstream-key"})
	_, secretA := g.newKey(t, "workload-a")
	_, secretB := g.newKey(t, "workload-b")

	// The script: every vendor, unary and streamed, each directive, two
	// callers; one request in seven refused by the provider.
	type job struct {
		v      *simulatedVendor
		text   string
		stream bool
		key    string
		refuse bool
	}
	var jobs []job
	for i := range 84 {
		v := vendors[i%len(vendors)]
		j := job{v: v, stream: i%3 != 0, key: secretA, text: fmt.Sprintf("Request %d of the script: summarize the ledger. %s", i, v.directives[i%len(v.directives)])}
		if i%2 == 1 {
			j.key = secretB
		}
		if i%7 == 3 {
			j.refuse, j.text = true, j.text+" [[sim status=429]]"
		}
		jobs = append(jobs, j)
	}
	work := make(chan job)
	var wg sync.WaitGroup
	var mu sync.Mutex
	served := map[string]int64{} // requests answered per alias
	var toldNano int64           // the sum of what clients were told
	for range 4 {
		wg.Go(func() {
			for j := range work {
				resp, err := g.shimRequest(context.Background(), j.key, chatRequest(j.v.alias, j.text, j.stream))
				if err != nil {
					t.Error(err)
					continue
				}
				if j.refuse {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusTooManyRequests {
						t.Errorf("refused request: status %d", resp.StatusCode)
					}
					continue
				}
				var told string
				if j.stream {
					told = readShimStream(t, resp, 0).trailer
				} else {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					told = resp.Header.Get("X-Switchboard-Cost-Usd")
					if resp.StatusCode != http.StatusOK {
						t.Errorf("%s: status %d", j.v.alias, resp.StatusCode)
					}
				}
				nano, err := parseUSD(told)
				if err != nil {
					t.Errorf("%s: cost %q: %v", j.v.alias, told, err)
				}
				mu.Lock()
				served[j.v.alias]++
				toldNano += nano
				mu.Unlock()
			}
		})
	}
	for _, j := range jobs {
		work <- j
	}
	close(work)
	wg.Wait()

	// What the simulators served, priced independently.
	var answered, wantNano int64
	want := map[string]struct {
		usage llm.Usage
		nano  int64
	}{}
	for _, v := range vendors {
		s := v.sim.Served()
		u := llm.Usage{InputTokens: s.PromptTokens, CachedInputTokens: s.CachedTokens, CacheWriteTokens: s.CacheWriteTokens,
			OutputTokens: s.CompletionTokens, ReasoningTokens: s.ReasoningTokens}
		var nano int64
		if p, ok := pricing.Embedded().Lookup(v.priceVendor, v.model, time.Now()); ok {
			// Every rate used is a whole number of nano-USD a token, so the
			// cost of the sum of the requests' tokens is the sum of their
			// costs, with no rounding in between.
			for _, r := range []pricing.Rate{p.Input, p.CachedInput, p.CacheWrite, p.Output, p.Reasoning} {
				if r%1000 != 0 {
					t.Fatalf("%s: rate %v is not a whole number of nano-USD a token", v.model, r)
				}
			}
			nano = pricing.Cost(p, u).TotalNano
		} else if v.alias != "private" {
			t.Fatalf("no price for %s", v.model)
		}
		want[v.model] = struct {
			usage llm.Usage
			nano  int64
		}{u, nano}
		answered += served[v.alias]
		wantNano += nano
		if s.Requests-s.Errors != served[v.alias] {
			t.Errorf("%s: the simulator answered %d requests, the clients got %d", v.alias, s.Requests-s.Errors, served[v.alias])
		}
	}

	// The ledger, by model and in total.
	var rows []*switchboardv1.SpendRow
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		rows = g.spend(t, &switchboardv1.QuerySpendRequest{GroupBy: []switchboardv1.SpendDimension{switchboardv1.SpendDimension_SPEND_DIMENSION_MODEL}})
		var n int64
		for _, r := range rows {
			n += r.GetAttempts()
		}
		if n >= answered {
			break
		}
	}
	var ledgerNano int64
	for _, r := range rows {
		w, ok := want[r.GetModel()]
		if !ok {
			t.Errorf("unexpected ledger row %v", r)
			continue
		}
		ledgerNano += r.GetCost().GetNanoUsd()
		if usageOf(r.GetUsage()) != w.usage || r.GetCost().GetNanoUsd() != w.nano {
			t.Errorf("%s: ledger %+v costing %d, the simulator served %+v costing %d", r.GetModel(), usageOf(r.GetUsage()),
				r.GetCost().GetNanoUsd(), w.usage, w.nano)
		}
		if r.GetAttempts() != r.GetRequests() || r.GetEstimatedAttempts() != 0 {
			t.Errorf("%s: %v", r.GetModel(), r)
		}
		if unpriced := r.GetModel() == "acme-private-13b"; unpriced != (r.GetUnpricedAttempts() == r.GetAttempts()) || (unpriced && r.GetCost().GetNanoUsd() != 0) {
			t.Errorf("%s: unpriced flags %v", r.GetModel(), r)
		}
	}
	if ledgerNano != wantNano || toldNano != wantNano || wantNano == 0 || len(rows) != len(vendors) {
		t.Errorf("ledger total %d nano-USD, clients told %d, simulators' record priced %d (%d rows)", ledgerNano, toldNano, wantNano, len(rows))
	}
	t.Logf("%d requests answered, %s USD", answered, llm.FormatUSD(wantNano))
}

// parseUSD reads a nine-decimal dollar amount into nano-USD.
func parseUSD(s string) (int64, error) {
	var whole, frac int64
	if _, err := fmt.Sscanf(s, "%d.%09d", &whole, &frac); err != nil {
		return 0, err
	}
	return whole*1_000_000_000 + frac, nil
}
