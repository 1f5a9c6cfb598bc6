package meter_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/ledger"
	"github.com/switchboard-gw/switchboard/billing/pricing"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/openai"
	"github.com/switchboard-gw/switchboard/providers/sim"
	"github.com/switchboard-gw/switchboard/router"
)

// fakeWriter collects what it is given, and refuses everything while
// failing is set.
type fakeWriter struct {
	mu      sync.Mutex
	records []ledger.Record
	failing error
}

func (w *fakeWriter) Enqueue(r ledger.Record) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.failing != nil {
		return w.failing
	}
	w.records = append(w.records, r)
	return nil
}

func (w *fakeWriter) all() []ledger.Record {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]ledger.Record(nil), w.records...)
}

// tablePricer prices every attempt by its model on the embedded table,
// across vendors.
type tablePricer struct{ table *pricing.Table }

func (p tablePricer) PriceOf(a *llm.Attempt) (pricing.Price, bool) {
	return p.table.Lookup("", a.Model, a.Start)
}

func (p tablePricer) Version() string { return p.table.Version() }

func embedded() tablePricer { return tablePricer{pricing.Embedded()} }

// priceOf is the embedded table's price of model, failing the test when
// there is none.
func priceOf(t *testing.T, model string) pricing.Price {
	t.Helper()
	p, ok := pricing.Embedded().Lookup("", model, time.Now())
	if !ok {
		t.Fatalf("the embedded table has no price for %s", model)
	}
	return p
}

// simRouter is a real router over the simulator, reached through the
// real OpenAI translator, serving alias "chat" with model as the upstream
// model; obs observes its attempts.
func simRouter(t *testing.T, model string, obs router.Observer) *router.Router {
	t.Helper()
	s := sim.New(sim.Options{})
	oc, _ := openai.Preset("openai")
	oc.Name, oc.BaseURL, oc.AuthStyle = "sim", "http://sim.test/v1", openai.AuthNone
	oc.HTTPClient = &http.Client{Transport: s.Transport()}
	p, err := openai.New(oc)
	if err != nil {
		t.Fatal(err)
	}
	d := &router.Deployment{Name: "sim-" + model, ProviderName: "sim", Model: model, Provider: p}
	r, err := router.Build(router.Config{Aliases: []*router.Alias{{Name: "chat", Deployments: []*router.Deployment{d}, Retry: router.DefaultRetryPolicy()}}},
		router.Options{Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func chat(text string) *llm.Request {
	return &llm.Request{Model: "chat", Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart(text)}}}}
}

func background() context.Context { return llm.WithRequestID(context.Background(), "req_test") }
