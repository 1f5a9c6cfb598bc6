package router_test

import (
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/router"
)

// fakeClock is a clock that moves only when told, or when the router
// sleeps (a backoff): Sleep advances it at once and records the wait.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newClock() *fakeClock { return &fakeClock{now: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return nil
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// fake is a provider whose behaviour per call is scripted. The router's
// logic is under test here; the real providers and the simulator have
// their own suites, and the e2e tests run the router over them.
type fake struct {
	name string
	// fail returns the error of call n (from 0), nil to answer.
	fail func(n int) error
	// breakAfter, when > 0, breaks streams with brokenErr after that many
	// chunks.
	breakAfter int
	brokenErr  error
	// hang makes streams (before their first chunk) and unary calls wait
	// until canceled.
	hang bool
	// text is the answer (default: the name).
	text string
	// truncate ends streams without a finish reason.
	truncate bool
	// latency is added to the clock per call.
	latency time.Duration
	clock   *fakeClock

	mu    sync.Mutex
	calls []*llm.Request
}

func (f *fake) record(req *llm.Request) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, req)
	return len(f.calls) - 1
}

func (f *fake) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func (f *fake) Call(i int) *llm.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[i]
}

func (f *fake) answer() string {
	if f.text != "" {
		return f.text
	}
	return f.name
}

func (f *fake) Complete(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	n := f.record(req)
	if f.clock != nil && f.latency > 0 {
		f.clock.Advance(f.latency)
	}
	if f.fail != nil {
		if err := f.fail(n); err != nil {
			return nil, err
		}
	}
	if f.hang {
		<-ctx.Done()
		return nil, &llm.Error{Kind: llm.KindCanceled, Provider: f.name, Message: "canceled", Err: ctx.Err()}
	}
	return &llm.Response{ID: "r-" + f.name, Model: req.Model, Usage: llm.Usage{InputTokens: 10, OutputTokens: 3},
		Choices: []llm.Choice{{Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{llm.TextPart(f.answer())}}, FinishReason: llm.FinishStop}}}, nil
}

func (f *fake) Stream(ctx context.Context, req *llm.Request) (llm.Stream, error) {
	n := f.record(req)
	if f.clock != nil && f.latency > 0 {
		f.clock.Advance(f.latency)
	}
	if f.fail != nil {
		if err := f.fail(n); err != nil {
			return nil, err
		}
	}
	chunks := []llm.Chunk{{ID: "s-" + f.name, Model: req.Model, Role: llm.RoleAssistant}}
	for _, w := range splitWords(f.answer()) {
		chunks = append(chunks, llm.Chunk{ID: "s-" + f.name, Text: w})
	}
	if !f.truncate {
		chunks = append(chunks, llm.Chunk{ID: "s-" + f.name, FinishReason: llm.FinishStop},
			llm.Chunk{ID: "s-" + f.name, Usage: &llm.Usage{InputTokens: 10, OutputTokens: int64(len(chunks) - 1)}})
	}
	return &fakeStream{ctx: ctx, f: f, chunks: chunks}, nil
}

// splitWords splits s after each space, keeping the spaces.
func splitWords(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			out = append(out, s[start:i+1])
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

type fakeStream struct {
	ctx    context.Context
	f      *fake
	chunks []llm.Chunk
	sent   int
	closed bool
}

func (s *fakeStream) Recv() (llm.Chunk, error) {
	if s.f.hang && s.sent == 0 {
		<-s.ctx.Done()
		return llm.Chunk{}, &llm.Error{Kind: llm.KindCanceled, Provider: s.f.name, Message: "canceled", Err: s.ctx.Err()}
	}
	if err := s.ctx.Err(); err != nil {
		return llm.Chunk{}, &llm.Error{Kind: llm.KindCanceled, Provider: s.f.name, Message: "canceled", Err: err}
	}
	if s.f.breakAfter > 0 && s.sent == s.f.breakAfter {
		err := s.f.brokenErr
		if err == nil {
			err = &llm.Error{Kind: llm.KindUpstream, Provider: s.f.name, Message: "connection reset"}
		}
		return llm.Chunk{}, err
	}
	if s.sent == len(s.chunks) {
		return llm.Chunk{}, io.EOF
	}
	c := s.chunks[s.sent]
	s.sent++
	return c, nil
}

func (s *fakeStream) Close() error { s.closed = true; return nil }

func errOf(kind llm.Kind, provider string) error {
	return &llm.Error{Kind: kind, Provider: provider, Message: kind.String()}
}

// always fails every call with err.
func always(err error) func(int) error { return func(int) error { return err } }

// firstN fails the first n calls with err.
func firstN(n int, err error) func(int) error {
	return func(i int) error {
		if i < n {
			return err
		}
		return nil
	}
}

func dep(name string, p llm.Provider) *router.Deployment {
	return &router.Deployment{Name: name, ProviderName: "p-" + name, Model: "m-" + name, Provider: p}
}

// noRetry is a retry policy without retries or budget.
func noRetry() router.RetryPolicy { return router.RetryPolicy{BudgetRatio: -1} }

// build compiles cfg with a fake clock and a deterministic random source,
// recording every attempt.
func build(t *testing.T, cfg router.Config, clock *fakeClock) (*router.Router, *attemptLog) {
	t.Helper()
	log := &attemptLog{}
	r, err := router.Build(cfg, router.Options{Clock: clock, Observer: log.observe, Random: seqRandom(1)})
	if err != nil {
		t.Fatal(err)
	}
	return r, log
}

// seqRandom is a deterministic, concurrency-safe random source.
func seqRandom(seed uint64) func() float64 {
	var mu sync.Mutex
	x := seed*2654435761 + 1
	return func() float64 {
		mu.Lock()
		defer mu.Unlock()
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		return float64(x>>11) / (1 << 53)
	}
}

// attemptLog collects the attempts the router reports.
type attemptLog struct {
	mu       sync.Mutex
	attempts []llm.Attempt
}

func (l *attemptLog) observe(_ context.Context, a llm.Attempt) {
	l.mu.Lock()
	l.attempts = append(l.attempts, a)
	l.mu.Unlock()
}

func (l *attemptLog) all() []llm.Attempt {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]llm.Attempt(nil), l.attempts...)
}

// trail renders attempts as "deployment:outcome" in order.
func trail(as []llm.Attempt) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Deployment + ":" + string(a.Outcome)
	}
	return out
}

func chat(model, text string) *llm.Request {
	return &llm.Request{Model: model, Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart(text)}}}}
}

// drain reads s to its end and returns the text, the chunks and the error
// that ended it (nil for a clean end).
func drain(s llm.Stream) (string, []llm.Chunk, error) {
	defer s.Close()
	var text string
	var chunks []llm.Chunk
	for {
		c, err := s.Recv()
		if err == io.EOF {
			return text, chunks, nil
		}
		if err != nil {
			return text, chunks, err
		}
		text += c.Text
		chunks = append(chunks, c)
	}
}
