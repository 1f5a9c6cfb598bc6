package ratelimit

import (
	"net/http"
	"strconv"
	"time"
)

// Response headers, in canonical form. The x-ratelimit-* ones are
// OpenAI's; HeaderLimitKind says which kind of limit rejected a request
// ("rpm", "tpm"; the budget layer uses "budget").
const (
	HeaderLimitRequests     = "X-Ratelimit-Limit-Requests"
	HeaderRemainingRequests = "X-Ratelimit-Remaining-Requests"
	HeaderResetRequests     = "X-Ratelimit-Reset-Requests"
	HeaderLimitTokens       = "X-Ratelimit-Limit-Tokens"
	HeaderRemainingTokens   = "X-Ratelimit-Remaining-Tokens"
	HeaderResetTokens       = "X-Ratelimit-Reset-Tokens"
	HeaderRetryAfter        = "Retry-After"
	HeaderRetryAfterMs      = "Retry-After-Ms"
	HeaderLimitKind         = "X-Switchboard-Limit-Kind"
)

// SetHeaders writes d as response headers into h: the HTTP response of the
// OpenAI shim, or the metadata of a Connect response or error. It is pure
// and cheap, so both transports call it on every response.
//
// For each kind, the headers describe the limit that binds: the one that
// rejected the request, or else the one with the least remaining (a key,
// its team and a deployment may all be limited; the caller needs the
// tightest). A rejection adds Retry-After (whole seconds, rounded up),
// Retry-After-Ms (which OpenAI's SDKs prefer) and X-Switchboard-Limit-Kind;
// Retry-After is left out when the request can never fit (TooLarge). A
// degraded decision writes nothing: the limits were not read.
func SetHeaders(h http.Header, d Decision) {
	if d.Degraded || len(d.Statuses) == 0 {
		return
	}
	if s, ok := binding(d.Statuses, RPM); ok {
		h[HeaderLimitRequests] = []string{strconv.FormatInt(s.PerMinute, 10)}
		h[HeaderRemainingRequests] = []string{strconv.FormatInt(s.Remaining, 10)}
		h[HeaderResetRequests] = []string{formatDuration(s.Reset)}
	}
	if s, ok := binding(d.Statuses, TPM); ok {
		h[HeaderLimitTokens] = []string{strconv.FormatInt(s.PerMinute, 10)}
		h[HeaderRemainingTokens] = []string{strconv.FormatInt(s.Remaining, 10)}
		h[HeaderResetTokens] = []string{formatDuration(s.Reset)}
	}
	r, rejected := d.Rejection()
	if !rejected {
		return
	}
	h[HeaderLimitKind] = []string{string(r.Kind)}
	if d.RetryAfter > 0 {
		secs := int64((d.RetryAfter + time.Second - 1) / time.Second)
		h[HeaderRetryAfter] = []string{strconv.FormatInt(secs, 10)}
		h[HeaderRetryAfterMs] = []string{strconv.FormatInt(int64((d.RetryAfter+time.Millisecond-1)/time.Millisecond), 10)}
	}
}

// binding picks the status of kind to report: an exceeded one (the
// longest wait first), else the one with the least remaining, else the
// first listed.
func binding(statuses []Status, kind Kind) (best Status, ok bool) {
	for _, s := range statuses {
		if s.Kind != kind {
			continue
		}
		if !ok || better(s, best) {
			best, ok = s, true
		}
	}
	return best, ok
}

func better(s, than Status) bool {
	if s.Exceeded != than.Exceeded {
		return s.Exceeded
	}
	if s.Exceeded {
		return s.TooLarge && !than.TooLarge || s.TooLarge == than.TooLarge && s.RetryAfter > than.RetryAfter
	}
	return s.Remaining < than.Remaining
}
