package redisadmit_test

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/switchboard-gw/switchboard/billing/admit"
	"github.com/switchboard-gw/switchboard/billing/budget"
	"github.com/switchboard-gw/switchboard/billing/limits"
	"github.com/switchboard-gw/switchboard/billing/pricing"
	"github.com/switchboard-gw/switchboard/billing/ratelimit"
	"github.com/switchboard-gw/switchboard/billing/redisadmit"
	"github.com/switchboard-gw/switchboard/llm"
)

// gateway is one gateway instance's admission over Redis: the two engines
// and the controller, with the engines' calls pipelined (Combined) or
// made one by one.
type gateway struct {
	c        *admit.Controller
	limiter  *ratelimit.Redis
	budgets  *budget.Redis
	settings *memSettings
}

// setup tunes a gateway before its controller is built.
type setup struct {
	limiter  ratelimit.RedisOptions
	budgets  budget.Options
	admit    func(*admit.Options)
	separate bool // no Combined: the calls one by one
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func newGateway(t testing.TB, client redis.UniversalClient, prefix string, s setup) *gateway {
	t.Helper()
	s.limiter.KeyPrefix, s.limiter.Logger = prefix, quiet
	g := &gateway{
		limiter:  ratelimit.NewRedis(client, s.limiter),
		budgets:  budget.NewRedis(client, prefix, s.budgets),
		settings: &memSettings{},
	}
	o := admit.Options{
		Limiter:  g.limiter,
		Budgets:  g.budgets,
		Settings: g.settings,
		Pricer:   prices,
		Logger:   quiet,
	}
	if !s.separate {
		o.Combined = redisadmit.New(client, g.limiter, g.budgets)
	}
	if s.admit != nil {
		s.admit(&o)
	}
	g.c = admit.New(o)
	return g
}

// bothWays runs test over a gateway whose calls are pipelined and over one
// whose calls are not: the same assertions hold for both.
func bothWays(t *testing.T, test func(t *testing.T, separate bool)) {
	t.Run("pipelined", func(t *testing.T) { test(t, false) })
	t.Run("separate", func(t *testing.T) { test(t, true) })
}

// serve plays the router and metering for an admitted request: one
// attempt costing cost with usage, then Finish.
func (g *gateway) serve(ctx context.Context, tk *admit.Ticket, cost int64, usage llm.Usage) {
	ctx = tk.Context(ctx)
	g.c.ObserveCost(ctx, &llm.Attempt{Number: 1, Deployment: "d", Usage: usage}, cost)
	tk.Finish(ctx, &llm.Response{Model: tk.Model(), Usage: usage}, nil)
}

// usage is where the key's budget and rate limits stand.
func (g *gateway) usage(t testing.TB, k admit.Caller) admit.Usage {
	t.Helper()
	u, err := g.c.Usage(context.Background(), limits.KeyScope(k.KeyID), &k.Key)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// tokensLeft is what the key's TPM limit has left.
func (g *gateway) tokensLeft(t testing.TB, k admit.Caller) int64 {
	t.Helper()
	for _, s := range g.usage(t, k).Rates {
		if s.Kind == ratelimit.TPM {
			return s.Remaining
		}
	}
	t.Fatal("the key has no TPM limit")
	return 0
}

// held is what the key's budget has spent and holds.
func (g *gateway) held(t testing.TB, k admit.Caller) (spent, reserved int64) {
	t.Helper()
	u := g.usage(t, k)
	if len(u.Budgets) != 1 {
		t.Fatalf("budgets %+v; want the key's one", u.Budgets)
	}
	return u.Budgets[0].SpentNano, u.Budgets[0].ReservedNano
}

// The models: "big" is dear, "small" cheap.
var prices = fixedPrices{"big": {price("10", "30")}, "small": {price("0.1", "0.2")}}

type fixedPrices map[string][]pricing.Price

func (f fixedPrices) Prices(model string) ([]pricing.Price, bool) {
	p, ok := f[model]
	return p, ok
}

func price(input, output string) pricing.Price {
	p, err := pricing.Override{Input: pricing.Decimal(input), Output: pricing.Decimal(output)}.Apply(pricing.Price{Model: "m"}, false)
	if err != nil {
		panic(err)
	}
	return p
}

func chat(model string, maxTokens int64) *llm.Request {
	return &llm.Request{Model: model, MaxTokens: &maxTokens,
		Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart("Summarize this in one sentence.")}}}}
}

// worstOf is what admission reserves for req on model.
func worstOf(req *llm.Request) int64 {
	return pricing.WorstCaseCost(prices[req.Model][0], admit.InputTokenBound(req, admit.DefaultImageTokens), *req.MaxTokens)
}

var caller = admit.Caller{KeyID: "key_a", TeamID: "team_a"}

// memSettings is a limits.Store in memory.
type memSettings struct {
	mu   sync.Mutex
	sets map[limits.Scope]limits.Settings
}

func (m *memSettings) LimitSettings(_ context.Context, scopes []limits.Scope) ([]limits.Settings, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
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
	m.sets[s.Scope] = s
	return nil
}

// roundTrips counts a client's trips to Redis: one per command sent alone,
// one per pipeline; but INFO, which the tests send, and a new connection's
// handshake.
type roundTrips struct{ n atomic.Int64 }

func countRoundTrips(client *redis.Client) *roundTrips {
	rt := &roundTrips{}
	client.AddHook(rt)
	return rt
}

func (*roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (rt *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if !uncounted(cmd) {
			rt.n.Add(1)
		}
		return next(ctx, cmd)
	}
}

func (rt *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, cmd := range cmds {
			if !uncounted(cmd) {
				rt.n.Add(1)
				break
			}
		}
		return next(ctx, cmds)
	}
}

func uncounted(cmd redis.Cmder) bool {
	switch cmd.Name() {
	case "info", "hello", "client", "auth", "select", "ping":
		return true
	}
	return false
}

// scriptCalls is the number of EVAL and EVALSHA calls the server has run.
func scriptCalls(t testing.TB, client *redis.Client) int64 {
	t.Helper()
	info, err := client.Info(context.Background(), "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for line := range strings.Lines(info) {
		name, stats, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || !strings.HasPrefix(name, "cmdstat_eval") {
			continue
		}
		calls, _, _ := strings.Cut(strings.TrimPrefix(stats, "calls="), ",")
		c, err := strconv.ParseInt(calls, 10, 64)
		if err != nil {
			t.Fatalf("commandstats line %q", line)
		}
		n += c
	}
	return n
}

// settledScriptCalls is scriptCalls once work done off the request path
// has landed: when the count stops changing.
func settledScriptCalls(t testing.TB, client *redis.Client) int64 {
	t.Helper()
	n := scriptCalls(t, client)
	for range 200 {
		time.Sleep(50 * time.Millisecond)
		m := scriptCalls(t, client)
		if m == n {
			break
		}
		n = m
	}
	return n
}

// eventually waits (10 s at most) for cond: for work done off the request
// path.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
