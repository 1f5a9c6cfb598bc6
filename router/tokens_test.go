package router_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/router"
)

// fakeCounter counts 1000 tokens plus one per byte of text, and 5000 plus
// one per message for a prompt, so that its counts cannot be mistaken for
// the router's byte estimates; it records what it was asked.
type fakeCounter struct {
	mu       sync.Mutex
	texts    []string
	prompts  int
	provider string
	model    string
}

func (f *fakeCounter) CountText(provider, model, text string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.texts = append(f.texts, text)
	f.provider, f.model = provider, model
	return 1000 + int64(len(text))
}

func (f *fakeCounter) CountRequest(provider, model string, req *llm.Request) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.prompts++
	f.provider, f.model = provider, model
	return 5000 + int64(len(req.Messages))
}

func (f *fakeCounter) calls() (texts []string, prompts int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.texts...), f.prompts
}

func buildCounting(t *testing.T, cfg router.Config, tc router.TokenCounter) (*router.Router, *attemptLog) {
	t.Helper()
	log := &attemptLog{}
	opts := router.Options{Clock: newClock(), Observer: log.observe, Random: seqRandom(1)}
	if tc != nil {
		opts.Tokens = tc
	}
	r, err := router.Build(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r, log
}

// A stream cut by the upstream: the output received is counted with the
// counter, and the prompt too.
func TestTokenCounterCountsACutOffStream(t *testing.T) {
	a := &fake{name: "a", text: "one two three four", breakAfter: 3} // role, "one ", "two ", then a break
	tc := &fakeCounter{}
	r, log := buildCounting(t, streamAlias([]*router.Deployment{dep("a", a)}, nil), tc)
	s, err := r.Stream(context.Background(), chat("chat", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := drain(s); err == nil {
		t.Fatal("the break ended the stream cleanly")
	}
	at := log.all()
	if len(at) != 1 || at[0].Outcome != llm.OutcomeBroken || !at[0].UsageEstimated {
		t.Fatalf("attempts %+v", at)
	}
	if u := at[0].Usage; u.OutputTokens != 1000+int64(len("one two ")) || u.InputTokens != 5001 {
		t.Errorf("usage %+v", u)
	}
	texts, prompts := tc.calls()
	if len(texts) != 1 || texts[0] != "one two " || prompts != 1 || tc.provider != "p-a" || tc.model != "m-a" {
		t.Errorf("counter asked %q, %d prompts, for %s/%s", texts, prompts, tc.provider, tc.model)
	}
}

// A caller that goes away is charged for what the provider had sent.
func TestTokenCounterCountsAStreamTheCallerClosed(t *testing.T) {
	a := &fake{name: "a", text: "alpha beta gamma delta"}
	tc := &fakeCounter{}
	r, log := buildCounting(t, streamAlias([]*router.Deployment{dep("a", a)}, nil), tc)
	s, err := r.Stream(context.Background(), chat("chat", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 { // role, "alpha ", "beta "
		if _, err := s.Recv(); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	at := log.all()
	if len(at) != 1 || at[0].Outcome != llm.OutcomeCanceled || !at[0].UsageEstimated {
		t.Fatalf("attempts %+v", at)
	}
	if u := at[0].Usage; u.OutputTokens != 1000+int64(len("alpha beta ")) || u.InputTokens != 5001 {
		t.Errorf("usage %+v", u)
	}
}

// Tool-call names and argument deltas, reasoning and refusals are output
// too.
func TestTokenCounterCountsEveryKindOfOutput(t *testing.T) {
	p := scripted{chunks: []llm.Chunk{
		{Role: llm.RoleAssistant},
		{Reasoning: &llm.Reasoning{Text: "think "}},
		{Text: "say "},
		{ToolCalls: []llm.ToolCallDelta{{Index: 0, ID: "c1", Name: "lookup", ArgumentsDelta: `{"q":`}}},
		{ToolCalls: []llm.ToolCallDelta{{Index: 0, ArgumentsDelta: `"x"}`}}},
		{FinishReason: llm.FinishToolCalls}, // and no usage
	}}
	tc := &fakeCounter{}
	r, log := buildCounting(t, streamAlias([]*router.Deployment{dep("a", p)}, nil), tc)
	s, err := r.Stream(context.Background(), chat("chat", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := drain(s); err != nil {
		t.Fatal(err)
	}
	at := log.all()
	want := `think say lookup{"q":"x"}`
	if len(at) != 1 || at[0].Outcome != llm.OutcomeOK || !at[0].UsageEstimated || at[0].Usage.OutputTokens != 1000+int64(len(want)) {
		t.Fatalf("attempts %+v", at)
	}
	if texts, _ := tc.calls(); len(texts) != 1 || texts[0] != want {
		t.Errorf("counted %q", texts)
	}
}

// Requests whose provider reports usage never reach the tokenizer: the
// hot path does not tokenize.
func TestTokenCounterIsNotUsedWhenUsageIsReported(t *testing.T) {
	a := &fake{name: "a", text: "all good"}
	tc := &fakeCounter{}
	r, log := buildCounting(t, streamAlias([]*router.Deployment{dep("a", a)}, nil), tc)
	s, err := r.Stream(context.Background(), chat("chat", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := drain(s); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Complete(context.Background(), chat("chat", "hi")); err != nil {
		t.Fatal(err)
	}
	if texts, prompts := tc.calls(); len(texts) != 0 || prompts != 0 {
		t.Errorf("the counter was asked %q and %d prompts", texts, prompts)
	}
	for _, at := range log.all() {
		if at.UsageEstimated {
			t.Errorf("estimated %+v", at)
		}
	}
}

// An attempt the provider refused (a rate limit) consumed nothing: its
// prompt is not tokenized, and keeps the cheap estimate.
func TestTokenCounterSkipsRefusedAttempts(t *testing.T) {
	a := &fake{name: "a", fail: always(rateLimited(0))}
	b := &fake{name: "b"}
	tc := &fakeCounter{}
	r, log := buildCounting(t, streamAlias([]*router.Deployment{dep("a", a), dep("b", b)}, nil), tc)
	req := chat("chat", "hi there")
	if _, err := r.Complete(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	at := log.all()
	if len(at) != 2 || at[0].Outcome != llm.OutcomeFailed || at[0].Usage.InputTokens != router.EstimateInputTokens(req) {
		t.Fatalf("attempts %+v", at)
	}
	if _, prompts := tc.calls(); prompts != 0 {
		t.Errorf("%d prompts counted", prompts)
	}
}

// A prompt is counted once per request and model, however many attempts
// end without usage.
func TestTokenCounterCountsThePromptOnce(t *testing.T) {
	a := &fake{name: "a", hang: true}
	d := dep("a", a)
	d.Timeouts.Total = 5 * time.Millisecond
	retry := router.RetryPolicy{MaxRetries: 2, BudgetRatio: -1}
	d.Breaker = &router.BreakerPolicy{Disabled: true}
	tc := &fakeCounter{}
	cfg := router.Config{Aliases: []*router.Alias{{Name: "chat", Deployments: []*router.Deployment{d}, Retry: retry}}}
	r, log := buildCounting(t, cfg, tc)
	if _, err := r.Complete(context.Background(), chat("chat", "hi")); llm.KindOf(err) != llm.KindTimeout {
		t.Fatalf("err %v", err)
	}
	at := log.all()
	if len(at) != 3 {
		t.Fatalf("attempts %v", trail(at))
	}
	for _, x := range at {
		if x.ErrorKind != llm.KindTimeout || x.Usage.InputTokens != 5001 || !x.UsageEstimated {
			t.Errorf("attempt %+v", x)
		}
	}
	if _, prompts := tc.calls(); prompts != 1 {
		t.Errorf("%d prompts counted for one request", prompts)
	}
}

// The loser of a hedge race was running when it was abandoned: its
// provider may bill the prompt.
func TestTokenCounterCountsAnAbandonedHedge(t *testing.T) {
	a := &fake{name: "a", hang: true}
	b := &fake{name: "b"}
	tc := &fakeCounter{}
	r, log := buildCounting(t, hedged(a, b), tc)
	if _, err := r.Complete(context.Background(), chat("chat", "hi")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the abandoned attempt", func() bool { return len(log.all()) == 2 })
	for _, at := range log.all() {
		if at.Deployment == "a" && (at.Outcome != llm.OutcomeCanceled || at.Usage.InputTokens != 5001) {
			t.Errorf("loser %+v", at)
		}
	}
}

// Without a counter the byte estimates stay.
func TestWithoutTokenCounterTheEstimateStays(t *testing.T) {
	a := &fake{name: "a", text: "one two three four", breakAfter: 3}
	r, log := buildCounting(t, streamAlias([]*router.Deployment{dep("a", a)}, nil), nil)
	req := chat("chat", "hi")
	s, err := r.Stream(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	_, _, _ = drain(s)
	at := log.all()
	if len(at) != 1 || at[0].Usage.OutputTokens != router.EstimateOutputTokens("one two ") || at[0].Usage.InputTokens != router.EstimateInputTokens(req) {
		t.Fatalf("attempts %+v", at)
	}
}

// scripted is a provider whose stream sends fixed chunks.
type scripted struct{ chunks []llm.Chunk }

func (p scripted) Complete(context.Context, *llm.Request) (*llm.Response, error) {
	return nil, errOf(llm.KindInvalidRequest, "scripted")
}

func (p scripted) Stream(ctx context.Context, _ *llm.Request) (llm.Stream, error) {
	return &fakeStream{ctx: ctx, f: &fake{name: "scripted"}, chunks: p.chunks}, nil
}
