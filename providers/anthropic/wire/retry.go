package wire

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxRetryAfter bounds what an upstream can ask for; a larger value is a
// misreading rather than advice.
const maxRetryAfter = 24 * time.Hour

// RetryAfter reads how long the upstream asked the client to wait:
// retry-after-ms, then retry-after as seconds or an HTTP date. It reports
// false when neither is present and valid. (Anthropic also sends
// retry-after on successful responses; only error responses read it.)
func RetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 {
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

// rateLimitFamilies are the anthropic-ratelimit-<family>-{remaining,reset}
// header families, the most specific first.
var rateLimitFamilies = []string{"requests", "input-tokens", "output-tokens", "tokens"}

// RateLimitReset reads the anthropic-ratelimit-*-reset headers (RFC 3339
// times) of a 429 without retry-after: the reset of the first exhausted
// limit (its -remaining is 0), else the latest reset, so that a retry does
// not come too early. It reports false when no reset header is valid.
func RateLimitReset(h http.Header, now time.Time) (time.Duration, bool) {
	var latest time.Duration
	found := false
	for _, fam := range rateLimitFamilies {
		v := strings.TrimSpace(h.Get("Anthropic-Ratelimit-" + fam + "-Reset"))
		if v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			continue
		}
		d := clampRetry(t.Sub(now))
		if strings.TrimSpace(h.Get("Anthropic-Ratelimit-"+fam+"-Remaining")) == "0" {
			return d, true
		}
		latest, found = max(latest, d), true
	}
	return latest, found
}

func clampRetry(d time.Duration) time.Duration {
	return min(max(d, 0), maxRetryAfter)
}
