package ratelimit_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/ratelimit"
)

// newLimiter returns a fresh limiter, with no state, that reads clock.
type newLimiter func(t *testing.T, clock func() time.Time) ratelimit.Limiter

// runConformance is the suite every Limiter passes: the semantics the
// package documents, driven by a fake clock so that nothing depends on how
// fast the machine is.
func runConformance(t *testing.T, newLimiter newLimiter) {
	cases := map[string]func(t *testing.T, l ratelimit.Limiter, clock *fakeClock){
		"RPMBurstThenRetryAfter":          testRPMBurstThenRetryAfter,
		"RateThatDoesNotDivideAMinute":    testUnevenRate,
		"PartialRefill":                   testPartialRefill,
		"AllOrNothingAcrossScopes":        testAllOrNothing,
		"TPMChargesTheEstimateThenAdjust": testTPMEstimateAndAdjust,
		"TPMDebtDelaysLaterRequests":      testTPMDebt,
		"RequestLargerThanTheLimit":       testTooLarge,
		"RPMAndTPMOfOneScope":             testRPMAndTPMTogether,
		"ScopesAreIndependent":            testScopesIndependent,
		"AdjustGivesNoCreditBeyondFull":   testAdjustNoCredit,
		"InvalidLimitsAreErrors":          testInvalid,
		"NoLimitsAllowsEverything":        testNoLimits,
		"ConcurrentChecksAdmitExactlyN":   testConcurrentExact,
		"PeekShowsWhatChecksUsed":         testPeekAfterChecks,
		"PeekChargesNothing":              testPeekChargesNothing,
		"PeekOfUnknownScopesIsFull":       testPeekUnknownScopes,
		"PeekOfAnExhaustedLimit":          testPeekExhausted,
		"PeekRefusesInvalidLimits":        testPeekInvalid,
	}
	for name, run := range cases {
		t.Run(name, func(t *testing.T) {
			clock := newFakeClock()
			run(t, newLimiter(t, clock.Now), clock)
		})
	}
}

func check(t *testing.T, l ratelimit.Limiter, limits []ratelimit.Limit, tokens int64) ratelimit.Decision {
	t.Helper()
	d, err := l.Check(context.Background(), limits, tokens)
	if err != nil {
		t.Fatalf("Check(%v, %d): %v", limits, tokens, err)
	}
	if d.Degraded {
		t.Fatalf("Check(%v, %d): degraded", limits, tokens)
	}
	if len(d.Statuses) != len(limits) {
		t.Fatalf("Check(%v, %d): %d statuses for %d limits", limits, tokens, len(d.Statuses), len(limits))
	}
	return d
}

func adjust(t *testing.T, l ratelimit.Limiter, limits []ratelimit.Limit, delta int64) {
	t.Helper()
	if err := l.Adjust(context.Background(), limits, delta); err != nil {
		t.Fatalf("Adjust(%v, %d): %v", limits, delta, err)
	}
}

func peek(t *testing.T, l ratelimit.Limiter, limits []ratelimit.Limit) ratelimit.Decision {
	t.Helper()
	d, err := l.Peek(context.Background(), limits)
	if err != nil {
		t.Fatalf("Peek(%v): %v", limits, err)
	}
	if d.Degraded {
		t.Fatalf("Peek(%v): degraded", limits)
	}
	if len(d.Statuses) != len(limits) {
		t.Fatalf("Peek(%v): %d statuses for %d limits", limits, len(d.Statuses), len(limits))
	}
	return d
}

func rpm(scope string, n int64) ratelimit.Limit {
	return ratelimit.Limit{Scope: scope, Kind: ratelimit.RPM, PerMinute: n}
}

func tpm(scope string, n int64) ratelimit.Limit {
	return ratelimit.Limit{Scope: scope, Kind: ratelimit.TPM, PerMinute: n}
}

func list(l ...ratelimit.Limit) []ratelimit.Limit { return l }

