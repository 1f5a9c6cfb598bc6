package sim

import (
	"net/http"
	"strconv"
	"time"
)

// OpenAI's error responses: the envelope {"error": {message, type, param,
// code}}, sent with 4-space indentation and a trailing newline as the real
// API does, and the body the real API sends for each status.

// openAIError is one error response.
type openAIError struct {
	status  int
	message string
	typ     string
	param   string // "" is written as null
	code    string // "" is written as null
	// numericCode is written instead of code when non-zero (Cloudflare's
	// 502/504 bodies carry the status as a number).
	numericCode int
	retryAfter  time.Duration
	// rateLimited sets the x-ratelimit-* headers of an exhausted limit.
	rateLimited bool
}

func invalidRequest(message, param, code string) *openAIError {
	return &openAIError{status: http.StatusBadRequest, message: message, typ: "invalid_request_error", param: param, code: code}
}

// fail sends e in answer to a counted (chat or embeddings) request.
func (s *Server) fail(w http.ResponseWriter, e *openAIError, start time.Time) {
	s.served.errors.Add(1)
	s.writeOpenAIError(w, e, start)
}

// writeOpenAIError sends e.
func (s *Server) writeOpenAIError(w http.ResponseWriter, e *openAIError, start time.Time) {
	h := w.Header()
	s.setOpenAIHeaders(h, start)
	h["Content-Type"] = jsonUTF8
	if e.retryAfter > 0 {
		secs := int64((e.retryAfter + time.Second - 1) / time.Second)
		h["Retry-After"] = []string{strconv.FormatInt(secs, 10)}
		h["Retry-After-Ms"] = []string{strconv.FormatInt(e.retryAfter.Milliseconds(), 10)}
	}
	if e.rateLimited {
		h["X-Ratelimit-Remaining-Requests"] = zeroValue
		reset := e.retryAfter
		if reset <= 0 {
			reset = time.Second
		}
		h["X-Ratelimit-Reset-Requests"] = []string{reset.String()}
	}
	bp := getBuf()
	b := appendOpenAIErrorBody((*bp)[:0], e)
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(e.status)
	w.Write(b)
	*bp = b
	putBuf(bp)
}

func appendOpenAIErrorBody(b []byte, e *openAIError) []byte {
	b = append(b, "{\n    \"error\": {\n        \"message\": "...)
	b = appendString(b, e.message)
	b = append(b, ",\n        \"type\": "...)
	b = appendString(b, e.typ)
	b = append(b, ",\n        \"param\": "...)
	b = appendStringOrNull(b, e.param)
	b = append(b, ",\n        \"code\": "...)
	if e.numericCode != 0 {
		b = strconv.AppendInt(b, int64(e.numericCode), 10)
	} else {
		b = appendStringOrNull(b, e.code)
	}
	return append(b, "\n    }\n}\n"...)
}

// appendCompactOpenAIError writes the error object on one line, for an error
// event inside a stream.
func appendCompactOpenAIError(b []byte, e *openAIError) []byte {
	b = append(b, `{"error":{"message":`...)
	b = appendString(b, e.message)
	b = append(b, `,"type":`...)
	b = appendString(b, e.typ)
	b = append(b, `,"param":`...)
	b = appendStringOrNull(b, e.param)
	b = append(b, `,"code":`...)
	b = appendStringOrNull(b, e.code)
	return append(b, "}}"...)
}

func appendStringOrNull(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return appendString(b, s)
}

// faultError is the error the real API sends for a status fault.
func faultError(f *Fault, model string, promptTokens int64) *openAIError {
	e := &openAIError{status: f.Status, retryAfter: f.RetryAfter, code: f.Code}
	switch f.Status {
	case http.StatusBadRequest:
		e.typ = "invalid_request_error"
		if f.Code == "context_length_exceeded" {
			e.param = "messages"
			e.message = "This model's maximum context length is 128000 tokens. However, your messages resulted in " +
				strconv.FormatInt(max(promptTokens, 128001), 10) + " tokens. Please reduce the length of the messages."
		} else {
			e.message = "Invalid request (simulated fault)."
		}
	case http.StatusUnauthorized:
		e.typ = "invalid_request_error"
		e.code = "invalid_api_key"
		e.message = "Incorrect API key provided: sk-sim****************************************XXXX. You can find your API key at https://platform.openai.com/account/api-keys."
	case http.StatusForbidden:
		e.typ = "request_forbidden"
		if e.code == "" {
			e.code = "unsupported_country_region_territory"
		}
		e.message = "Country, region, or territory not supported"
	case http.StatusNotFound:
		e.typ = "invalid_request_error"
		if e.code == "" {
			e.code = "model_not_found"
		}
		e.message = "The model `" + model + "` does not exist or you do not have access to it."
	case http.StatusTooManyRequests:
		if f.Code == "insufficient_quota" {
			e.typ = "insufficient_quota"
			e.message = "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors."
			break
		}
		e.typ = "requests"
		if e.code == "" {
			e.code = "rate_limit_exceeded"
		}
		if e.retryAfter <= 0 {
			e.retryAfter = time.Second
		}
		e.rateLimited = true
		e.message = "Rate limit reached for " + model + " in organization org-sim on requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in " +
			e.retryAfter.String() + ". Visit https://platform.openai.com/account/rate-limits to learn more."
	case http.StatusBadGateway:
		e.typ, e.code, e.numericCode, e.message = "cf_bad_gateway", "", 502, "Bad gateway."
	case http.StatusServiceUnavailable:
		e.typ = "server_error"
		e.message = "The server is overloaded or not ready yet."
	case http.StatusGatewayTimeout:
		e.typ, e.code, e.numericCode, e.message = "cf_gateway_timeout", "", 504, "Gateway timeout."
	default:
		if f.Status >= 500 {
			e.typ = "server_error"
			e.message = "The server had an error while processing your request. Sorry about that!"
		} else {
			e.typ = "invalid_request_error"
			e.message = http.StatusText(f.Status) + " (simulated fault)."
		}
	}
	return e
}

// streamFailure is the error event sent inside a stream by error_after.
var streamFailure = &openAIError{typ: "server_error", message: "The server had an error while processing your request. Sorry about that!"}
