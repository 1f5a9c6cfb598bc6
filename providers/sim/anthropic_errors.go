package sim

import (
	"net/http"
	"strconv"
	"time"
)

// Anthropic's error responses: compact {"type":"error","error":{"type",
// "message"},"request_id"} with the real statuses, wording and headers
// (retry-after on 429, x-should-retry on every error).

// anthropicError is one error response.
type anthropicError struct {
	status     int
	typ        string
	message    string
	retryAfter time.Duration
}

func anthropicInvalid(message string) *anthropicError {
	return &anthropicError{status: http.StatusBadRequest, typ: "invalid_request_error", message: message}
}

// anthropicFail sends e in answer to a counted request.
func (s *Server) anthropicFail(w http.ResponseWriter, e *anthropicError) {
	s.served.errors.Add(1)
	s.writeAnthropicError(w, e)
}

func (s *Server) writeAnthropicError(w http.ResponseWriter, e *anthropicError) {
	h := w.Header()
	reqID := anthropicRequestID()
	h["Request-Id"] = []string{reqID}
	h["Content-Type"] = jsonContentType
	// The SDKs retry when told to: on 408, 409, 429 and 5xx (529 included).
	if e.status == http.StatusTooManyRequests || e.status >= 500 || e.status == http.StatusRequestTimeout || e.status == http.StatusConflict {
		h["X-Should-Retry"] = trueValue
	} else {
		h["X-Should-Retry"] = falseValue
	}
	if e.retryAfter > 0 {
		h["Retry-After"] = []string{strconv.FormatInt(int64((e.retryAfter+time.Second-1)/time.Second), 10)}
	}
	if e.status == http.StatusTooManyRequests {
		setAnthropicRateLimits(h, time.Now(), true, e.retryAfter)
	}
	bp := getBuf()
	b := appendAnthropicErrorBody((*bp)[:0], e.typ, e.message)
	b = append(b[:len(b)-1], `,"request_id":`...)
	b = appendString(b, reqID)
	b = append(b, '}')
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(e.status)
	w.Write(b)
	*bp = b
	putBuf(bp)
}

// appendAnthropicErrorBody writes {"type":"error","error":{...}}, the body
// of an error response and the data of an error event.
func appendAnthropicErrorBody(b []byte, typ, message string) []byte {
	b = append(b, `{"type":"error","error":{"type":`...)
	b = appendString(b, typ)
	b = append(b, `,"message":`...)
	b = appendString(b, message)
	return append(b, "}}"...)
}

var (
	trueValue  = []string{"true"}
	falseValue = []string{"false"}
)

// anthropicFaultError is the error the real API sends for a status fault.
func anthropicFaultError(f *Fault, model string, promptTokens int64) *anthropicError {
	e := &anthropicError{status: f.Status, retryAfter: f.RetryAfter}
	switch f.Status {
	case http.StatusBadRequest:
		e.typ = "invalid_request_error"
		if f.Code == "context_length_exceeded" {
			e.message = "prompt is too long: " + strconv.FormatInt(max(promptTokens, 200001), 10) + " tokens > 200000 maximum"
		} else {
			e.message = "Invalid request (simulated fault)."
		}
	case http.StatusUnauthorized:
		e.typ, e.message = "authentication_error", "invalid x-api-key"
	case http.StatusPaymentRequired:
		e.typ, e.message = "billing_error", "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."
	case http.StatusForbidden:
		e.typ, e.message = "permission_error", "Your API key does not have permission to use the specified resource."
	case http.StatusNotFound:
		e.typ, e.message = "not_found_error", "model: "+model
	case http.StatusRequestEntityTooLarge:
		e.typ, e.message = "request_too_large", "Request exceeds the maximum allowed number of bytes."
	case http.StatusTooManyRequests:
		e.typ = "rate_limit_error"
		e.message = "This request would exceed the rate limit for your organization of 50 requests per minute. " +
			"For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. " +
			"Please reduce the prompt length or the maximum tokens requested, or try again later. " +
			"You may also contact sales at https://www.anthropic.com/contact-sales to discuss your options for a rate limit increase."
		if e.retryAfter <= 0 {
			e.retryAfter = time.Second
		}
	case http.StatusGatewayTimeout:
		e.typ, e.message = "timeout_error", "Request timed out"
	case 529, http.StatusServiceUnavailable:
		// The 529 carries x-should-retry and no retry-after unless asked.
		e.typ, e.message = "overloaded_error", "Overloaded"
	default:
		if f.Status >= 500 {
			e.typ, e.message = "api_error", "Internal server error"
		} else {
			e.typ, e.message = "invalid_request_error", http.StatusText(f.Status)+" (simulated fault)."
		}
	}
	return e
}

// anthropicStreamErrorType is the error type of an error_after event: the
// fault's code when it names one, else overloaded_error, the error the real
// API most often sends mid-stream.
func anthropicStreamErrorType(f *Fault) (typ, message string) {
	switch f.Code {
	case "api_error":
		return "api_error", "Internal server error"
	case "rate_limit_error":
		return "rate_limit_error", "Rate limited"
	}
	return "overloaded_error", "Overloaded"
}