func testRPMBurstThenRetryAfter(t *testing.T, l ratelimit.Limiter, clock *fakeClock) {
	limits := list(rpm("key:a", 3))
	for i := int64(1); i <= 3; i++ {
		d := check(t, l, limits, 0)
		s := d.Statuses[0]
		if !d.Allowed || s.Remaining != 3-i || s.Reset != time.Duration(i)*20*time.Second || s.Exceeded || s.Requested != 1 {
			t.Fatalf("request %d: %+v", i, d)
		}
	}
	d := check(t, l, limits, 0)
	s := d.Statuses[0]
	if d.Allowed || !s.Exceeded || s.TooLarge || s.Remaining != 0 || s.RetryAfter != 20*time.Second || d.RetryAfter != 20*time.Second ||
		s.Reset != time.Minute {
		t.Fatalf("request 4: %+v, want a rejection with RetryAfter 20s", d)
	}
	r, ok := d.Rejection()
	if !ok || r.Scope != "key:a" || r.Kind != ratelimit.RPM {
		t.Errorf("Rejection() = %+v, %v", r, ok)
	}
	clock.Advance(20*time.Second - time.Millisecond)
	if d := check(t, l, limits, 0); d.Allowed || d.RetryAfter != time.Millisecond {
		t.Fatalf("1ms early: %+v, want a rejection with RetryAfter 1ms", d)
	}
	clock.Advance(time.Millisecond)
	if d := check(t, l, limits, 0); !d.Allowed || d.Statuses[0].Remaining != 0 {
		t.Fatalf("on time: %+v, want allowed with 0 remaining", d)
	}
}

func testUnevenRate(t *testing.T, l ratelimit.Limiter, clock *fakeClock) {
	limits := list(rpm("key:a", 7))
	for i := range 7 {
		if d := check(t, l, limits, 0); !d.Allowed {
			t.Fatalf("request %d of 7 rejected: %+v", i+1, d)
		}
	}
	// One request's worth drains in 60s/7 = 8571.43ms: rounded up.
	d := check(t, l, limits, 0)
	if d.Allowed || d.RetryAfter != 8572*time.Millisecond {
		t.Fatalf("request 8: %+v, want RetryAfter 8.572s", d)
	}
	clock.Advance(8572 * time.Millisecond)
	if d := check(t, l, limits, 0); !d.Allowed {
		t.Fatalf("after the retry-after: %+v", d)
	}
	if d := check(t, l, limits, 0); d.Allowed {
		t.Fatalf("a second request after one drained: %+v", d)
	}
}

func testPartialRefill(t *testing.T, l ratelimit.Limiter, clock *fakeClock) {
	limits := list(rpm("key:a", 60))
	for range 60 {
		check(t, l, limits, 0)
	}
	clock.Advance(2500 * time.Millisecond)
	for i := range 2 {
		if d := check(t, l, limits, 0); !d.Allowed {
			t.Fatalf("refilled request %d: %+v", i+1, d)
		}
	}
	if d := check(t, l, limits, 0); d.Allowed || d.RetryAfter != 500*time.Millisecond {
		t.Fatalf("third after 2.5s: %+v, want RetryAfter 500ms", d)
	}
}

func testAllOrNothing(t *testing.T, l ratelimit.Limiter, _ *fakeClock) {
	key, team := rpm("key:a", 10), rpm("team:t", 2)
	for range 2 {
		if d := check(t, l, list(key, team), 0); !d.Allowed {
			t.Fatalf("%+v", d)
		}
	}
	d := check(t, l, list(key, team), 0)
	if d.Allowed {
		t.Fatal("the team's third request was allowed")
	}
	r, _ := d.Rejection()
	if r.Scope != "team:t" || r.Kind != ratelimit.RPM {
		t.Errorf("rejected by %s %s, want team:t rpm", r.Scope, r.Kind)
	}
	if k := d.Statuses[0]; k.Exceeded || k.Remaining != 8 {
		t.Errorf("key status %+v: want not exceeded with 8 remaining", k)
	}
	// The rejected request charged nothing to the key.
	if d := check(t, l, list(key), 0); !d.Allowed || d.Statuses[0].Remaining != 7 {
		t.Errorf("key alone: %+v, want allowed with 7 remaining", d)
	}
}

