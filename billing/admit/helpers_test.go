package admit_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/admit"
	"github.com/switchboard-gw/switchboard/billing/budget"
	"github.com/switchboard-gw/switchboard/billing/idempotency"
	"github.com/switchboard-gw/switchboard/billing/limits"
	"github.com/switchboard-gw/switchboard/billing/pricing"
	"github.com/switchboard-gw/switchboard/billing/ratelimit"
	"github.com/switchboard-gw/switchboard/llm"
)

// price is a model's price from its override ("$1 per million input
// tokens" is "1"), as configuration gives one.
func price(t testing.TB, input, output string) pricing.Price {
	t.Helper()
	p, err := pricing.Override{Input: pricing.Decimal(input), Output: pricing.Decimal(output)}.Apply(pricing.Price{Model: "m"}, false)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// fixedPrices prices models from a map; a model not in it is unpriced.
type fixedPrices map[string][]pricing.Price

func (f fixedPrices) Prices(model string) ([]pricing.Price, bool) {
	p, ok := f[model]
	return p, ok
}

// memSettings is a limits.Store in memory.
type memSettings struct {
	mu   sync.Mutex
	sets map[limits.Scope]limits.Settings
	err  error
}

func (m *memSettings) LimitSettings(_ context.Context, scopes []limits.Scope) ([]limits.Settings, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return nil, m.err
	}
	var out []limits.Settings
	for _, s := range scopes {
		if set, ok := m.sets[s]; ok {
			out = append(out, set)
		}
	}
	return out, nil
}

func (m *memSettings) PutLimitSettings(_ context.Context, s limits.Settings) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sets == nil {
		m.sets = map[limits.Scope]limits.Settings{}
	}
	if s.IsZero() {
		delete(m.sets, s.Scope)
	} else {
		m.sets[s.Scope] = s
	}
	return nil
}

// rig is a controller over the in-memory engines.
type rig struct {
	c        *admit.Controller
	budgets  *budget.Memory
	limiter  *ratelimit.Memory
	settings *memSettings
}

func newRig(t testing.TB, prices fixedPrices, mod func(*admit.Options)) *rig {
	t.Helper()
	r := &rig{budgets: budget.NewMemory(budget.Options{}), limiter: ratelimit.NewMemory(ratelimit.MemoryOptions{}), settings: &memSettings{}}
	o := admit.Options{
		Limiter:     r.limiter,
		Budgets:     r.budgets,
		Idempotency: idempotency.NewMemory(idempotency.Options{MaxWait: 10 * time.Second}),
		Settings:    r.settings,
		Pricer:      prices,
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if mod != nil {
		mod(&o)
	}
	r.c = admit.New(o)
	return r
}

func chat(model, text string, maxTokens int64) *llm.Request {
	req := &llm.Request{Model: model, Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart(text)}}}}
	if maxTokens > 0 {
		req.MaxTokens = &maxTokens
	}
	return req
}

var caller = admit.Caller{KeyID: "key_a", TeamID: "team_a", UserID: "user_a"}

// serve plays the router and metering for an admitted request: one attempt
// costing cost, then Finish.
func (r *rig) serve(ctx context.Context, t *admit.Ticket, cost int64, usage llm.Usage) *llm.Response {
	ctx = t.Context(ctx)
	r.c.ObserveCost(ctx, &llm.Attempt{Number: 1, Deployment: "d", Usage: usage}, cost)
	resp := &llm.Response{ID: "resp-1", Model: t.Model(), Usage: usage,
		Choices: []llm.Choice{{Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{llm.TextPart("hello")}}, FinishReason: llm.FinishStop}}}
	t.Finish(ctx, resp, nil)
	return resp
}

// spent is what a budget has spent and holds.
func (r *rig) spent(t testing.TB, b budget.Budget) (spent, reserved int64) {
	t.Helper()
	us, err := r.budgets.Status(context.Background(), []budget.Budget{b})
	if err != nil {
		t.Fatal(err)
	}
	return us[0].SpentNano, us[0].ReservedNano
}

func codeOf(err error) string {
	if e := llm.AsError(err); e != nil {
		return e.Code
	}
	return ""
}
