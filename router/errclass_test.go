package router_test

import (
	"context"
	"slices"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/router"
)

// TestEachErrorClass sends one request per error class through an alias
// of two deployments whose first always fails with that class, with a
// fallback alias per class, and checks which deployments were tried, in
// what order, and what the caller saw.
func TestEachErrorClass(t *testing.T) {
	cases := []struct {
		kind     llm.Kind
		provider string // "" for an error of the caller's own
		want     []string
		wantErr  llm.Kind // 0: success
		served   string
	}{
		// Retryable classes: the second deployment serves.
		{kind: llm.KindRateLimited, provider: "pa", want: []string{"a:failed", "b:ok"}, served: "b"},
		{kind: llm.KindOverloaded, provider: "pa", want: []string{"a:failed", "b:ok"}, served: "b"},
		{kind: llm.KindUpstream, provider: "pa", want: []string{"a:failed", "b:ok"}, served: "b"},
		{kind: llm.KindUnavailable, provider: "pa", want: []string{"a:failed", "b:ok"}, served: "b"},
		{kind: llm.KindTimeout, provider: "pa", want: []string{"a:failed", "b:ok"}, served: "b"},
		// The provider refusing the gateway's key: another deployment.
		{kind: llm.KindUnauthenticated, provider: "pa", want: []string{"a:failed", "b:ok"}, served: "b"},
		// No deployment of the alias does better: the class's fallback.
		{kind: llm.KindContextTooLong, provider: "pa", want: []string{"a:failed", "long:ok"}, served: "long"},
		{kind: llm.KindContentFiltered, provider: "pa", want: []string{"a:failed", "lenient:ok"}, served: "lenient"},
		// The caller's mistake: no fallback at all.
		{kind: llm.KindInvalidRequest, provider: "pa", want: []string{"a:failed"}, wantErr: llm.KindInvalidRequest},
		{kind: llm.KindPayloadTooLarge, provider: "", want: []string{"a:failed"}, wantErr: llm.KindPayloadTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.kind.String(), func(t *testing.T) {
			a := &fake{name: "a", fail: always(errOf(tc.kind, tc.provider))}
			b, long, lenient := &fake{name: "b"}, &fake{name: "long"}, &fake{name: "lenient"}
			cfg := router.Config{Aliases: []*router.Alias{
				{Name: "chat", Deployments: []*router.Deployment{dep("a", a), dep("b", b)}, Retry: router.DefaultRetryPolicy(),
					Fallbacks: router.Fallbacks{
						router.ClassContextWindow:   {"chat-long"},
						router.ClassContentFiltered: {"chat-lenient"},
					}},
				{Name: "chat-long", Deployments: []*router.Deployment{dep("long", long)}},
				{Name: "chat-lenient", Deployments: []*router.Deployment{dep("lenient", lenient)}},
			}}
			r, log := build(t, cfg, newClock())
			resp, err := r.Complete(context.Background(), chat("chat", "hi"))
			if got := trail(log.all()); !slices.Equal(got, tc.want) {
				t.Errorf("attempts %v, want %v", got, tc.want)
			}
			if tc.wantErr != 0 {
				if llm.KindOf(err) != tc.wantErr {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.Deployment != tc.served || resp.Choices[0].Message.Text() != tc.served {
				t.Errorf("served by %s", resp.Deployment)
			}
			if tc.served != "b" && resp.Route.Alias != "chat-"+tc.served {
				t.Errorf("route alias %q", resp.Route.Alias)
			}
			if tc.served != "b" && resp.Route.Attempts[1].Reason != llm.AttemptFallback {
				t.Errorf("reason %s", resp.Route.Attempts[1].Reason)
			}
		})
	}
}

// A fallback chain per class: the rate-limit chain is followed when every
// deployment of the alias and of the first fallback are rate limited.
func TestFallbackChainPerClass(t *testing.T) {
	limited := errOf(llm.KindRateLimited, "p")
	a := &fake{name: "a", fail: always(limited)}
	b := &fake{name: "b", fail: always(limited)}
	c := &fake{name: "c"}
	timeoutOnly := &fake{name: "t"}
	cfg := router.Config{Aliases: []*router.Alias{
		{Name: "chat", Deployments: []*router.Deployment{dep("a", a)}, Retry: noRetry(),
			Fallbacks: router.Fallbacks{router.ClassRateLimited: {"second", "third"}, router.ClassTimeout: {"slowpath"}}},
		{Name: "second", Deployments: []*router.Deployment{dep("b", b)}, Retry: noRetry()},
		{Name: "third", Deployments: []*router.Deployment{dep("c", c)}, Retry: noRetry()},
		{Name: "slowpath", Deployments: []*router.Deployment{dep("t", timeoutOnly)}},
	}}
	r, log := build(t, cfg, newClock())
	resp, err := r.Complete(context.Background(), chat("chat", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a:failed", "b:failed", "c:ok"}
	if got := trail(log.all()); !slices.Equal(got, want) || resp.Deployment != "c" {
		t.Errorf("attempts %v (want %v), served by %s", got, want, resp.Deployment)
	}
	if timeoutOnly.Calls() != 0 {
		t.Error("the timeout fallback was used for rate limits")
	}
}

// Every deployment failing retryably without a fallback: the caller gets
// the last error, after one attempt per deployment and the retries.
func TestRetryableErrorWithoutFallbackReachesTheCaller(t *testing.T) {
	a := &fake{name: "a", fail: always(errOf(llm.KindOverloaded, "pa"))}
	b := &fake{name: "b", fail: always(errOf(llm.KindOverloaded, "pb"))}
	retry := router.DefaultRetryPolicy()
	retry.MaxRetries = 2
	clock := newClock()
	r, log := build(t, twoDeployments(a, b, retry), clock)
	_, err := r.Complete(context.Background(), chat("chat", "hi"))
	if llm.KindOf(err) != llm.KindOverloaded {
		t.Fatalf("err = %v", err)
	}
	attempts := log.all()
	if len(attempts) != 4 {
		t.Fatalf("attempts %v, want 2 deployments + 2 retries", trail(attempts))
	}
	if attempts[2].Reason != llm.AttemptRetry || attempts[3].Reason != llm.AttemptRetry {
		t.Errorf("reasons %s %s", attempts[2].Reason, attempts[3].Reason)
	}
	if n := len(clock.Sleeps()); n != 2 {
		t.Errorf("%d backoffs, want one before each retry", n)
	}
}
