package sim

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Gemini's error responses: Google's envelope {"error": {code, message,
// status, details}}, pretty-printed with a trailing newline like every
// Google JSON body, with the real statuses, wording and typed details
// (ErrorInfo with a reason, RetryInfo with a retryDelay). An error to an
// alt=sse request is the same JSON labelled text/event-stream, as the real
// API sends it.

// geminiError is one error response.
type geminiError struct {
	status  int
	message string
	// reason, when set, adds an ErrorInfo detail (API_KEY_INVALID).
	reason string
	// localized adds the LocalizedMessage detail the key error carries.
	localized bool
	// quota adds the QuotaFailure, Help and RetryInfo details of a 429;
	// retryDelay is the RetryInfo delay.
	quota      bool
	retryDelay time.Duration
	model      string
	// service is the ErrorInfo's service; "" means the Gemini API's.
	service string
}

// geminiStatusNames are the google.rpc.Code names of the HTTP statuses.
var geminiStatusNames = map[int]string{
	400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
	409: "ABORTED", 429: "RESOURCE_EXHAUSTED", 499: "CANCELLED", 500: "INTERNAL", 501: "NOT_IMPLEMENTED",
	503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED",
}

func geminiStatusName(status int) string {
	if n, ok := geminiStatusNames[status]; ok {
		return n
	}
	if status >= 500 {
		return "UNKNOWN"
	}
	return "FAILED_PRECONDITION"
}

const (
	geminiKeyInvalidMessage  = "API key not valid. Please pass a valid API key."
	geminiNoKeyMessage       = "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API."
	geminiOverloadedMessage  = "The model is overloaded. Please try again later."
	geminiInternalMessage    = "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"
	geminiMaxInputTokens     = 1048576
	geminiMethodNotFoundText = "Method not found."
)

func geminiInvalid(message string) *geminiError {
	return &geminiError{status: http.StatusBadRequest, message: message}
}

func geminiKeyInvalid() *geminiError {
	return &geminiError{status: http.StatusBadRequest, message: geminiKeyInvalidMessage, reason: "API_KEY_INVALID", localized: true}
}

// geminiFaultError is the error the real API sends for a status fault.
// code picks a variant of a 400: context_length_exceeded (or
// CONTEXT_TOO_LONG) for the input-token limit, API_KEY_INVALID for the key
// error.
func geminiFaultError(f *Fault, model string, promptTokens int64) *geminiError {
	e := &geminiError{status: f.Status, model: model}
	switch f.Status {
	case http.StatusBadRequest:
		switch strings.ToLower(f.Code) {
		case "context_length_exceeded", "context_too_long":
			e.message = "The input token count (" + strconv.FormatInt(max(promptTokens, geminiMaxInputTokens+1), 10) +
				") exceeds the maximum number of tokens allowed (" + strconv.Itoa(geminiMaxInputTokens) + ")."
		case "api_key_invalid":
			return geminiKeyInvalid()
		default:
			e.message = "Request contains an invalid argument."
		}
	case http.StatusUnauthorized:
		e.message = "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
	case http.StatusForbidden:
		e.message = "The caller does not have permission"
	case http.StatusNotFound:
		e.message = "models/" + model + " is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods."
	case http.StatusTooManyRequests:
		e.quota = true
		e.retryDelay = f.RetryAfter
		if e.retryDelay <= 0 {
			e.retryDelay = time.Second
		}
		e.message = "You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current usage, head to: https://ai.dev/usage?tab=rate-limit. \n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 10, model: " +
			model + "\nPlease retry in " + e.retryDelay.String() + "."
	case http.StatusInternalServerError:
		e.message = geminiInternalMessage
	case http.StatusServiceUnavailable:
		e.message = geminiOverloadedMessage
	case http.StatusGatewayTimeout:
		e.message = "Deadline expired before operation could complete."
	default:
		e.message = http.StatusText(f.Status) + " (simulated fault)."
	}
	return e
}

// geminiFail sends e in answer to a counted request; sse says whether the
// request asked for alt=sse.
func (s *Server) geminiFail(w http.ResponseWriter, e *geminiError, sse bool, start time.Time) {
	s.served.errors.Add(1)
	s.writeGeminiError(w, e, sse, start)
}

func (s *Server) writeGeminiError(w http.ResponseWriter, e *geminiError, sse bool, start time.Time) {
	h := w.Header()
	setGeminiHeaders(h, start)
	if sse {
		h["Content-Type"] = eventStreamPlain
	} else {
		h["Content-Type"] = jsonGoogle
	}
	bp := getBuf()
	b := appendGeminiError((*bp)[:0], e, true)
	b = append(b, '\n')
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(e.status)
	w.Write(b)
	*bp = b
	putBuf(bp)
}

// appendGeminiError writes the envelope, pretty or in the one-line stream
// layout.
func appendGeminiError(b []byte, e *geminiError, pretty bool) []byte {
	w := gemWriter{b: b, pretty: pretty}
	w.begin('{')
	w.field("error")
	w.begin('{')
	w.numField("code", int64(e.status))
	w.strField("message", e.message)
	w.strField("status", geminiStatusName(e.status))
	if e.reason != "" || e.quota {
		w.field("details")
		w.begin('[')
		if e.reason != "" {
			w.item()
			w.begin('{')
			w.strField("@type", "type.googleapis.com/google.rpc.ErrorInfo")
			w.strField("reason", e.reason)
			w.strField("domain", "googleapis.com")
			w.field("metadata")
			w.begin('{')
			service := e.service
			if service == "" {
				service = "generativelanguage.googleapis.com"
			}
			w.strField("service", service)
			w.end('}')
			w.end('}')
		}
		if e.localized {
			w.item()
			w.begin('{')
			w.strField("@type", "type.googleapis.com/google.rpc.LocalizedMessage")
			w.strField("locale", "en-US")
			w.strField("message", e.message)
			w.end('}')
		}
		if e.quota {
			appendQuotaDetails(&w, e)
		}
		w.end(']')
	}
	w.end('}')
	w.end('}')
	return w.b
}

func appendQuotaDetails(w *gemWriter, e *geminiError) {
	w.item()
	w.begin('{')
	w.strField("@type", "type.googleapis.com/google.rpc.QuotaFailure")
	w.field("violations")
	w.begin('[')
	w.item()
	w.begin('{')
	w.strField("quotaMetric", "generativelanguage.googleapis.com/generate_content_free_tier_requests")
	w.strField("quotaId", "GenerateRequestsPerMinutePerProjectPerModel-FreeTier")
	w.field("quotaDimensions")
	w.begin('{')
	w.strField("location", "global")
	w.strField("model", e.model)
	w.end('}')
	w.strField("quotaValue", "10")
	w.end('}')
	w.end(']')
	w.end('}')

	w.item()
	w.begin('{')
	w.strField("@type", "type.googleapis.com/google.rpc.Help")
	w.field("links")
	w.begin('[')
	w.item()
	w.begin('{')
	w.strField("description", "Learn more about Gemini API quotas")
	w.strField("url", "https://ai.google.dev/gemini-api/docs/rate-limits")
	w.end('}')
	w.end(']')
	w.end('}')

	w.item()
	w.begin('{')
	w.strField("@type", "type.googleapis.com/google.rpc.RetryInfo")
	w.strField("retryDelay", googleDuration(e.retryDelay))
	w.end('}')
}

// googleDuration writes a duration as protobuf's JSON form: seconds with an
// "s" suffix ("37s", "0.5s").
func googleDuration(d time.Duration) string {
	if d%time.Second == 0 {
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s"
}

// geminiStreamFailure is the error sent inside a stream by error_after.
var geminiStreamFailure = &geminiError{status: http.StatusInternalServerError, message: geminiInternalMessage}