func testTPMEstimateAndAdjust(t *testing.T, l ratelimit.Limiter, _ *fakeClock) {
	limits := list(tpm("key:a", 1000))
	for _, want := range []int64{600, 200} {
		if d := check(t, l, limits, 400); !d.Allowed || d.Statuses[0].Remaining != want || d.Statuses[0].Requested != 400 {
			t.Fatalf("%+v, want allowed with %d remaining", d, want)
		}
	}
	d := check(t, l, limits, 400)
	s := d.Statuses[0]
	// 200 tokens short at 1000 per minute: 12s.
	if d.Allowed || s.Remaining != 200 || s.Requested != 400 || d.RetryAfter != 12*time.Second {
		t.Fatalf("%+v, want rejected, 200 remaining, RetryAfter 12s", d)
	}
	// One request used 100 tokens, not the 400 estimated.
	adjust(t, l, limits, -300)
	if d := check(t, l, limits, 400); !d.Allowed || d.Statuses[0].Remaining != 100 {
		t.Fatalf("after giving back 300: %+v, want allowed with 100 remaining", d)
	}
}

func testTPMDebt(t *testing.T, l ratelimit.Limiter, clock *fakeClock) {
	limits := list(tpm("key:a", 1000))
	check(t, l, limits, 500)
	adjust(t, l, limits, 1500) // the answer was far longer than estimated: 2000 used
	d := check(t, l, limits, 0)
	if d.Allowed || d.Statuses[0].Remaining != 0 || d.RetryAfter != time.Minute || d.Statuses[0].Reset != 2*time.Minute {
		t.Fatalf("in debt: %+v, want rejected for a minute", d)
	}
	clock.Advance(time.Minute)
	if d := check(t, l, limits, 0); !d.Allowed {
		t.Fatalf("debt paid off: %+v", d)
	}
	// Exactly full: one more token waits 60ms.
	if d := check(t, l, limits, 1); d.Allowed || d.RetryAfter != 60*time.Millisecond {
		t.Fatalf("one token at full: %+v, want RetryAfter 60ms", d)
	}
}

func testTooLarge(t *testing.T, l ratelimit.Limiter, _ *fakeClock) {
	limits := list(rpm("key:a", 10), tpm("key:a", 1000))
	d := check(t, l, limits, 1001)
	r, _ := d.Rejection()
	if d.Allowed || !r.TooLarge || r.Kind != ratelimit.TPM || d.RetryAfter != 0 || r.RetryAfter != 0 {
		t.Fatalf("%+v, want rejected as too large with no RetryAfter", d)
	}
	if d := check(t, l, limits, 1000); !d.Allowed || d.Statuses[0].Remaining != 9 {
		t.Fatalf("a request of exactly the limit after a too-large one: %+v", d)
	}
}

func testRPMAndTPMTogether(t *testing.T, l ratelimit.Limiter, _ *fakeClock) {
	limits := ratelimit.Scoped("key:a", 2, 1000)
	if len(limits) != 2 {
		t.Fatalf("Scoped: %v", limits)
	}
	check(t, l, limits, 600)
	d := check(t, l, limits, 600)
	r, _ := d.Rejection()
	if d.Allowed || r.Kind != ratelimit.TPM || d.Statuses[0].Exceeded {
		t.Fatalf("%+v, want rejected by tpm only", d)
	}
	if d := check(t, l, limits, 300); !d.Allowed {
		t.Fatalf("%+v", d)
	}
	d = check(t, l, limits, 1)
	if r, _ := d.Rejection(); d.Allowed || r.Kind != ratelimit.RPM || d.Statuses[1].Exceeded {
		t.Fatalf("%+v, want rejected by rpm only", d)
	}
}

