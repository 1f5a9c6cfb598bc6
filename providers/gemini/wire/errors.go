package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// maxMessageLen bounds an upstream message copied into an error.
const maxMessageLen = 1000

// maxRetryAfter bounds what an upstream can ask for; more is a misreading.
const maxRetryAfter = 24 * time.Hour

// googleError is what is read from an error body.
type googleError struct {
	Code       int
	Message    string
	Status     string
	Reason     string        // the first ErrorInfo reason
	RetryDelay time.Duration // from a RetryInfo detail
	HasDelay   bool
	JSON       bool
}

// parseGoogleError reads {"error": {code, message, status, details}}, also
// wrapped in an array (the JSON-array form of streamGenerateContent).
func parseGoogleError(body []byte) googleError {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		var arr []json.RawMessage
		if json.Unmarshal(body, &arr) == nil && len(arr) > 0 {
			body = arr[0]
		}
	}
	var eb struct {
		Error *Status `json:"error"`
	}
	if json.Unmarshal(body, &eb) != nil {
		return googleError{}
	}
	ge := googleError{JSON: true}
	if eb.Error == nil {
		return ge
	}
	ge.Code, ge.Message, ge.Status = eb.Error.Code, eb.Error.Message, eb.Error.Status
	for _, raw := range eb.Error.Details {
		var d struct {
			Type       string `json:"@type"`
			Reason     string `json:"reason"`
			RetryDelay string `json:"retryDelay"`
		}
		if json.Unmarshal(raw, &d) != nil {
			continue
		}
		if d.Reason != "" && ge.Reason == "" && strings.HasSuffix(d.Type, "google.rpc.ErrorInfo") {
			ge.Reason = d.Reason
		}
		if d.RetryDelay != "" && strings.HasSuffix(d.Type, "google.rpc.RetryInfo") {
			if v, err := time.ParseDuration(d.RetryDelay); err == nil && v >= 0 {
				ge.RetryDelay, ge.HasDelay = min(v, maxRetryAfter), true
			}
		}
	}
	return ge
}

// ClassifyError turns a Gemini error response (or an error object met in a
// stream, with status 0) into the one error type that crosses layers. It is
// the only place that decides what a Gemini failure means:
//
//	reason API_KEY_INVALID (a 400)          Unauthenticated
//	400 "input token count ... exceeds"     ContextTooLong
//	400 FAILED_PRECONDITION                 PermissionDenied (region, billing)
//	other 400, 413, other 4xx               InvalidRequest
//	401 / 403 / 404                         Unauthenticated / PermissionDenied / NotFound
//	429 RESOURCE_EXHAUSTED                  RateLimited
//	503 UNAVAILABLE                         Overloaded
//	504 DEADLINE_EXCEEDED, 408              Timeout
//	500 INTERNAL, other 5xx                 Upstream
//
// RetryAfter comes from the Retry-After header, else from a
// google.rpc.RetryInfo detail ("retryDelay": "30s"). Messages are Gemini's
// own with key-like text redacted, except for credential failures, which
// get a fixed sentence so that nothing about the key is ever echoed.
func ClassifyError(provider string, status int, h http.Header, body []byte) *llm.Error {
	ge := parseGoogleError(body)
	effective := status
	if effective < 400 {
		effective = statusOfErrorObject(ge)
	}
	kind := kindOf(effective, ge)
	e := &llm.Error{Kind: kind, Provider: provider, Status: effective}
	e.Code = safeCode(ge.Reason)
	if e.Code == "" {
		e.Code = safeCode(ge.Status)
	}
	if d, ok := retryAfterHeader(h, time.Now()); ok {
		e.RetryAfter = d
	} else if ge.HasDelay {
		e.RetryAfter = ge.RetryDelay
	}
	e.Message = errorMessage(provider, kind, effective, ge)
	e.Err = fmt.Errorf("upstream status %d: %s", status, redactSecrets(snippet(body, 300)))
	return e
}

// statusOfErrorObject infers the HTTP status of an error met in a stream:
// its code, else its canonical status name. 0 when it cannot tell.
func statusOfErrorObject(ge googleError) int {
	if ge.Code >= 400 && ge.Code <= 599 {
		return ge.Code
	}
	if s, ok := statusByName[ge.Status]; ok {
		return s
	}
	return 0
}

