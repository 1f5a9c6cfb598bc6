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

// upstreamError is what can be read from an error body, whatever its shape:
// OpenAI's {"error": {message, type, param, code}}, Ollama's
// {"error": "text"}, Mistral's and vLLM's top-level {message, type, code} with
// a message that may be an object and a code that may be a number, FastAPI's
// {"detail": ...}.
type upstreamError struct {
	Message string
	Type    string
	Param   string
	Code    string
	// NumericCode is set when code was a number (vLLM, OpenRouter send the
	// HTTP status there).
	NumericCode int
	JSON        bool
}

func parseUpstreamError(body []byte) upstreamError {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return upstreamError{}
	}
	ue := upstreamError{JSON: true}
	fields := top
	if raw, ok := top["error"]; ok {
		raw = bytes.TrimSpace(raw)
		var inner map[string]json.RawMessage
		switch {
		case len(raw) > 0 && raw[0] == '{' && json.Unmarshal(raw, &inner) == nil:
			fields = inner
		case len(raw) > 0 && raw[0] == '"':
			ue.Message = rawText(raw)
		}
	}
	if ue.Message == "" {
		ue.Message = rawText(fields["message"])
	}
	if ue.Message == "" {
		ue.Message = rawText(top["detail"])
	}
	ue.Type = rawText(fields["type"])
	ue.Param = rawText(fields["param"])
	code := bytes.TrimSpace(fields["code"])
	if len(code) > 0 && code[0] != '"' && code[0] != 'n' {
		if n, err := strconv.Atoi(string(code)); err == nil {
			ue.NumericCode = n
		}
	}
	ue.Code = rawText(code)
	return ue
}

// rawText returns a JSON string's value, or the compact JSON text of any
// other value, or "" for null and absent values.
func rawText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) == nil {
		return b.String()
	}
	return string(raw)
}

// ClassifyError turns an upstream error response (or an error object met in
// a stream, with status 0) into the one error type that crosses layers. It is
// the only place that decides what an OpenAI-format failure means:
//
//	400 context_length_exceeded            ContextTooLong
//	400 content_filter / content_policy    ContentFiltered
//	other 400, 413, 422, other 4xx         InvalidRequest
//	401 / 403 / 404                        Unauthenticated / PermissionDenied / NotFound
//	408, 504                               Timeout
//	429                                    RateLimited, RetryAfter from the headers
//	503, 529                               Overloaded
//	500, 502, other 5xx                    Upstream
//
// The message is the upstream's own when it is safe, with key-like text
// redacted; for 401 and 403 it is a fixed sentence, because OpenAI's 401
// message echoes part of the key.
func ClassifyError(provider string, status int, h http.Header, body []byte) *llm.Error {
	ue := parseUpstreamError(body)
	effective := status
	if effective < 400 {
		effective = statusFromErrorObject(ue)
	}
	e := &llm.Error{
		Kind:     kindForStatus(effective, ue, body),
		Provider: provider,
		Status:   effective,
		Code:     safeCode(ue.Code),
		Param:    safeParam(ue.Param),
	}
	if h != nil {
		if d, ok := RetryAfter(h, time.Now()); ok {
			e.RetryAfter = d
		} else if effective == http.StatusTooManyRequests {
			e.RetryAfter, _ = RateLimitReset(h)
		}
	}
	e.Message = errorMessage(provider, effective, ue)
	e.Err = fmt.Errorf("upstream status %d: %s", status, RedactSecrets(snippet(body, 300)))
	return e
}

func kindForStatus(status int, ue upstreamError, body []byte) llm.Kind {
	switch status {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
		switch {
		case isContextTooLong(ue):
			return llm.KindContextTooLong
		case isContentFiltered(ue, body):
			return llm.KindContentFiltered
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
	case http.StatusServiceUnavailable, 529:
		return llm.KindOverloaded
	}
	switch {
	case status >= 400 && status < 500:
		return llm.KindInvalidRequest
	case status == 0 && isContextTooLong(ue):
		return llm.KindContextTooLong
	case status == 0 && isContentFiltered(ue, body):
		return llm.KindContentFiltered
	}
	return llm.KindUpstream
}

// statusFromErrorObject infers the HTTP status an error object met outside an
// error response (in a stream, or in a 200 body) stands for: a numeric code
// when the vendor put the status there, else OpenAI's error type and code.
// 0 means it cannot tell; such errors are Upstream.
func statusFromErrorObject(ue upstreamError) int {
	if ue.NumericCode >= 400 && ue.NumericCode <= 599 {
		return ue.NumericCode
	}
	for _, s := range []string{strings.ToLower(ue.Code), strings.ToLower(ue.Type)} {
		switch s {
		case "rate_limit_exceeded", "rate_limit_error", "insufficient_quota", "tokens", "requests":
			return http.StatusTooManyRequests
		case "overloaded", "overloaded_error", "service_unavailable", "server_overloaded":
			return http.StatusServiceUnavailable
		case "invalid_api_key", "authentication_error":
			return http.StatusUnauthorized
		case "permission_error", "permission_denied":
			return http.StatusForbidden
		case "model_not_found", "not_found_error":
			return http.StatusNotFound
		case "timeout", "request_timeout":
			return http.StatusGatewayTimeout
		case "invalid_request_error":
			if isContextTooLong(ue) || isContentFiltered(ue, nil) {
				return 0 // kindForStatus refines status 0 by code
			}
			return http.StatusBadRequest
		}
	}
	return 0
}

func isContextTooLong(ue upstreamError) bool {
	if strings.EqualFold(ue.Code, "context_length_exceeded") {
		return true
	}
	m := strings.ToLower(ue.Message)
	return strings.Contains(m, "maximum context length") || strings.Contains(m, "context_length_exceeded") ||
		strings.Contains(m, "context length exceeded")
}

func isContentFiltered(ue upstreamError, body []byte) bool {
	switch strings.ToLower(ue.Code) {
	case "content_filter", "content_policy_violation":
		return true
	}
	// Azure OpenAI names the filter in innererror.code.
	return bytes.Contains(body, []byte("ResponsibleAIPolicyViolation"))
}

func errorMessage(provider string, status int, ue upstreamError) string {
	switch status {
	case http.StatusUnauthorized:
		return "the provider rejected the gateway's credentials for " + provider
	case http.StatusForbidden:
		return "the provider refused the gateway's credentials permission for this request (" + provider + ")"
	}
	if msg := strings.TrimSpace(ue.Message); msg != "" {
		msg = RedactSecrets(msg)
		if len(msg) > maxMessageLen {
			msg = truncateUTF8(msg, maxMessageLen) + "..."
		}
		return msg
	}
	switch {
	case status == 0:
		return provider + " reported an error without a message"
	case !ue.JSON:
		return fmt.Sprintf("%s answered HTTP %d %s with a non-JSON body", provider, status, http.StatusText(status))
	}
	return fmt.Sprintf("%s answered HTTP %d %s", provider, status, http.StatusText(status))
}

// safeCode keeps a code only when it looks like an identifier: it is
// forwarded to callers as-is.
func safeCode(c string) string {
	if !isIdentifier(c, 64) {
		return ""
	}
	return c
}

func safeParam(p string) string {
	if len(p) > 200 || strings.ContainsAny(p, " \n\"") {
		return ""
	}
	return p
}

func isIdentifier(s string, maxLen int) bool {
	if s == "" || len(s) > maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

func snippet(body []byte, n int) string {
	s := strings.TrimSpace(string(body))
	if len(s) > n {
		return truncateUTF8(s, n) + "..."
	}
	return s
}

func truncateUTF8(s string, n int) string {
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