func testScopesIndependent(t *testing.T, l ratelimit.Limiter, _ *fakeClock) {
	for _, scope := range []string{"key:a", "key:b", "team:a", "deployment:gpt/eu west"} {
		if d := check(t, l, list(rpm(scope, 1)), 0); !d.Allowed {
			t.Errorf("%s: %+v", scope, d)
		}
	}
	// Same scope, other kind: its own counter.
	if d := check(t, l, list(tpm("key:a", 1)), 1); !d.Allowed {
		t.Errorf("key:a tpm: %+v", d)
	}
}

func testAdjustNoCredit(t *testing.T, l ratelimit.Limiter, _ *fakeClock) {
	limits := list(rpm("key:a", 1), tpm("key:a", 1000))
	adjust(t, l, limits, -500)
	if d := check(t, l, limits, 1000); !d.Allowed {
		t.Fatalf("%+v", d)
	}
	// The RPM limit was not touched by Adjust: one request used it up.
	d := check(t, l, list(limits[0]), 0)
	if d.Allowed {
		t.Fatalf("rpm after Adjust: %+v", d)
	}
	adjust(t, l, limits, 0)
}

func testInvalid(t *testing.T, l ratelimit.Limiter, _ *fakeClock) {
	ctx := context.Background()
	bad := map[string][]ratelimit.Limit{
		"no scope":     list(rpm("", 1)),
		"unknown":      list(ratelimit.Limit{Scope: "key:a", Kind: "rph", PerMinute: 1}),
		"zero":         list(rpm("key:a", 0)),
		"negative":     list(tpm("key:a", -5)),
		"huge":         list(rpm("key:a", ratelimit.MaxPerMinute+1)),
		"listed twice": list(rpm("key:a", 1), tpm("key:a", 5), rpm("key:a", 2)),
	}
	for name, limits := range bad {
		if _, err := l.Check(ctx, limits, 1); err == nil || !strings.HasPrefix(err.Error(), "ratelimit: ") {
			t.Errorf("Check %s: %v, want an error", name, err)
		}
		if err := l.Adjust(ctx, limits, 1); err == nil {
			t.Errorf("Adjust %s: no error", name)
		}
	}
	if _, err := l.Check(ctx, list(tpm("key:a", 5)), -1); err == nil {
		t.Error("negative tokens: no error")
	}
	if _, err := l.Check(ctx, list(tpm("key:a", 5)), ratelimit.MaxPerMinute+1); err == nil {
		t.Error("too many tokens: no error")
	}
	if err := l.Adjust(ctx, list(tpm("key:a", 5)), -ratelimit.MaxPerMinute-1); err == nil {
		t.Error("too large an adjustment: no error")
	}
}

func testNoLimits(t *testing.T, l ratelimit.Limiter, _ *fakeClock) {
	d, err := l.Check(context.Background(), nil, 1_000_000)
	if err != nil || !d.Allowed || len(d.Statuses) != 0 {
		t.Fatalf("%+v, %v", d, err)
	}
	if err := l.Adjust(context.Background(), nil, 5); err != nil {
		t.Fatal(err)
	}
}