// statusByName maps google.rpc.Code names to their HTTP statuses.
var statusByName = map[string]int{
	"INVALID_ARGUMENT": 400, "FAILED_PRECONDITION": 400, "OUT_OF_RANGE": 400,
	"UNAUTHENTICATED": 401, "PERMISSION_DENIED": 403, "NOT_FOUND": 404,
	"ALREADY_EXISTS": 409, "ABORTED": 409, "RESOURCE_EXHAUSTED": 429, "CANCELLED": 499,
	"INTERNAL": 500, "UNKNOWN": 500, "DATA_LOSS": 500, "NOT_IMPLEMENTED": 501, "UNIMPLEMENTED": 501,
	"UNAVAILABLE": 503, "DEADLINE_EXCEEDED": 504,
}

func kindOf(status int, ge googleError) llm.Kind {
	switch ge.Reason {
	case "API_KEY_INVALID", "API_KEY_EXPIRED", "ACCESS_TOKEN_EXPIRED", "ACCESS_TOKEN_TYPE_UNSUPPORTED":
		return llm.KindUnauthenticated
	case "API_KEY_SERVICE_BLOCKED", "API_KEY_HTTP_REFERRER_BLOCKED", "API_KEY_IP_ADDRESS_BLOCKED", "SERVICE_DISABLED":
		return llm.KindPermissionDenied
	}
	switch status {
	case http.StatusBadRequest:
		switch {
		case isContextTooLong(ge.Message):
			return llm.KindContextTooLong
		case ge.Status == "FAILED_PRECONDITION":
			return llm.KindPermissionDenied
		}
		return llm.KindInvalidRequest
	case http.StatusUnauthorized:
		return llm.KindUnauthenticated
	case http.StatusForbidden:
		return llm.KindPermissionDenied
	case http.StatusNotFound:
		return llm.KindNotFound
	case http.StatusRequestTimeout, http.StatusGatewayTimeout:
		return llm.KindTimeout
	case http.StatusTooManyRequests:
		return llm.KindRateLimited
	case http.StatusServiceUnavailable:
		return llm.KindOverloaded
	}
	if status >= 400 && status < 500 && status != 499 {
		return llm.KindInvalidRequest
	}
	if status == 0 && isContextTooLong(ge.Message) {
		return llm.KindContextTooLong
	}
	return llm.KindUpstream
}

func isContextTooLong(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "exceeds the maximum number of tokens") ||
		(strings.Contains(m, "input token count") && strings.Contains(m, "exceed")) ||
		strings.Contains(m, "context window") || strings.Contains(m, "context length")
}

func errorMessage(provider string, kind llm.Kind, status int, ge googleError) string {
	switch kind {
	case llm.KindUnauthenticated:
		return "the provider rejected the gateway's credentials for " + provider
	case llm.KindPermissionDenied:
		if status == http.StatusBadRequest && ge.Status == "FAILED_PRECONDITION" && ge.Message != "" {
			break // "User location is not supported for the API use." is safe and useful
		}
		return "the provider refused the gateway's credentials permission for this request (" + provider + ")"
	}
	if msg := strings.TrimSpace(ge.Message); msg != "" {
		msg = redactSecrets(msg)
		if len(msg) > maxMessageLen {
			msg = truncateUTF8(msg, maxMessageLen) + "..."
		}
		return msg
	}
	switch {
	case status == 0:
		return provider + " reported an error without a message"
	case !ge.JSON:
		return fmt.Sprintf("%s answered HTTP %d %s with a non-JSON body", provider, status, http.StatusText(status))
	}
	return fmt.Sprintf("%s answered HTTP %d %s", provider, status, http.StatusText(status))
}

// retryAfterHeader reads Retry-After as seconds or an HTTP date.
func retryAfterHeader(h http.Header, now time.Time) (time.Duration, bool) {
	if h == nil {
		return 0, false
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return min(time.Duration(s*float64(time.Second)), maxRetryAfter), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), maxRetryAfter), true
	}
	return 0, false
}

// safeCode keeps a code only when it looks like an identifier: it is
// forwarded to callers as-is.
func safeCode(c string) string {
	if c == "" || len(c) > 64 {
		return ""
	}
	for i := 0; i < len(c); i++ {
		ch := c[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '_' || ch == '-' || ch == '.') {
			return ""
		}
	}
	return c
}

func snippet(body []byte, n int) string {
	s := strings.TrimSpace(string(body))
	if len(s) > n {
		return truncateUTF8(s, n) + "..."
	}
	return s
}

func truncateUTF8(s string, n int) string {
	if n >= len(s) {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
