package router_test

import (
	"context"
	"sync"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/router"
)

type hookKey struct{}

// recordingHook gives each attempt a context value naming it and records
// what it is told.
type recordingHook struct {
	mu      sync.Mutex
	started []llm.Attempt
	ended   []llm.Attempt
	ctxOK   []bool
}

func (h *recordingHook) AttemptStart(ctx context.Context, a *llm.Attempt) context.Context {
	h.mu.Lock()
	h.started = append(h.started, *a)
	h.mu.Unlock()
	return context.WithValue(ctx, hookKey{}, a.Number)
}

func (h *recordingHook) AttemptEnd(ctx context.Context, a *llm.Attempt) {
	h.mu.Lock()
	h.ended = append(h.ended, *a)
	n, _ := ctx.Value(hookKey{}).(int)
	h.ctxOK = append(h.ctxOK, n == a.Number)
	h.mu.Unlock()
}

// ctxProvider answers like fake and notes which attempt's context each
// call carried.
type ctxProvider struct {
	*fake
	mu   sync.Mutex
	seen []int
}

func (p *ctxProvider) note(ctx context.Context) {
	n, _ := ctx.Value(hookKey{}).(int)
	p.mu.Lock()
	p.seen = append(p.seen, n)
	p.mu.Unlock()
}

func (p *ctxProvider) Complete(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	p.note(ctx)
	return p.fake.Complete(ctx, req)
}

func (p *ctxProvider) Stream(ctx context.Context, req *llm.Request) (llm.Stream, error) {
	p.note(ctx)
	return p.fake.Stream(ctx, req)
}

// The hook sees each attempt start before its call, with a context the
// provider call runs in, and end with its final record and that context.
func TestAttemptHookWrapsEveryAttempt(t *testing.T) {
	for _, stream := range []bool{false, true} {
		bad := &ctxProvider{fake: &fake{name: "bad", fail: always(errOf(llm.KindOverloaded, "p-bad"))}}
		good := &ctxProvider{fake: &fake{name: "good"}}
		hook := &recordingHook{}
		r, err := router.Build(router.Config{Aliases: []*router.Alias{{
			Name: "a", Deployments: []*router.Deployment{dep("bad", bad), dep("good", good)}, Retry: noRetry(),
		}}}, router.Options{Clock: newClock(), Attempts: hook, Random: seqRandom(1)})
		if err != nil {
			t.Fatal(err)
		}
		if stream {
			s, err := r.Stream(context.Background(), chat("a", "hi"))
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := drain(s); err != nil {
				t.Fatal(err)
			}
		} else if _, err := r.Complete(context.Background(), chat("a", "hi")); err != nil {
			t.Fatal(err)
		}
		if len(hook.started) != 2 || hook.started[0].Deployment != "bad" || hook.started[1].Reason != llm.AttemptFailover || hook.started[1].Outcome != "" {
			t.Errorf("stream %v: started %+v", stream, hook.started)
		}
		if len(hook.ended) != 2 || hook.ended[0].Outcome != llm.OutcomeFailed || hook.ended[1].Outcome != llm.OutcomeOK || hook.ended[1].Usage.InputTokens != 10 {
			t.Errorf("stream %v: ended %+v", stream, hook.ended)
		}
		for i, ok := range hook.ctxOK {
			if !ok {
				t.Errorf("stream %v: attempt %d ended without its context", stream, i+1)
			}
		}
		if len(bad.seen) != 1 || bad.seen[0] != 1 || len(good.seen) != 1 || good.seen[0] != 2 {
			t.Errorf("stream %v: providers called in contexts %v, %v", stream, bad.seen, good.seen)
		}
	}
}
