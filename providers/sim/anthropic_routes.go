package sim

import (
	"crypto/subtle"
	"net/http"
	"strconv"
	"time"
)

// The Anthropic dialect serves
//
//	POST /v1/messages   unary, and SSE with "stream": true
//	GET  /v1/models     when the request carries anthropic-version (the
//	                    OpenAI dialect owns the path otherwise)
//
// with the real API's shapes, byte-faithful to the recorded transcripts:
// compact JSON bodies with "model" first, ids "msg_01..." and "toolu_01...",
// usage with cache_creation_input_tokens, cache_read_input_tokens, the
// nested cache_creation split by TTL, service_tier and inference_geo, and
// tool_use blocks with "caller"; streams framed "event: <type>\ndata:
// <json>\n\n" with data objects padded by a run of spaces before the final
// "}", a {"type": "ping"} after the first block starts, message_start usage
// with a non-zero output_tokens, a message_delta whose cumulative usage
// repeats the input and cache counts, and exactly one empty input_json_delta
// for a tool call without arguments. Requests need anthropic-version (400
// otherwise, as the real API answers) and, when Options.APIKey is set,
// x-api-key (401 authentication_error otherwise).
//
// The request is decoded and validated with the real API's rules (max_tokens
// required, tool_use blocks answered by tool_result blocks in the next
// message, thinking signatures that verify, a thinking budget under
// max_tokens, neither forced tool use nor a temperature other than 1 with
// thinking) and converted to canonical
// by providers/anthropic/wire; the shared engine answers it. Differences
// from the OpenAI dialect: stop sequences end with stop_reason
// "stop_sequence" and the sequence in stop_sequence; thinking enabled makes
// the answer open with a thinking block (deterministic text and a signature
// the simulator verifies when it is sent back); output_config.format asks
// for JSON like a json_schema response format; [[sim cache_write=N]]
// reports cache_creation_input_tokens and [[sim cached=N]]
// cache_read_input_tokens. Status faults answer with Anthropic's error
// bodies (429 rate_limit_error with retry-after, 529 overloaded_error with
// x-should-retry, 400 "prompt is too long" for code=context_length_exceeded,
// ...); error_after sends an "event: error" inside the 200 stream.

func (s *Server) registerAnthropic() {
	s.routes["/v1/messages"] = s.anthropicMessages
	openAIModels := s.routes["/v1/models"]
	s.routes["/v1/models"] = func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Anthropic-Version") != "" || openAIModels == nil {
			s.anthropicModels(w, r)
			return
		}
		openAIModels(w, r)
	}
}

// anthropicRequestID returns "req_011C" and 20 base62 characters, the shape
// of the real request ids.
func anthropicRequestID() string { return base62ID("req_011C", uniqueSeed(), 20) }

// anthropicLimits are the anthropic-ratelimit-* header families, with
// canonical header names and values prepared once.
var anthropicLimits = func() (out [4]struct {
	limitKey, remainingKey, resetKey string
	limit, remaining                 []string
}) {
	for i, fam := range [...]struct{ name, limit, remaining string }{
		{"Requests", "4000", "3999"},
		{"Input-Tokens", "2000000", "2000000"},
		{"Output-Tokens", "400000", "400000"},
		{"Tokens", "2400000", "2400000"},
	} {
		out[i].limitKey = "Anthropic-Ratelimit-" + fam.name + "-Limit"
		out[i].remainingKey = "Anthropic-Ratelimit-" + fam.name + "-Remaining"
		out[i].resetKey = "Anthropic-Ratelimit-" + fam.name + "-Reset"
		out[i].limit, out[i].remaining = []string{fam.limit}, []string{fam.remaining}
	}
	return out
}()

// setAnthropicRateLimits sets the anthropic-ratelimit-* headers the real API
// sends on every response; exhausted sets the requests limit to 0
// remaining, resetting after wait.
func setAnthropicRateLimits(h http.Header, now time.Time, exhausted bool, wait time.Duration) {
	reset := []string{now.Add(time.Minute).UTC().Format(time.RFC3339)}
	for i := range anthropicLimits {
		l := &anthropicLimits[i]
		h[l.limitKey], h[l.remainingKey], h[l.resetKey] = l.limit, l.remaining, reset
	}
	if exhausted {
		h["Anthropic-Ratelimit-Requests-Remaining"] = zeroValue
		h["Anthropic-Ratelimit-Requests-Reset"] = []string{now.Add(max(wait, time.Second)).UTC().Format(time.RFC3339)}
	}
}

// anthropicAuthorized checks the request's credentials and version header
// the way the real API does, and answers when they are wrong.
func (s *Server) anthropicAuthorized(w http.ResponseWriter, r *http.Request) bool {
	if s.opts.APIKey != "" {
		key := r.Header.Get("X-Api-Key")
		switch {
		case key == "":
			s.anthropicFail(w, &anthropicError{status: http.StatusUnauthorized, typ: "authentication_error", message: "x-api-key header is required"})
			return false
		case subtle.ConstantTimeCompare([]byte(key), []byte(s.opts.APIKey)) != 1:
			s.anthropicFail(w, &anthropicError{status: http.StatusUnauthorized, typ: "authentication_error", message: "invalid x-api-key"})
			return false
		}
	}
	if r.Header.Get("Anthropic-Version") == "" {
		s.anthropicFail(w, anthropicInvalid("anthropic-version: header is required"))
		return false
	}
	return true
}

// anthropicModels answers GET /v1/models with the simulator's models.
func (s *Server) anthropicModels(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		s.writeAnthropicError(w, &anthropicError{status: http.StatusNotFound, typ: "not_found_error", message: "Not Found"})
		return
	}
	if !s.anthropicAuthorized(w, r) {
		return
	}
	created := time.Unix(simModelsCreated, 0).UTC().Format(time.RFC3339)
	b := append(make([]byte, 0, 512), `{"data":[`...)
	for i, m := range simModels {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"type":"model","id":`...)
		b = appendString(b, m.id)
		b = append(b, `,"display_name":`...)
		b = appendString(b, m.id)
		b = append(b, `,"created_at":`...)
		b = appendString(b, created)
		b = append(b, '}')
	}
	b = append(b, `],"has_more":false,"first_id":`...)
	b = appendString(b, simModels[0].id)
	b = append(b, `,"last_id":`...)
	b = appendString(b, simModels[len(simModels)-1].id)
	b = append(b, '}')
	h := w.Header()
	h["Request-Id"] = []string{anthropicRequestID()}
	h["Content-Type"] = jsonContentType
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}