func testConcurrentExact(t *testing.T, l ratelimit.Limiter, _ *fakeClock) {
	const n = 20
	limits := list(rpm("key:a", n), rpm("team:t", 10*n), tpm("key:a", 1_000_000))
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for range 3 * n {
		wg.Go(func() {
			d, err := l.Check(context.Background(), limits, 100)
			if err != nil {
				t.Error(err)
				return
			}
			if d.Allowed {
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	if got := allowed.Load(); got != n {
		t.Fatalf("%d of %d concurrent checks allowed, want exactly %d", got, 3*n, n)
	}
}

func testPeekAfterChecks(t *testing.T, l ratelimit.Limiter, clock *fakeClock) {
	limits := ratelimit.Scoped("key:a", 10, 1000)
	for range 3 {
		check(t, l, limits, 100)
	}
	d := peek(t, l, limits)
	r, tk := d.Statuses[0], d.Statuses[1]
	if !d.Allowed || r.Limit != limits[0] || r.Remaining != 7 || r.Reset != 18*time.Second || r.Exceeded ||
		tk.Limit != limits[1] || tk.Remaining != 700 || tk.Reset != 18*time.Second || tk.Exceeded {
		t.Fatalf("after 3 checks of 100 tokens: %+v, want 7 requests and 700 tokens remaining, full in 18s", d)
	}
	// The state drains as it does for Check: 6s gives back one request
	// and 100 tokens.
	clock.Advance(6 * time.Second)
	if d := peek(t, l, limits); d.Statuses[0].Remaining != 8 || d.Statuses[1].Remaining != 800 ||
		d.Statuses[0].Reset != 12*time.Second {
		t.Fatalf("6s later: %+v, want 8 and 800 remaining, full in 12s", d)
	}
}

func testPeekChargesNothing(t *testing.T, l ratelimit.Limiter, _ *fakeClock) {
	limits := list(rpm("key:a", 3), tpm("key:a", 1000))
	check(t, l, limits, 400)
	for range 10 {
		peek(t, l, limits)
	}
	// Exactly what remains after one check: two more requests, then the
	// third is refused by the RPM limit, and 200 tokens are left.
	for i, want := range []int64{1, 0} {
		if d := check(t, l, list(limits[0]), 0); !d.Allowed || d.Statuses[0].Remaining != want {
			t.Fatalf("check %d after the peeks: %+v, want allowed with %d remaining", i+2, d, want)
		}
	}
	if d := check(t, l, list(limits[0]), 0); d.Allowed {
		t.Fatalf("fourth request after the peeks: %+v, want refused", d)
	}
	if d := check(t, l, list(limits[1]), 400); !d.Allowed || d.Statuses[0].Remaining != 200 {
		t.Fatalf("tokens after the peeks: %+v, want allowed with 200 remaining", d)
	}
}

func testPeekUnknownScopes(t *testing.T, l ratelimit.Limiter, _ *fakeClock) {
	limits := list(rpm("key:never", 5), tpm("team:never", 1000), rpm("deployment:unused", 1))
	d := peek(t, l, limits)
	if !d.Allowed {
		t.Fatalf("%+v, want allowed", d)
	}
	for i, s := range d.Statuses {
		if s.Limit != limits[i] || s.Remaining != limits[i].PerMinute || s.Reset != 0 || s.Exceeded {
			t.Errorf("status %d: %+v, want the full %d remaining", i, s, limits[i].PerMinute)
		}
	}
	if d, err := l.Peek(context.Background(), nil); err != nil || !d.Allowed || len(d.Statuses) != 0 {
		t.Errorf("Peek of no limits: %+v, %v", d, err)
	}
	// Peeking created no state: a limit of one still admits one.
	if d := check(t, l, list(limits[2]), 0); !d.Allowed {
		t.Errorf("check after the peek: %+v", d)
	}
}

func testPeekExhausted(t *testing.T, l ratelimit.Limiter, _ *fakeClock) {
	key, team := rpm("key:a", 2), rpm("team:t", 100)
	check(t, l, list(key, team), 0)
	check(t, l, list(key, team), 0)
	d := peek(t, l, list(key, team))
	r, ok := d.Rejection()
	if d.Allowed || !ok || r.Scope != "key:a" || d.Statuses[0].Remaining != 0 || d.RetryAfter != 30*time.Second ||
		d.Statuses[1].Exceeded || d.Statuses[1].Remaining != 98 {
		t.Fatalf("%+v, want the key's limit to refuse the next request for 30s", d)
	}
}

func testPeekInvalid(t *testing.T, l ratelimit.Limiter, _ *fakeClock) {
	for name, limits := range map[string][]ratelimit.Limit{
		"no scope":     list(rpm("", 1)),
		"zero":         list(tpm("key:a", 0)),
		"listed twice": list(rpm("key:a", 1), rpm("key:a", 2)),
	} {
		if _, err := l.Peek(context.Background(), limits); err == nil || !strings.HasPrefix(err.Error(), "ratelimit: ") {
			t.Errorf("Peek %s: %v, want an error", name, err)
		}
	}
}
