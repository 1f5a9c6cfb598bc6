package wire

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxRetryAfter bounds what an upstream can ask for; a larger value is a
// misreading (a date in the past century, a bogus header) rather than advice.
const maxRetryAfter = 24 * time.Hour

// RetryAfter reads how long the upstream asked the client to wait:
// retry-after-ms (OpenAI's SDK header), then Retry-After as seconds or an
// HTTP date. It reports false when neither is present and valid.
func RetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := h.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && ms >= 0 {
			return clampRetry(time.Duration(ms * float64(time.Millisecond))), true
		}
	}
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
			return clampRetry(time.Duration(s * float64(time.Second))), true
		}
		if t, err := http.ParseTime(v); err == nil {
			return clampRetry(t.Sub(now)), true
		}
	}
	return 0, false
}

// RateLimitReset reads OpenAI's x-ratelimit-reset-requests / -tokens
// durations ("120ms", "6m0s", "1.5s"). When a remaining-* header says which
// limit is exhausted, that limit's reset is used; otherwise the longer one,
// so a retry does not come too early.
func RateLimitReset(h http.Header) (time.Duration, bool) {
	reqs, okR := parseResetDuration(h.Get("X-Ratelimit-Reset-Requests"))
	toks, okT := parseResetDuration(h.Get("X-Ratelimit-Reset-Tokens"))
	switch {
	case okR && strings.TrimSpace(h.Get("X-Ratelimit-Remaining-Requests")) == "0":
		return reqs, true
	case okT && strings.TrimSpace(h.Get("X-Ratelimit-Remaining-Tokens")) == "0":
		return toks, true
	case okR || okT:
		return max(reqs, toks), true
	}
	return 0, false
}

func parseResetDuration(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return clampRetry(d), true
	}
	// Some compatible vendors send plain seconds.
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return clampRetry(time.Duration(s * float64(time.Second))), true
	}
	return 0, false
}

func clampRetry(d time.Duration) time.Duration {
	return min(max(d, 0), maxRetryAfter)
}
