package sim

import (
	"net/http"
	"strconv"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// POST /v1/chat/completions: decode, apply faults, generate, then answer in
// one piece or as a stream.

// faultHeader carries per-request fault settings (see doc.go).
const faultHeader = "X-Sim-Fault"

func (s *Server) openAIChat(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	s.served.requests.Add(1)
	if r.Method != http.MethodPost {
		s.fail(w, invalidURL(r), start)
		return
	}
	if !s.openAIAuthorized(w, r, start) {
		s.served.errors.Add(1)
		return
	}
	s.chat(w, r, start, nil)
}

// chat answers an authorized chat completions request, in OpenAI's dialect
// or, with az set, in Azure OpenAI's (the same body, Azure's content-filter
// results, headers and error envelope).
func (s *Server) chat(w http.ResponseWriter, r *http.Request, start time.Time, az *azureCall) {
	fail := s.fail
	if az != nil {
		fail = s.azureFailer(az)
	}
	bp, e := readBody(r)
	if e != nil {
		fail(w, e, start)
		return
	}
	var call openAIChatCall
	if az != nil {
		call.defaultModel = az.deployment
	}
	e = decodeOpenAIChat(*bp, &call)
	putBuf(bp)
	if e != nil {
		fail(w, e, start)
		return
	}
	if az != nil && az.deployment != "" {
		call.req.Model = az.deployment // a deployment serves one model, whatever the body says
	}
	conv, err := readConversation(call.req)
	if err != nil {
		fail(w, directiveError(err, "messages"), start)
		return
	}
	fault, err := s.requestFault(r, conv)
	if err != nil {
		fail(w, directiveError(err, ""), start)
		return
	}
	if fault.Status != 0 {
		if az != nil {
			s.azureFail(w, az, azureFaultError(&fault, az, call.req.Model, promptTokens(call.req)), start)
			return
		}
		s.fail(w, faultError(&fault, call.req.Model, promptTokens(call.req)), start)
		return
	}
	gen := generate(conv, &fault)
	c := chatAnswer{
		s: s, w: w, r: r, start: start, req: call.req, gen: gen, fault: &fault,
		id: completionID(), created: time.Now().Unix(), azure: az,
	}
	if call.stream {
		c.stream(call.includeUsage)
	} else {
		c.unary()
	}
}

// requestFault merges the server's rules, the X-Sim-Fault header and the
// message directives, in that order of precedence (later wins).
func (s *Server) requestFault(r *http.Request, conv *conversation) (Fault, error) {
	var f Fault
	if len(s.opts.Faults) > 0 {
		f, _ = s.serverFault()
	}
	if v := r.Header[faultHeader]; len(v) > 0 && v[0] != "" {
		hf, err := ParseFault(v[0])
		if err != nil {
			return Fault{}, err
		}
		f.merge(&hf)
	}
	if conv != nil && conv.hasDirective {
		f.merge(&conv.directive)
	}
	return f, nil
}

func directiveError(err error, param string) *openAIError {
	return invalidRequest("Invalid simulator directive: "+err.Error(), param, "invalid_sim_directive")
}

// completionID returns "chatcmpl-" and 29 base62 characters, unique like
// the real ids (the content, not the id, is deterministic).
func completionID() string { return base62ID("chatcmpl-", uniqueSeed(), 29) }

// chatAnswer is one answer being written.
type chatAnswer struct {
	s       *Server
	w       http.ResponseWriter
	r       *http.Request
	start   time.Time
	req     *llm.Request
	gen     *generation
	fault   *Fault
	id      string
	created int64
	// azure is set when the answer is in Azure OpenAI's dialect.
	azure *azureCall
}

// setHeaders sets the dialect's response headers.
func (c *chatAnswer) setHeaders(h http.Header) {
	if c.azure != nil {
		setAzureHeaders(h, c.azure, c.start)
		return
	}
	c.s.setOpenAIHeaders(h, c.start)
}

// unary writes the chat.completion object.
func (c *chatAnswer) unary() {
	s, f := c.s, c.fault
	if !sleep(c.r.Context(), effective(s.opts.Latency, f.Latency)) {
		s.served.errors.Add(1)
		return
	}
	if f.Disconnect {
		s.served.errors.Add(1)
		panic(http.ErrAbortHandler) // net/http closes the connection without a response
	}
	bp := getBuf()
	b := appendCompletion((*bp)[:0], c)
	if f.Malformed {
		b = b[:len(b)/2] // a body cut mid-value
	}
	h := c.w.Header()
	c.setHeaders(h)
	h["Content-Type"] = jsonContentType
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	c.w.WriteHeader(http.StatusOK)
	_, err := c.w.Write(b)
	*bp = b
	putBuf(bp)
	if err != nil || f.Malformed {
		s.served.errors.Add(1)
	}
	s.countUsage(&c.gen.usage, c.gen.usage.OutputTokens)
}

// countUsage adds an answered request's tokens to the totals; completion is
// what was actually sent.
func (s *Server) countUsage(u *llm.Usage, completion int64) {
	s.served.prompt.Add(u.InputTokens)
	s.served.cached.Add(u.CachedInputTokens)
	s.served.cacheWrite.Add(u.CacheWriteTokens)
	s.served.completion.Add(completion)
	s.served.reasoning.Add(u.ReasoningTokens)
}

// openAIFinish is the wire finish_reason.
func openAIFinish(f llm.FinishReason) string {
	switch f {
	case llm.FinishLength:
		return "length"
	case llm.FinishToolCalls:
		return "tool_calls"
	case llm.FinishContentFilter:
		return "content_filter"
	}
	return "stop"
}

// appendFingerprint writes "fp_" and 10 hex digits derived from the model,
// stable per model like the real backend fingerprints.
func appendFingerprint(b []byte, model string) []byte {
	b = append(b, `"fp_`...)
	v := newHasher().str(model).sum()
	for i := 0; i < 10; i++ {
		b = append(b, hexDigits[(v>>(4*i))&0xf])
	}
	return append(b, '"')
}

// appendCompletion writes the unary body, pretty-printed with two spaces and
// with keys in the order the real API sends them.
func appendCompletion(b []byte, c *chatAnswer) []byte {
	b = append(b, "{\n  \"id\": "...)
	b = appendString(b, c.id)
	b = append(b, ",\n  \"object\": \"chat.completion\",\n  \"created\": "...)
	b = appendInt(b, c.created)
	b = append(b, ",\n  \"model\": "...)
	b = appendString(b, c.req.Model)
	b = append(b, ",\n  \"choices\": ["...)
	for i := range c.gen.choices {
		ch := &c.gen.choices[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n    {\n      \"index\": "...)
		b = appendInt(b, int64(i))
		if c.azure != nil {
			b = append(b, ",\n      \"content_filter_results\": "...)
			b = appendCompletionFilter(b, ch)
		}
		b = append(b, ",\n      \"message\": {\n        \"role\": \"assistant\",\n        \"content\": "...)
		if len(ch.calls) > 0 {
			b = append(b, "null,\n        \"tool_calls\": ["...)
			for k := range ch.calls {
				call := &ch.calls[k]
				if k > 0 {
					b = append(b, ',')
				}
				b = append(b, "\n          {\n            \"id\": "...)
				b = appendCallID(b, call.idSeed)
				b = append(b, ",\n            \"type\": \"function\",\n            \"function\": {\n              \"name\": "...)
				b = appendString(b, call.name)
				b = append(b, ",\n              \"arguments\": "...)
				b = appendString(b, call.arguments)
				b = append(b, "\n            }\n          }"...)
			}
			b = append(b, "\n        ]"...)
		} else {
			b = appendString(b, ch.text)
		}
		b = append(b, ",\n        \"refusal\": null,\n        \"annotations\": []\n      },\n      \"logprobs\": null,\n      \"finish_reason\": \""...)
		b = append(b, openAIFinish(ch.finish)...)
		b = append(b, "\"\n    }"...)
	}
	b = append(b, "\n  ],"...)
	if c.azure != nil {
		b = append(b, "\n  \"prompt_filter_results\": "...)
		b = appendPromptFilter(b)
		b = append(b, ',')
	}
	b = append(b, "\n  \"usage\": "...)
	b = appendUsage(b, &c.gen.usage, "\n    ", "\n      ", "\n  ")
	if c.azure == nil {
		b = append(b, ",\n  \"service_tier\": \"default\""...)
	}
	b = append(b, ",\n  \"system_fingerprint\": "...)
	b = appendFingerprint(b, c.req.Model)
	return append(b, "\n}\n"...)
}

// appendCallID writes the quoted call id: "call_" and 24 base62 characters.
func appendCallID(b []byte, seed uint64) []byte {
	b = append(b, `"call_`...)
	b = appendBase62(b, seed, 24)
	return append(b, '"')
}

// appendUsage writes the usage object. The indents are "" for the compact
// form used in streams.
func appendUsage(b []byte, u *llm.Usage, in1, in2, out string) []byte {
	sep := ": "
	if in1 == "" {
		sep = ":"
	}
	field := func(b []byte, indent, name string, v int64, last bool) []byte {
		b = append(b, indent...)
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, '"')
		b = append(b, sep...)
		b = appendInt(b, v)
		if !last {
			b = append(b, ',')
		}
		return b
	}
	b = append(b, '{')
	b = field(b, in1, "prompt_tokens", u.InputTokens, false)
	b = field(b, in1, "completion_tokens", u.OutputTokens, false)
	b = field(b, in1, "total_tokens", u.TotalTokens(), false)
	b = append(b, in1...)
	b = append(b, `"prompt_tokens_details"`...)
	b = append(b, sep...)
	b = append(b, '{')
	b = field(b, in2, "cached_tokens", u.CachedInputTokens, false)
	b = field(b, in2, "audio_tokens", 0, true)
	b = append(b, in1...)
	b = append(b, "},"...)
	b = append(b, in1...)
	b = append(b, `"completion_tokens_details"`...)
	b = append(b, sep...)
	b = append(b, '{')
	b = field(b, in2, "reasoning_tokens", u.ReasoningTokens, false)
	b = field(b, in2, "audio_tokens", 0, false)
	b = field(b, in2, "accepted_prediction_tokens", 0, false)
	b = field(b, in2, "rejected_prediction_tokens", 0, true)
	b = append(b, in1...)
	b = append(b, '}')
	b = append(b, out...)
	return append(b, '}')
}
