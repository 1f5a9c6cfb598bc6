package admit_test

import (
	"context"
	"errors"
	"io"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/switchboard-gw/switchboard/billing/admit"
	"github.com/switchboard-gw/switchboard/billing/budget"
	"github.com/switchboard-gw/switchboard/billing/limits"
	"github.com/switchboard-gw/switchboard/llm"
)

func withKey(key string) (context.Context, *admit.Notes) {
	n := &admit.Notes{IdempotencyKey: key}
	return admit.WithNotes(context.Background(), n), n
}

func TestIdempotentRetryReplaysWithoutASecondCharge(t *testing.T) {
	p := price(t, "1", "2")
	req := chat("m", "hello", 100)
	w := worstOf(req, p)
	r := newRig(t, fixedPrices{"m": {p}}, nil)
	k := caller
	k.Key = admit.KeyLimits{BudgetNanoUSD: 100 * w, RPM: 100}
	ctx, notes := withKey("retry-1")
	tk, err := r.c.Admit(ctx, k, req, false)
	if err != nil || tk.Replayed() || notes.Replayed {
		t.Fatalf("first: %v", err)
	}
	first := r.serve(ctx, tk, w, llm.Usage{InputTokens: 3, OutputTokens: 4})

	ctx, notes = withKey("retry-1")
	tk, err = r.c.Admit(ctx, k, chat("m", "hello", 100), false)
	if err != nil || !tk.Replayed() || !notes.Replayed {
		t.Fatalf("retry: %v, replayed %v", err, notes.Replayed)
	}
	got, err := tk.Replay()
	if err != nil || !reflect.DeepEqual(got, first) {
		t.Fatalf("replay = %+v, %v; want %+v", got, err, first)
	}
	spent, _ := r.spent(t, budget.Budget{Scope: "key:key_a", Window: budget.Lifetime, LimitNano: 100 * w})
	if spent != w {
		t.Fatalf("spent %d, want one charge of %d", spent, w)
	}
	// The same key with another request is a conflict; a stream is another
	// request too.
	ctx, _ = withKey("retry-1")
	if _, err := r.c.Admit(ctx, k, chat("m", "something else", 100), false); codeOf(err) != admit.CodeIdempotencyConflict {
		t.Fatalf("other body: %v, want %s", err, admit.CodeIdempotencyConflict)
	}
	ctx, _ = withKey("retry-1")
	if _, err := r.c.Admit(ctx, k, chat("m", "hello", 100), true); codeOf(err) != admit.CodeIdempotencyConflict {
		t.Fatalf("as a stream: %v, want a conflict", err)
	}
	// Another key's identical Idempotency-Key is another request.
	other := k
	other.KeyID = "key_b"
	ctx, notes = withKey("retry-1")
	if tk, err := r.c.Admit(ctx, other, chat("m", "hello", 100), false); err != nil || tk.Replayed() {
		t.Fatalf("another key: %v", err)
	}
}

func TestConcurrentDuplicatesRunOnce(t *testing.T) {
	r := newRig(t, nil, nil)
	var runs, replays atomic.Int64
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			<-start
			ctx, _ := withKey("dup")
			tk, err := r.c.Admit(ctx, caller, chat("m", "same", 0), false)
			if err != nil {
				t.Error(err)
				return
			}
			if tk.Replayed() {
				replays.Add(1)
				return
			}
			runs.Add(1)
			r.serve(ctx, tk, 0, llm.Usage{})
		})
	}
	close(start)
	wg.Wait()
	if runs.Load() != 1 || replays.Load() != 7 {
		t.Fatalf("runs %d replays %d, want 1 and 7", runs.Load(), replays.Load())
	}
}

func TestRefusedAndFailedRequestsFreeTheKey(t *testing.T) {
	r := newRig(t, nil, nil)
	k := caller
	k.Key = admit.KeyLimits{RPM: 1}
	_, _ = r.c.Admit(context.Background(), k, chat("m", "use up the minute", 0), false)
	ctx, _ := withKey("k1")
	if _, err := r.c.Admit(ctx, k, chat("m", "hi", 0), false); llm.KindOf(err) != llm.KindRateLimited {
		t.Fatalf("%v, want a rate limit", err)
	}
	// The rate-limited request freed its key: a retry without the limit
	// runs for real.
	ctx, _ = withKey("k1")
	tk, err := r.c.Admit(ctx, caller, chat("m", "hi", 0), false)
	if err != nil || tk.Replayed() {
		t.Fatalf("retry: %v", err)
	}
	// An upstream failure is not stored either.
	tk.Finish(ctx, nil, &llm.Error{Kind: llm.KindUpstream, Message: "boom"})
	ctx, _ = withKey("k1")
	if tk, err = r.c.Admit(ctx, caller, chat("m", "hi", 0), false); err != nil || tk.Replayed() {
		t.Fatalf("after an upstream failure: %v", err)
	}
	// A client error is, and is replayed as the same error.
	tk.Finish(ctx, nil, &llm.Error{Kind: llm.KindContextTooLong, Code: "context_length_exceeded", Message: "too long"})
	ctx, _ = withKey("k1")
	tk, err = r.c.Admit(ctx, caller, chat("m", "hi", 0), false)
	if err != nil || !tk.Replayed() {
		t.Fatalf("after a client error: %v", err)
	}
	if _, err := tk.Replay(); llm.KindOf(err) != llm.KindContextTooLong || codeOf(err) != "context_length_exceeded" {
		t.Fatalf("replayed error %v", err)
	}
}

