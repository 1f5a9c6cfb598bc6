package ratelimit

import (
	"context"
	"fmt"
	"strings"
)

// Kind is what a limit counts.
type Kind string

// The kinds of limit.
const (
	// RPM counts requests per minute: every check costs one.
	RPM Kind = "rpm"
	// TPM counts tokens per minute: a check costs the request's estimated
	// tokens, corrected to the actual count afterwards with Adjust.
	TPM Kind = "tpm"
)

// MaxPerMinute bounds a limit, a request's tokens and an adjustment, so
// that the arithmetic stays exact in Redis's Lua (whose numbers are
// doubles, exact up to 2^53).
const MaxPerMinute = 10_000_000_000

// Limit is one rate to enforce.
type Limit struct {
	// Scope names what is limited, by convention "key:<id>", "team:<id>",
	// "user:<id>" or "deployment:<name>". Checks that name the same scope
	// and kind share one counter, across every instance using the same
	// Redis.
	Scope string
	Kind  Kind
	// PerMinute is the number of requests (RPM) or tokens (TPM) admitted
	// per minute; a full minute's worth may be used at once (the burst).
	PerMinute int64
}

// Scoped returns the limits of one scope: an RPM limit when rpm > 0 and a
// TPM limit when tpm > 0 (zero means no limit, as in auth.Limits and the
// deployments' configuration).
func Scoped(scope string, rpm, tpm int64) []Limit {
	var out []Limit
	if rpm > 0 {
		out = append(out, Limit{Scope: scope, Kind: RPM, PerMinute: rpm})
	}
	if tpm > 0 {
		out = append(out, Limit{Scope: scope, Kind: TPM, PerMinute: tpm})
	}
	return out
}

// Limiter enforces rate limits. Both implementations (Memory, Redis) have
// the same semantics; see the package documentation.
type Limiter interface {
	// Check admits a request against every limit at once, or against none:
	// when one limit rejects it, no limit is charged. RPM limits are
	// charged one request, TPM limits requestTokens (the estimate; 0 when
	// unknown, which still waits out a debt). The error is non-nil only
	// when the limits are malformed or the check could not be made (the
	// Redis limiter, failing closed).
	Check(ctx context.Context, limits []Limit, requestTokens int64) (Decision, error)
	// Adjust adds delta tokens (negative to give some back) to the TPM
	// limits of limits, without checking them: the difference between the
	// actual tokens of a request and the estimate Check charged. A limit
	// may go into debt, which holds back later requests until it is paid
	// off. RPM limits in the list are skipped, so the list given to Check
	// can be passed as it is.
	Adjust(ctx context.Context, limits []Limit, delta int64) error
	// Peek reports where limits stand without charging or changing
	// anything: each Status's Remaining and Reset are those a Check would
	// start from, and Allowed tells whether a request (of zero tokens)
	// would be admitted now. It reads unknown scopes as full. The Redis
	// limiter reports a Redis it cannot reach as a Degraded Decision, with
	// no Statuses, whatever its FailureMode: a read admits nothing.
	Peek(ctx context.Context, limits []Limit) (Decision, error)
}

// validate checks a list of limits and a request's tokens (or an
// adjustment's delta, as its absolute value).
func validate(limits []Limit, tokens int64) error {
	if tokens < 0 || tokens > MaxPerMinute {
		return fmt.Errorf("ratelimit: %d tokens is out of range [0, %d]", tokens, int64(MaxPerMinute))
	}
	for i, l := range limits {
		switch {
		case l.Scope == "":
			return fmt.Errorf("ratelimit: limit %d has no scope", i)
		case l.Kind != RPM && l.Kind != TPM:
			return fmt.Errorf("ratelimit: limit %d (%s) has unknown kind %q (want rpm or tpm)", i, l.Scope, l.Kind)
		case l.PerMinute <= 0 || l.PerMinute > MaxPerMinute:
			return fmt.Errorf("ratelimit: %s %s limit %d is out of range [1, %d]", l.Scope, l.Kind, l.PerMinute, int64(MaxPerMinute))
		}
		for _, earlier := range limits[:i] {
			if earlier.Scope == l.Scope && earlier.Kind == l.Kind {
				return fmt.Errorf("ratelimit: %s %s is listed twice", l.Scope, l.Kind)
			}
		}
	}
	return nil
}

// scopeNoun is what a scope names, for messages: "key" for "key:abc".
func scopeNoun(scope string) string {
	noun, _, ok := strings.Cut(scope, ":")
	if !ok {
		return ""
	}
	switch noun {
	case "key", "team", "user", "deployment":
		return noun
	}
	return ""
}
