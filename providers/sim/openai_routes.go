package sim

import (
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The OpenAI dialect's routes, authentication, response headers and model
// list.

func (s *Server) registerOpenAI() {
	s.routes["/v1/chat/completions"] = s.openAIChat
	s.routes["/v1/embeddings"] = s.openAIEmbeddings
	s.routes["/v1/models"] = s.openAIModels
}

// Header values shared by every response. They are assigned into header maps
// directly (no canonicalization, no allocation); each slice has length ==
// capacity, so an append by anyone copies instead of writing into them.
var (
	jsonContentType = []string{"application/json"}
	jsonUTF8        = []string{"application/json; charset=utf-8"}
	eventStreamUTF8 = []string{"text/event-stream; charset=utf-8"}
	openAIVersion   = []string{"2020-10-01"}
	limitRequests   = []string{"500"}
	limitTokens     = []string{"200000"}
	remainingReqs   = []string{"499"}
	remainingTokens = []string{"199000"}
	resetRequests   = []string{"120ms"}
	resetTokens     = []string{"300ms"}
	zeroValue       = []string{"0"}
)

// setOpenAIHeaders sets the headers the real API sends on every response,
// rate-limit headers included (it sends them on successes too).
func (s *Server) setOpenAIHeaders(h http.Header, start time.Time) {
	h["Openai-Version"] = openAIVersion
	h["Openai-Processing-Ms"] = []string{strconv.FormatInt(time.Since(start).Milliseconds(), 10)}
	h["X-Request-Id"] = []string{requestID()}
	h["X-Ratelimit-Limit-Requests"] = limitRequests
	h["X-Ratelimit-Limit-Tokens"] = limitTokens
	h["X-Ratelimit-Remaining-Requests"] = remainingReqs
	h["X-Ratelimit-Remaining-Tokens"] = remainingTokens
	h["X-Ratelimit-Reset-Requests"] = resetRequests
	h["X-Ratelimit-Reset-Tokens"] = resetTokens
}

// requestID returns "req_" and 32 hex digits.
func requestID() string {
	var b [36]byte
	copy(b[:], "req_")
	a, c := uniqueSeed(), uniqueSeed()
	for i := 0; i < 16; i++ {
		b[4+i] = hexDigits[(a>>(4*i))&0xf]
		b[20+i] = hexDigits[(c>>(4*i))&0xf]
	}
	return string(b[:])
}

// openAIAuthorized checks the bearer token when the server has an API key,
// and answers 401 the way the real API does when it is wrong or missing.
func (s *Server) openAIAuthorized(w http.ResponseWriter, r *http.Request, start time.Time) bool {
	if s.opts.APIKey == "" {
		return true
	}
	auth := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(auth, "Bearer ")
	token = strings.TrimSpace(token)
	if ok && token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.opts.APIKey)) == 1 {
		return true
	}
	e := &openAIError{status: http.StatusUnauthorized, typ: "invalid_request_error"}
	if !ok || token == "" {
		e.message = "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys."
	} else {
		e.code = "invalid_api_key"
		e.message = "Incorrect API key provided: " + maskKey(token) + ". You can find your API key at https://platform.openai.com/account/api-keys."
	}
	s.writeOpenAIError(w, e, start)
	return false
}

// maskKey shows at most the last four characters of a long key, so that a
// wrong key never appears in an error in full.
func maskKey(k string) string {
	if len(k) < 16 {
		return strings.Repeat("*", len(k))
	}
	return k[:3] + strings.Repeat("*", len(k)-7) + k[len(k)-4:]
}

// openAINotFound answers paths no route owns, and GET /v1/models/{id}.
func (s *Server) openAINotFound(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if id, ok := strings.CutPrefix(r.URL.Path, "/v1/models/"); ok && id != "" && r.Method == http.MethodGet {
		if !s.openAIAuthorized(w, r, start) {
			return
		}
		s.writeOpenAIModel(w, id, start)
		return
	}
	s.writeOpenAIError(w, invalidURL(r), start)
}

// invalidURL is the real API's answer to an unknown path or a wrong method.
func invalidURL(r *http.Request) *openAIError {
	return &openAIError{status: http.StatusNotFound, typ: "invalid_request_error",
		message: "Invalid URL (" + r.Method + " " + r.URL.Path + ")"}
}

// simModels are the models GET /v1/models lists. Any other name is accepted
// too: the simulator echoes whatever model a request names.
var simModels = [...]struct{ id, ownedBy string }{
	{"sim-chat", "switchboard-sim"},
	{"sim-chat-mini", "switchboard-sim"},
	{"sim-embed", "switchboard-sim"},
}

// simModelsCreated is a fixed creation time, so the list is deterministic.
const simModelsCreated = 1735689600 // 2025-01-01

func (s *Server) openAIModels(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if r.Method != http.MethodGet {
		s.writeOpenAIError(w, invalidURL(r), start)
		return
	}
	if !s.openAIAuthorized(w, r, start) {
		return
	}
	b := append(make([]byte, 0, 512), "{\n  \"object\": \"list\",\n  \"data\": ["...)
	for i, m := range simModels {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n    "...)
		b = appendModel(b, m.id, m.ownedBy, "\n      ", "\n    ")
	}
	b = append(b, "\n  ]\n}"...)
	s.writeJSON(w, b, start)
}

func (s *Server) writeOpenAIModel(w http.ResponseWriter, id string, start time.Time) {
	owner := "switchboard-sim"
	b := appendModel(make([]byte, 0, 128), id, owner, "\n  ", "\n")
	s.writeJSON(w, b, start)
}

func appendModel(b []byte, id, ownedBy, indent, closeIndent string) []byte {
	b = append(b, '{')
	b = append(b, indent...)
	b = append(b, `"id": `...)
	b = appendString(b, id)
	b = append(b, ',')
	b = append(b, indent...)
	b = append(b, `"object": "model",`...)
	b = append(b, indent...)
	b = append(b, `"created": `...)
	b = strconv.AppendInt(b, simModelsCreated, 10)
	b = append(b, ',')
	b = append(b, indent...)
	b = append(b, `"owned_by": `...)
	b = appendString(b, ownedBy)
	b = append(b, ',')
	b = append(b, indent...)
	b = append(b, `"shutdown_date": null`...)
	b = append(b, closeIndent...)
	return append(b, '}')
}

// writeJSON sends a 200 JSON body with the usual headers.
func (s *Server) writeJSON(w http.ResponseWriter, body []byte, start time.Time) {
	h := w.Header()
	s.setOpenAIHeaders(h, start)
	h["Content-Type"] = jsonContentType
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}