// chunks is a stream of fixed chunks.
type chunks struct {
	cs     []llm.Chunk
	closed bool
}

func (s *chunks) Recv() (llm.Chunk, error) {
	if len(s.cs) == 0 {
		return llm.Chunk{}, io.EOF
	}
	c := s.cs[0]
	s.cs = s.cs[1:]
	return c, nil
}

func (s *chunks) Close() error { s.closed = true; return nil }

func TestStreamIsSettledAtItsEndAndReplayed(t *testing.T) {
	p := price(t, "1", "2")
	req := chat("m", "hello", 100)
	w := worstOf(req, p)
	r := newRig(t, fixedPrices{"m": {p}}, nil)
	k := caller
	k.Key = admit.KeyLimits{BudgetNanoUSD: 10 * w}
	ctx, _ := withKey("s1")
	tk, err := r.c.Admit(ctx, k, req, true)
	if err != nil {
		t.Fatal(err)
	}
	ctx = tk.Context(ctx)
	usage := llm.Usage{InputTokens: 3, OutputTokens: 2}
	s := tk.Stream(ctx, &chunks{cs: []llm.Chunk{
		{ID: "c1", Model: "m", Role: llm.RoleAssistant, Text: "Hel"},
		{ID: "c1", Model: "m", Text: "lo", FinishReason: llm.FinishStop},
		{ID: "c1", Model: "m", Usage: &usage},
	}})
	for {
		_, err := s.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		// Metering charges the attempt as its stream ends, before EOF.
		r.c.ObserveCost(ctx, &llm.Attempt{Number: 1, Usage: usage}, 1234)
	}
	_ = s.Close()
	spent, reserved := r.spent(t, budget.Budget{Scope: "key:key_a", Window: budget.Lifetime, LimitNano: 10 * w})
	if reserved != 0 || spent != 3*1234 {
		t.Fatalf("spent %d reserved %d", spent, reserved)
	}
	ctx, _ = withKey("s1")
	tk, err = r.c.Admit(ctx, k, chat("m", "hello", 100), true)
	if err != nil || !tk.Replayed() {
		t.Fatalf("retry: %v", err)
	}
	rs, err := tk.ReplayStream()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := llm.Collect(rs)
	if err != nil || resp.Choices[0].Message.Text() != "Hello" || resp.Usage != usage || resp.Choices[0].FinishReason != llm.FinishStop {
		t.Fatalf("replayed stream %+v, %v", resp, err)
	}
}

func TestAClosedStreamFreesItsKeyAndSettles(t *testing.T) {
	p := price(t, "1", "2")
	req := chat("m", "hello", 100)
	w := worstOf(req, p)
	r := newRig(t, fixedPrices{"m": {p}}, nil)
	_, _ = r.c.SetSettings(context.Background(), limits.Settings{Scope: "team:team_a",
		Budgets: []limits.Budget{{Window: limits.Daily, LimitNanoUSD: 2 * w, Policy: limits.Hard}}})
	ctx, _ := withKey("s2")
	tk, err := r.c.Admit(ctx, caller, req, true)
	if err != nil {
		t.Fatal(err)
	}
	src := &chunks{cs: []llm.Chunk{{Text: "a"}, {Text: "b"}}}
	s := tk.Stream(tk.Context(ctx), src)
	_, _ = s.Recv()
	r.c.ObserveCost(tk.Context(ctx), &llm.Attempt{Number: 1}, 10) // the cut-off attempt
	_ = s.Close()
	if !src.closed {
		t.Fatal("the inner stream was not closed")
	}
	if spent, reserved := r.spent(t, budget.Budget{Scope: "team:team_a", Window: budget.Daily, LimitNano: 2 * w}); spent != 10 || reserved != 0 {
		t.Fatalf("spent %d reserved %d", spent, reserved)
	}
	ctx, _ = withKey("s2")
	if tk, err := r.c.Admit(ctx, caller, chat("m", "hello", 100), true); err != nil || tk.Replayed() {
		t.Fatalf("after a cut-off stream the key is free: %v", err)
	}
}

func TestLateAttemptsAreChargedDirectly(t *testing.T) {
	p := price(t, "1", "2")
	req := chat("m", "hello", 100)
	w := worstOf(req, p)
	r := newRig(t, fixedPrices{"m": {p}}, nil)
	k := caller
	k.Key = admit.KeyLimits{BudgetNanoUSD: 10 * w}
	tk, err := r.c.Admit(context.Background(), k, req, false)
	if err != nil {
		t.Fatal(err)
	}
	ctx := tk.Context(context.Background())
	r.serve(ctx, tk, 100, llm.Usage{})
	// An abandoned hedge reports after the answer went out.
	r.c.ObserveCost(ctx, &llm.Attempt{Number: 2}, 50)
	b := budget.Budget{Scope: "key:key_a", Window: budget.Lifetime, LimitNano: 10 * w}
	eventually(t, func() bool { s, _ := r.spent(t, b); return s == 150 })
}
