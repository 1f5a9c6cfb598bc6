package auth_test

import (
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
)

func TestFailedAuthenticationsAreRateLimitedPerAddress(t *testing.T) {
	ctx := t.Context()
	clock := newFakeClock()
	limiter := auth.NewFailureLimiter(3, time.Minute) // a token back every 20 s
	limiter.SetClock(clock.Now)
	keys, _, _ := newKeys(t, auth.WithFailureLimiter(limiter))
	_, good := mustCreate(t, keys, auth.CreateKeyParams{Name: "good"})
	bad := auth.GenerateSecret()
	const attacker, bystander = "203.0.113.7:50000", "198.51.100.1:1234"

	for i := range 3 {
		_, err := keys.VerifyFrom(ctx, bad, attacker)
		assertError(t, err, llm.KindUnauthenticated, auth.ErrUnknownKey)
		_ = i
	}
	// Out of allowance: refused before the key is looked at, good or bad,
	// so the answer tells nothing about the key.
	for _, s := range []string{bad, good} {
		_, err := keys.VerifyFrom(ctx, s, "203.0.113.7:60000")
		e := assertError(t, err, llm.KindRateLimited, auth.ErrTooManyFailures)
		if e.RetryAfter != 20*time.Second {
			t.Errorf("RetryAfter %s, want 20s", e.RetryAfter)
		}
	}
	// Other addresses are not affected, and a missing key is not a failure.
	if _, err := keys.VerifyFrom(ctx, good, bystander); err != nil {
		t.Errorf("bystander: %v", err)
	}
	for range 5 {
		_, err := keys.VerifyFrom(ctx, "", bystander)
		assertError(t, err, llm.KindUnauthenticated, auth.ErrMissingKey)
	}
	if _, err := keys.VerifyFrom(ctx, good, bystander); err != nil {
		t.Errorf("bystander after sending no key: %v", err)
	}
	// The admin door shares the allowance.
	_, err := keys.VerifyAdminFrom(ctx, auth.GenerateAdminKey(), attacker)
	assertError(t, err, llm.KindRateLimited, nil)

	// One token comes back after 20 s: one more try, then refused again.
	clock.Advance(20 * time.Second)
	if _, err := keys.VerifyFrom(ctx, good, attacker); err != nil {
		t.Errorf("after the refill: %v", err)
	}
	keys.VerifyFrom(ctx, bad, attacker)
	_, err = keys.VerifyFrom(ctx, good, attacker)
	assertError(t, err, llm.KindRateLimited, nil)
}

func TestIPv6AddressesAreLimitedBySlash64(t *testing.T) {
	ctx := t.Context()
	limiter := auth.NewFailureLimiter(1, time.Hour)
	keys, _, _ := newKeys(t, auth.WithFailureLimiter(limiter))
	keys.VerifyFrom(ctx, auth.GenerateSecret(), "[2001:db8:1:2::1]:443")
	_, err := keys.VerifyFrom(ctx, auth.GenerateSecret(), "[2001:db8:1:2:ffff::9]:443")
	assertError(t, err, llm.KindRateLimited, nil)
	_, err = keys.VerifyFrom(ctx, auth.GenerateSecret(), "[2001:db8:1:3::1]:443")
	assertError(t, err, llm.KindUnauthenticated, nil)
}

func TestNoLimiterMeansNoLimit(t *testing.T) {
	if auth.NewFailureLimiter(0, time.Minute) != nil {
		t.Fatal("a limit of 0 failures must disable the limiter")
	}
	keys, _, _ := newKeys(t)
	for range 50 {
		_, err := keys.VerifyFrom(t.Context(), auth.GenerateSecret(), "192.0.2.1:1")
		assertError(t, err, llm.KindUnauthenticated, nil)
	}
}
