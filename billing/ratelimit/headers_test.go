package ratelimit_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/ratelimit"
	"github.com/switchboard-gw/switchboard/llm"
)

func headersOf(d ratelimit.Decision) http.Header {
	h := http.Header{}
	ratelimit.SetHeaders(h, d)
	return h
}

func wantHeaders(t *testing.T, h http.Header, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	for k := range h {
		if _, ok := want[k]; !ok {
			if _, ok := want[strings.ToLower(k)]; !ok {
				t.Errorf("unexpected header %s: %q", k, h.Get(k))
			}
		}
	}
}

// The headers describe the tightest limit of each kind: here the team's
// RPM (4 left of 5) rather than the key's (9 of 10).
func TestHeadersOfAnAllowedRequestDescribeTheTightestLimits(t *testing.T) {
	m := ratelimit.NewMemory(ratelimit.MemoryOptions{Clock: newFakeClock().Now})
	limits := append(ratelimit.Scoped("key:k", 10, 1000), ratelimit.Scoped("team:t", 5, 0)...)
	d := check(t, m, limits, 100)
	wantHeaders(t, headersOf(d), map[string]string{
		"x-ratelimit-limit-requests":     "5",
		"x-ratelimit-remaining-requests": "4",
		"x-ratelimit-reset-requests":     "12s",
		"x-ratelimit-limit-tokens":       "1000",
		"x-ratelimit-remaining-tokens":   "900",
		"x-ratelimit-reset-tokens":       "6s",
	})
	if err := d.Err(); err != nil {
		t.Errorf("Err() of an allowed request: %v", err)
	}
}

func TestHeadersOfARejectedRequest(t *testing.T) {
	m := ratelimit.NewMemory(ratelimit.MemoryOptions{Clock: newFakeClock().Now})
	limits := append(ratelimit.Scoped("key:k", 7, 0), ratelimit.Scoped("team:secret-team-id", 100, 0)...)
	for range 7 {
		check(t, m, limits, 0)
	}
	d := check(t, m, limits, 0)
	wantHeaders(t, headersOf(d), map[string]string{
		"x-ratelimit-limit-requests":     "7",
		"x-ratelimit-remaining-requests": "0",
		"x-ratelimit-reset-requests":     "1m0s",
		"retry-after":                    "9", // 8.572s, rounded up
		"retry-after-ms":                 "8572",
		"x-switchboard-limit-kind":       "rpm",
	})
	err := d.Err()
	if err == nil || err.Kind != llm.KindRateLimited || err.RetryAfter != 8572*time.Millisecond || err.Code != "rate_limit_exceeded" {
		t.Fatalf("Err() = %#v", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "requests per minute (rpm) of the key") || !strings.Contains(msg, "try again in 8.572s") {
		t.Errorf("message %q", msg)
	}
	// A transport given only the error (wrapped on its way up) finds the
	// decision, to write the headers.
	got, ok := ratelimit.DecisionOf(fmt.Errorf("chat: %w", err))
	if !ok || got.RetryAfter != d.RetryAfter || headersOf(got).Get("Retry-After") != "9" {
		t.Errorf("DecisionOf: %+v, %v", got, ok)
	}
	if _, ok := ratelimit.DecisionOf(errors.New("other")); ok {
		t.Error("DecisionOf found a decision in an unrelated error")
	}
}

func TestHeadersOfARequestTooLargeForItsLimit(t *testing.T) {
	m := ratelimit.NewMemory(ratelimit.MemoryOptions{Clock: newFakeClock().Now})
	limits := ratelimit.Scoped("team:secret-team-id", 0, 1000)
	d := check(t, m, limits, 5000)
	wantHeaders(t, headersOf(d), map[string]string{
		"x-ratelimit-limit-tokens":     "1000",
		"x-ratelimit-remaining-tokens": "1000",
		"x-ratelimit-reset-tokens":     "0s",
		"x-switchboard-limit-kind":     "tpm",
	})
	err := d.Err()
	if err == nil || err.RetryAfter != 0 || !strings.Contains(err.Message, "Request too large for tokens per minute (tpm) of the team: limit 1000, requested 5000") {
		t.Fatalf("Err() = %#v", err)
	}
	// The message names the kind of scope, never its id.
	if strings.Contains(err.Message, "secret-team-id") {
		t.Errorf("the message shows the scope's id: %q", err.Message)
	}
}

func TestHeadersOfADegradedDecisionAreEmpty(t *testing.T) {
	if h := headersOf(ratelimit.Decision{Allowed: true, Degraded: true}); len(h) != 0 {
		t.Errorf("headers %v", h)
	}
	if h := headersOf(ratelimit.Decision{Allowed: true}); len(h) != 0 {
		t.Errorf("headers %v", h)
	}
}

// Rejection prefers a limit the request can never fit in, then the one
// that frees up last.
func TestRejectionPicksTheBindingLimit(t *testing.T) {
	d := ratelimit.Decision{Statuses: []ratelimit.Status{
		{Limit: ratelimit.Limit{Scope: "key:a", Kind: ratelimit.RPM}, Exceeded: true, RetryAfter: time.Second},
		{Limit: ratelimit.Limit{Scope: "team:t", Kind: ratelimit.RPM}, Exceeded: true, RetryAfter: 3 * time.Second},
		{Limit: ratelimit.Limit{Scope: "deployment:d", Kind: ratelimit.RPM}},
	}}
	if r, ok := d.Rejection(); !ok || r.Scope != "team:t" {
		t.Errorf("Rejection() = %+v, %v; want team:t", r, ok)
	}
	d.Statuses = append(d.Statuses, ratelimit.Status{Limit: ratelimit.Limit{Scope: "key:a", Kind: ratelimit.TPM}, Exceeded: true, TooLarge: true})
	if r, ok := d.Rejection(); !ok || r.Kind != ratelimit.TPM {
		t.Errorf("Rejection() = %+v, %v; want the too-large tpm limit", r, ok)
	}
	d.Allowed = true
	if _, ok := d.Rejection(); ok {
		t.Error("Rejection() of an allowed decision")
	}
}
