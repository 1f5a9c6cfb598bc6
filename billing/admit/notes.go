package admit

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/switchboard-gw/switchboard/billing/ratelimit"
)

// Response headers of admission, besides billing/ratelimit's
// x-ratelimit-* ones.
const (
	// HeaderIdempotentReplay is "true" on an answer replayed from an
	// earlier request with the same Idempotency-Key.
	HeaderIdempotentReplay = "X-Switchboard-Idempotent-Replay"
	// HeaderDowngraded names the alias a downgrade budget sent the request
	// to instead of the one asked for.
	HeaderDowngraded = "X-Switchboard-Downgraded-To"
	// HeaderBudgetRemaining and HeaderBudgetReset describe, on a request
	// refused by a budget, what is left of it (US dollars, decimal) and
	// when its window resets (RFC 3339, UTC; absent for a lifetime
	// budget).
	HeaderBudgetRemaining = "X-Switchboard-Budget-Remaining-Usd"
	HeaderBudgetReset     = "X-Switchboard-Budget-Reset"
	// HeaderMaxCost is the request header carrying a per-request cost cap
	// in US dollars ("0.05").
	HeaderMaxCost = "X-Switchboard-Max-Cost"
	// HeaderIdempotencyKey is the request header of the idempotency key.
	HeaderIdempotencyKey = "Idempotency-Key"
	// LimitKindBudget is X-Switchboard-Limit-Kind on a budget refusal
	// (rate limits use "rpm" and "tpm").
	LimitKindBudget = "budget"
)

// Notes carry a request's admission options from a transport to the core
// (WithNotes), and what admission decided back to the transport, which
// writes it as headers (SetHeaders). A request without Notes is admitted
// without an idempotency key or cost cap.
type Notes struct {
	// IdempotencyKey is the client's Idempotency-Key (header or proto
	// field); empty for none.
	IdempotencyKey string
	// MaxCostNanoUSD caps the request's worst-case cost; 0 for none.
	MaxCostNanoUSD int64

	// Set by admission.
	//
	// RateLimit is the decision of the key's, team's and user's rate
	// limits (HasRateLimit when they were checked).
	RateLimit    ratelimit.Decision
	HasRateLimit bool
	// Replayed is set when the answer is an idempotent replay.
	Replayed bool
	// DowngradedTo is the alias a downgrade budget chose, if it did.
	DowngradedTo string
}

type notesKey struct{}

// WithNotes returns ctx carrying n, for the core to read and fill in.
func WithNotes(ctx context.Context, n *Notes) context.Context {
	return context.WithValue(ctx, notesKey{}, n)
}

// NotesFrom returns the Notes in ctx, or nil.
func NotesFrom(ctx context.Context) *Notes {
	n, _ := ctx.Value(notesKey{}).(*Notes)
	return n
}

// SetHeaders writes what admission decided for a request that was served
// (or replayed): the x-ratelimit-* headers, the replay marker and the
// downgrade. A nil n writes nothing.
func SetHeaders(h http.Header, n *Notes) {
	if n == nil {
		return
	}
	if n.HasRateLimit {
		ratelimit.SetHeaders(h, n.RateLimit)
	}
	if n.Replayed {
		h.Set(HeaderIdempotentReplay, "true")
	}
	if n.DowngradedTo != "" {
		h.Set(HeaderDowngraded, n.DowngradedTo)
	}
}

// SetErrorHeaders writes the headers of a refusal found in err's chain: a
// rate limit's x-ratelimit-*, Retry-After and X-Switchboard-Limit-Kind, or
// a budget's kind, remaining amount, reset time and Retry-After. It writes
// nothing for other errors. Both HTTP front doors and the Connect error
// metadata use it.
func SetErrorHeaders(h http.Header, err error) {
	if d, ok := ratelimit.DecisionOf(err); ok {
		ratelimit.SetHeaders(h, d)
		return
	}
	if u, ok := BudgetRefusalOf(err); ok {
		h.Set(ratelimit.HeaderLimitKind, LimitKindBudget)
		h.Set(HeaderBudgetRemaining, FormatUSD(u.RemainingNano))
		if !u.ResetAt.IsZero() {
			h.Set(HeaderBudgetReset, u.ResetAt.UTC().Format(time.RFC3339))
			if wait := u.ResetAt.Sub(timeNow()); wait > 0 {
				h.Set(ratelimit.HeaderRetryAfter, strconv.FormatInt(int64((wait+time.Second-1)/time.Second), 10))
			}
		}
	}
}

// timeNow is the clock of SetErrorHeaders' Retry-After.
var timeNow = time.Now
