package sim

import (
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Gemini dialect serves
//
//	POST /v1beta/models/{model}:generateContent
//	POST /v1beta/models/{model}:streamGenerateContent?alt=sse   (a JSON array without alt=sse)
//	POST /v1beta/models/{model}:embedContent, :batchEmbedContents
//	GET  /v1beta/models, GET /v1beta/models/{model}
//
// in Gemini's wire format, byte-faithful to the recorded transcripts:
// pretty-printed unary bodies with a trailing newline, members in the
// proto's field order, SSE chunks "data: {...}\r\n\r\n" in Google's
// one-line spacing with no event names and no [DONE], usageMetadata
// repeated in every chunk, function calls whole in one chunk and without
// ids, finishReason STOP for calls (with finishMessage on 2.5 and 3 models).
// Requests are decoded by the Gemini wire package (camelCase or snake_case
// names, unknown fields refused as the real API does) and answered by the
// dialect-neutral engine: toolConfig ANY with allowedFunctionNames forces a
// call, responseMimeType/responseSchema give valid JSON, maxOutputTokens
// ends with MAX_TOKENS, stopSequences and candidateCount apply.
//
// Thinking. Models named gemini-2.5* and gemini-3* think by default (a
// medium effort) unless thinkingBudget is 0; others think when
// thinkingConfig asks. A thinking answer reports thoughtsTokenCount, signs
// its first part with a thoughtSignature, and with includeThoughts opens
// with a thought summary part. Signatures the simulator issued must come
// back unchanged ("Corrupted thought signature." otherwise), and gemini-3*
// models refuse a current turn whose function call lacks its signature, as
// the real API does.
//
// Keys and faults. With Options.APIKey set, the key is read from
// x-goog-api-key or ?key=: missing is a 403, wrong is the real 400
// INVALID_ARGUMENT with reason API_KEY_INVALID. The fault directives are the
// OpenAI dialect's, answered with Google's error envelope: 429
// RESOURCE_EXHAUSTED with QuotaFailure, Help and RetryInfo (retryDelay from
// retry_after, 1s by default; no Retry-After header, like the real API), 503
// UNAVAILABLE "The model is overloaded. Please try again later.", 500
// INTERNAL, 504 DEADLINE_EXCEEDED, 404 NOT_FOUND, 403, 401, and 400 with
// code=context_length_exceeded (the input-token-limit message) or
// code=API_KEY_INVALID. An error to an alt=sse request is the same JSON
// labelled text/event-stream. content_filter=prompt is answered as the real
// API blocks a prompt: 200 with promptFeedback.blockReason SAFETY and no
// candidates (gemini_blocked.go). error_after sends {"error": {...}} as a data
// line and ends the stream; cached=N is cachedContentTokenCount.
//
// This file holds the routes, authentication, response headers and model
// list. Gemini puts the model and the method in the path, so the dialect
// owns the /v1beta/ prefix and dispatches itself.

// geminiPrefix is the path prefix the Gemini dialect owns.
const geminiPrefix = "/v1beta/"

func (s *Server) registerGemini() {
	s.prefixRoutes = append(s.prefixRoutes, prefixRoute{prefix: geminiPrefix, handler: s.geminiRoute})
}

var (
	jsonGoogle       = []string{"application/json; charset=UTF-8"}
	eventStreamPlain = []string{"text/event-stream"}
	attachment       = []string{"attachment"}
	googleServer     = []string{"scaffolding on HTTPServer2"}
	googleVary       = []string{"Origin", "X-Origin", "Referer"}
	noSniff          = []string{"nosniff"}
)

// setGeminiHeaders sets the headers Google's front end sends on every
// response.
func setGeminiHeaders(h http.Header, start time.Time) {
	h["Server"] = googleServer
	h["Vary"] = googleVary
	h["X-Content-Type-Options"] = noSniff
	h["Server-Timing"] = []string{"gfet4t7; dur=" + strconv.FormatInt(time.Since(start).Milliseconds(), 10)}
}

// geminiRoute dispatches a path under /v1beta/.
func (s *Server) geminiRoute(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rest := strings.TrimPrefix(r.URL.Path, geminiPrefix)
	if rest == "models" {
		if r.Method != http.MethodGet {
			s.writeGeminiError(w, &geminiError{status: http.StatusNotFound, message: geminiMethodNotFoundText}, false, start)
			return
		}
		if s.geminiAuthorized(w, r, false, start) {
			s.geminiModels(w, start)
		}
		return
	}
	name, ok := strings.CutPrefix(rest, "models/")
	if !ok || name == "" {
		s.writeGeminiError(w, &geminiError{status: http.StatusNotFound, message: geminiMethodNotFoundText}, false, start)
		return
	}
	model, method, hasMethod := strings.Cut(name, ":")
	if !hasMethod {
		if r.Method != http.MethodGet || strings.Contains(model, "/") {
			s.writeGeminiError(w, &geminiError{status: http.StatusNotFound, message: geminiMethodNotFoundText}, false, start)
			return
		}
		if s.geminiAuthorized(w, r, false, start) {
			s.geminiModel(w, model, start)
		}
		return
	}
	if r.Method != http.MethodPost || model == "" || strings.Contains(model, "/") {
		s.writeGeminiError(w, &geminiError{status: http.StatusNotFound, message: geminiMethodNotFoundText}, false, start)
		return
	}
	switch method {
	case "generateContent":
		s.geminiGenerate(w, r, model, false, start)
	case "streamGenerateContent":
		s.geminiGenerate(w, r, model, true, start)
	case "embedContent":
		s.geminiEmbed(w, r, model, false, start)
	case "batchEmbedContents":
		s.geminiEmbed(w, r, model, true, start)
	default:
		s.writeGeminiError(w, &geminiError{status: http.StatusNotFound, message: geminiMethodNotFoundText}, false, start)
	}
}

// geminiAuthorized checks the API key when the server has one: from the
// x-goog-api-key header or the key query parameter, as the real API reads
// it. A missing key is a 403, a wrong one Gemini's 400 API_KEY_INVALID.
func (s *Server) geminiAuthorized(w http.ResponseWriter, r *http.Request, sse bool, start time.Time) bool {
	if s.opts.APIKey == "" {
		return true
	}
	key := r.Header.Get("X-Goog-Api-Key")
	if key == "" {
		key = r.URL.Query().Get("key")
	}
	if key != "" && subtle.ConstantTimeCompare([]byte(key), []byte(s.opts.APIKey)) == 1 {
		return true
	}
	e := geminiKeyInvalid()
	if key == "" {
		e = &geminiError{status: http.StatusForbidden, message: geminiNoKeyMessage}
	}
	s.writeGeminiError(w, e, sse, start)
	return false
}

// geminiModelInfo is one entry of the model list.
type geminiModelInfo struct {
	id, display, description string
	input, output            int64
	methods                  []string
	thinking                 bool
}

var geminiModels = [...]geminiModelInfo{
	{"sim-chat", "Sim Chat", "Switchboard's simulated chat model.", 1048576, 65536,
		[]string{"generateContent", "countTokens", "createCachedContent", "batchGenerateContent"}, true},
	{"sim-chat-mini", "Sim Chat Mini", "Switchboard's small simulated chat model.", 1048576, 65536,
		[]string{"generateContent", "countTokens", "createCachedContent", "batchGenerateContent"}, true},
	{"sim-embed", "Sim Embedding", "Switchboard's simulated embedding model.", 2048, 1,
		[]string{"embedContent", "countTextTokens", "countTokens", "asyncBatchEmbedContent"}, false},
}

func (s *Server) geminiModels(w http.ResponseWriter, start time.Time) {
	gw := gemWriter{b: make([]byte, 0, 2048), pretty: true}
	gw.begin('{')
	gw.field("models")
	gw.begin('[')
	for i := range geminiModels {
		gw.item()
		appendGeminiModel(&gw, &geminiModels[i])
	}
	gw.end(']')
	gw.end('}')
	s.writeGeminiJSON(w, append(gw.b, '\n'), start)
}

// geminiModel answers GET /v1beta/models/{id}: any name is a model.
func (s *Server) geminiModel(w http.ResponseWriter, id string, start time.Time) {
	m := geminiModelInfo{id: id, display: id, description: "A simulated model.", input: 1048576, output: 65536,
		methods: geminiModels[0].methods, thinking: true}
	for i := range geminiModels {
		if geminiModels[i].id == id {
			m = geminiModels[i]
		}
	}
	gw := gemWriter{b: make([]byte, 0, 512), pretty: true}
	appendGeminiModel(&gw, &m)
	s.writeGeminiJSON(w, append(gw.b, '\n'), start)
}

func appendGeminiModel(w *gemWriter, m *geminiModelInfo) {
	w.begin('{')
	w.strField("name", "models/"+m.id)
	w.strField("version", "001")
	w.strField("displayName", m.display)
	w.strField("description", m.description)
	w.numField("inputTokenLimit", m.input)
	w.numField("outputTokenLimit", m.output)
	w.field("supportedGenerationMethods")
	w.begin('[')
	for _, meth := range m.methods {
		w.item()
		w.str(meth)
	}
	w.end(']')
	if m.thinking {
		w.numField("temperature", 1)
		w.field("topP")
		w.lit("0.95")
		w.numField("topK", 64)
		w.numField("maxTemperature", 2)
		w.field("thinking")
		w.lit("true")
	}
	w.end('}')
}

// writeGeminiJSON sends a 200 JSON body.
func (s *Server) writeGeminiJSON(w http.ResponseWriter, body []byte, start time.Time) {
	h := w.Header()
	setGeminiHeaders(h, start)
	h["Content-Type"] = jsonGoogle
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}
