package router_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/router"
)

func streamAlias(ds []*router.Deployment, mod func(*router.Alias)) router.Config {
	a := &router.Alias{Name: "chat", Deployments: ds, Retry: noRetry()}
	if mod != nil {
		mod(a)
	}
	return router.Config{Aliases: []*router.Alias{a}}
}

func TestStreamFailsOverBeforeTheFirstChunk(t *testing.T) {
	a := &fake{name: "a", breakAfter: 1} // sends the role chunk, then breaks
	b := &fake{name: "b", text: "hello there"}
	r, log := build(t, streamAlias([]*router.Deployment{dep("a", a), dep("b", b)}, nil), newClock())
	s, err := r.Stream(context.Background(), chat("chat", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	text, chunks, err := drain(s)
	if err != nil || text != "hello there" {
		t.Fatalf("text %q err %v", text, err)
	}
	if chunks[0].Route == nil || chunks[0].Deployment != "b" || chunks[0].Role != llm.RoleAssistant {
		t.Errorf("first chunk %+v", chunks[0])
	}
	if want := []string{"a:failed", "b:ok"}; !slices.Equal(trail(log.all()), want) {
		t.Errorf("attempts %v", trail(log.all()))
	}
	for _, c := range chunks[1:] {
		if c.Route != nil {
			t.Error("route repeated on a later chunk")
		}
	}
}

func TestStreamOpenErrorFailsOver(t *testing.T) {
	a := &fake{name: "a", fail: always(errOf(llm.KindOverloaded, "pa"))}
	b := &fake{name: "b"}
	r, _ := build(t, streamAlias([]*router.Deployment{dep("a", a), dep("b", b)}, nil), newClock())
	s, err := r.Stream(context.Background(), chat("chat", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Recv()
	if err != nil || c.Provider != "p-b" || c.Route == nil || len(c.Route.Attempts) != 2 || c.Route.Attempts[1].Outcome != llm.OutcomeStreaming {
		t.Fatalf("chunk %+v err %v", c, err)
	}
	s.Close()
}

// A deployment that sends nothing within its TTFT timeout is abandoned and
// the next one serves, transparently.
func TestFirstTokenTimeoutFailsOver(t *testing.T) {
	a := &fake{name: "a", hang: true}
	b := &fake{name: "b"}
	da := dep("a", a)
	da.Timeouts.TTFT = 20 * time.Millisecond
	r, log := build(t, streamAlias([]*router.Deployment{da, dep("b", b)}, nil), newClock())
	s, err := r.Stream(context.Background(), chat("chat", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	text, _, err := drain(s)
	if err != nil || text != "b" {
		t.Fatalf("text %q err %v", text, err)
	}
	attempts := log.all()
	if want := []string{"a:failed", "b:ok"}; !slices.Equal(trail(attempts), want) || attempts[0].ErrorKind != llm.KindTimeout {
		t.Errorf("attempts %v, first kind %v", trail(attempts), attempts[0].ErrorKind)
	}
}

func TestTimeoutErrorNamesTheLimit(t *testing.T) {
	a := &fake{name: "a", hang: true}
	da := dep("a", a)
	da.Timeouts.TTFT = 10 * time.Millisecond
	r, _ := build(t, streamAlias([]*router.Deployment{da}, nil), newClock())
	_, err := r.Stream(context.Background(), chat("chat", "hi"))
	e := llm.AsError(err)
	if e.Kind != llm.KindTimeout || e.Code != "first_token_timeout" || !strings.Contains(e.Message, "10ms") {
		t.Fatalf("err = %+v", e)
	}
	// A unary call is bounded by the total timeout.
	da.Timeouts.Total = 10 * time.Millisecond
	r, _ = build(t, streamAlias([]*router.Deployment{da}, nil), newClock())
	_, err = r.Complete(context.Background(), chat("chat", "hi"))
	if e := llm.AsError(err); e.Kind != llm.KindTimeout {
		t.Fatalf("unary err = %+v", e)
	}
}

// After output reached the caller a break is an error, never a clean end.
func TestBreakAfterOutputIsAnError(t *testing.T) {
	a := &fake{name: "a", text: "one two three four", breakAfter: 3}
	b := &fake{name: "b"}
	r, log := build(t, streamAlias([]*router.Deployment{dep("a", a), dep("b", b)}, nil), newClock())
	s, err := r.Stream(context.Background(), chat("chat", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	text, _, err := drain(s)
	if err == nil || llm.KindOf(err) != llm.KindUpstream {
		t.Fatalf("err = %v after %q", err, text)
	}
	if text != "one two " || b.Calls() != 0 {
		t.Errorf("text %q, b calls %d", text, b.Calls())
	}
	attempts := log.all()
	if len(attempts) != 1 || attempts[0].Outcome != llm.OutcomeBroken || !attempts[0].UsageEstimated || attempts[0].Usage.OutputTokens == 0 {
		t.Errorf("attempts %+v", attempts)
	}
}

func TestIdleTimeoutBreaksTheStream(t *testing.T) {
	a := &stallAfter{fake: fake{name: "a", text: "one two three"}, after: 2}
	da := dep("a", a)
	da.Timeouts.Idle = 20 * time.Millisecond
	r, _ := build(t, streamAlias([]*router.Deployment{da}, nil), newClock())
	s, err := r.Stream(context.Background(), chat("chat", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = drain(s)
	if e := llm.AsError(err); e.Kind != llm.KindTimeout || e.Code != "idle_timeout" {
		t.Fatalf("err = %+v", e)
	}
}

// stallAfter streams like fake but stalls (until canceled) after some
// chunks.
type stallAfter struct {
	fake
	after int
}

func (p *stallAfter) Stream(ctx context.Context, req *llm.Request) (llm.Stream, error) {
	s, _ := p.fake.Stream(ctx, req)
	return &stallStream{fakeStream: s.(*fakeStream), after: p.after}, nil
}

type stallStream struct {
	*fakeStream
	after int
}

func (s *stallStream) Recv() (llm.Chunk, error) {
	if s.sent == s.after {
		<-s.ctx.Done()
	}
	return s.fakeStream.Recv()
}

func TestTruncatedStreamIsAnError(t *testing.T) {
	a := &fake{name: "a", text: "cut short", truncate: true}
	r, _ := build(t, streamAlias([]*router.Deployment{dep("a", a)}, nil), newClock())
	s, err := r.Stream(context.Background(), chat("chat", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	text, _, err := drain(s)
	if e := llm.AsError(err); err == nil || e.Code != "stream_truncated" || text != "cut short" {
		t.Fatalf("text %q err %v", text, err)
	}
}

// Continuation: the stream broken on a resumes on b with the partial
// answer appended, and the caller reads one coherent stream.
func TestContinuationProducesOneStream(t *testing.T) {
	a := &fake{name: "a", text: "The answer begins here and", breakAfter: 4}
	b := &fake{name: "b", text: "continues on b."}
	r, log := build(t, streamAlias([]*router.Deployment{dep("a", a), dep("b", b)}, func(a *router.Alias) {
		a.Continuation = router.ContinuationPolicy{Enabled: true}
	}), newClock())
	max := int64(100)
	req := chat("chat", "hi")
	req.MaxTokens = &max
	s, err := r.Stream(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	text, chunks, err := drain(s)
	if err != nil {
		t.Fatalf("err %v after %q", err, text)
	}
	if text != "The answer begins continues on b." {
		t.Errorf("text %q", text)
	}
	roles, finishes := 0, 0
	var usage *llm.Usage
	for _, c := range chunks {
		if c.Role != "" {
			roles++
		}
		if c.FinishReason != "" {
			finishes++
		}
		if c.ID != "s-a" {
			t.Errorf("chunk id %q: the stream changed identity", c.ID)
		}
		if c.Usage != nil {
			usage = c.Usage
		}
	}
	if roles != 1 || finishes != 1 {
		t.Errorf("%d role chunks, %d finishes", roles, finishes)
	}
	// b was asked to continue the partial answer.
	cont := b.Call(0)
	last := cont.Messages[len(cont.Messages)-1]
	if last.Role != llm.RoleAssistant || last.Text() != "The answer begins " {
		t.Errorf("continuation request ends with %s %q", last.Role, last.Text())
	}
	if *cont.MaxTokens >= max {
		t.Errorf("max_tokens not reduced: %d", *cont.MaxTokens)
	}
	attempts := log.all()
	if want := []string{"a:broken", "b:ok"}; !slices.Equal(trail(attempts), want) || attempts[1].Reason != llm.AttemptContinuation {
		t.Errorf("attempts %v", attempts)
	}
	// The caller is told the usage of both attempts.
	if usage == nil || usage.OutputTokens <= attempts[1].Usage.OutputTokens {
		t.Errorf("usage %+v, b alone %+v", usage, attempts[1].Usage)
	}
	// The chunk where b takes over carries the new route.
	routes := 0
	for _, c := range chunks {
		if c.Route != nil {
			routes++
		}
	}
	if routes != 2 {
		t.Errorf("%d chunks carry a route, want 2", routes)
	}
}

func TestNoContinuationAfterToolCalls(t *testing.T) {
	a := &toolStream{fake: fake{name: "a"}}
	b := &fake{name: "b"}
	r, _ := build(t, streamAlias([]*router.Deployment{dep("a", a), dep("b", b)}, func(a *router.Alias) {
		a.Continuation = router.ContinuationPolicy{Enabled: true}
	}), newClock())
	s, err := r.Stream(context.Background(), chat("chat", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := drain(s); err == nil {
		t.Fatal("a stream broken in a tool call ended cleanly")
	}
	if b.Calls() != 0 {
		t.Error("continued a tool call on another deployment")
	}
}

// toolStream sends a tool-call delta, then breaks.
type toolStream struct{ fake }

func (p *toolStream) Stream(ctx context.Context, req *llm.Request) (llm.Stream, error) {
	p.record(req)
	return &fakeStream{ctx: ctx, f: &fake{name: "a", breakAfter: 1},
		chunks: []llm.Chunk{{ToolCalls: []llm.ToolCallDelta{{Index: 0, ID: "c1", Name: "f", ArgumentsDelta: "{"}}}}}, nil
}

func TestClosingEarlySettlesTheAttempt(t *testing.T) {
	a := &fake{name: "a", text: "one two three"}
	r, log := build(t, streamAlias([]*router.Deployment{dep("a", a)}, nil), newClock())
	s, err := r.Stream(context.Background(), chat("chat", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Recv(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s.Close()
	attempts := log.all()
	if len(attempts) != 1 || attempts[0].Outcome != llm.OutcomeCanceled {
		t.Errorf("attempts %+v", attempts)
	}
}
