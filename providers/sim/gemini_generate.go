package sim

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/gemini/wire"
)

// POST /v1beta/models/{model}:generateContent and :streamGenerateContent:
// decode with the Gemini wire package, apply faults, generate with the
// dialect-neutral engine, and answer in Gemini's format.

func (s *Server) geminiGenerate(w http.ResponseWriter, r *http.Request, model string, stream bool, start time.Time) {
	s.generateContent(w, r, model, stream, start, nil)
}

// generateContent answers generateContent and streamGenerateContent, for
// the Gemini API or, with vc set, for Vertex AI (bearer tokens, roles
// required, Vertex's error wording and response fields).
func (s *Server) generateContent(w http.ResponseWriter, r *http.Request, model string, stream bool, start time.Time, vc *vertexCall) {
	s.served.requests.Add(1)
	sse := stream && r.URL.Query().Get("alt") == "sse"
	authorized := false
	if vc != nil {
		authorized = s.vertexAuthorized(w, r, sse, start)
	} else {
		authorized = s.geminiAuthorized(w, r, sse, start)
	}
	if !authorized {
		s.served.errors.Add(1)
		return
	}
	bp, oe := readBody(r)
	if oe != nil {
		s.geminiFail(w, geminiInvalid(oe.message), sse, start)
		return
	}
	wr, err := wire.DecodeRequest(*bp)
	putBuf(bp)
	if err != nil {
		s.geminiFail(w, geminiInvalid(llm.AsError(err).Message), sse, start)
		return
	}
	if vc != nil {
		if e := vertexCheckRoles(wr); e != nil {
			s.geminiFail(w, e, sse, start)
			return
		}
	}
	req, err := wire.ToCanonicalRequest(model, wr)
	if err != nil {
		s.geminiFail(w, geminiInvalid(llm.AsError(err).Message), sse, start)
		return
	}
	if e := checkGeminiSignatures(model, wr); e != nil {
		s.geminiFail(w, e, sse, start)
		return
	}
	includeThoughts := defaultGeminiThinking(model, wr, req)
	conv, err := readConversation(req)
	if err != nil {
		s.geminiFail(w, geminiInvalid("Invalid simulator directive: "+err.Error()), sse, start)
		return
	}
	fault, err := s.requestFault(r, conv)
	if err != nil {
		s.geminiFail(w, geminiInvalid("Invalid simulator directive: "+err.Error()), sse, start)
		return
	}
	if promptBlocked(&fault) {
		s.geminiBlocked(w, r, model, stream, sse, start, &fault, promptTokens(req), vc)
		return
	}
	if fault.Status != 0 {
		if vc != nil {
			s.geminiFail(w, vertexFaultError(&fault, vc, model, promptTokens(req)), sse, start)
			return
		}
		s.geminiFail(w, geminiFaultError(&fault, model, promptTokens(req)), sse, start)
		return
	}
	gen := generate(conv, &fault)
	a := &geminiAnswer{s: s, w: w, r: r, start: start, model: model, gen: gen, fault: &fault,
		id: geminiResponseID(), vertex: vc}
	a.candidates(conv.seed, includeThoughts)
	switch {
	case sse:
		a.stream(framingSSE)
	case stream:
		a.stream(framingArray)
	default:
		a.unary()
	}
}

// defaultGeminiThinking applies the model's thinking default (Gemini 2.5
// and 3 think unless the budget is 0) and returns whether thought
// summaries were asked for.
func defaultGeminiThinking(model string, wr *wire.GenerateContentRequest, req *llm.Request) bool {
	var tc *wire.ThinkingConfig
	if wr.GenerationConfig != nil {
		tc = wr.GenerationConfig.ThinkingConfig
	}
	off := tc != nil && tc.ThinkingBudget != nil && *tc.ThinkingBudget == 0
	if req.Reasoning == nil && !off && thinksByDefault(model) {
		req.Reasoning = &llm.ReasoningConfig{Effort: "medium"}
	}
	return tc != nil && tc.IncludeThoughts && !off
}

// geminiResponseID returns 23 characters like the real responseId
// ("kTgtafe4Fabn_uMPzdzJkAM"): unique per response.
func geminiResponseID() string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
	r := rng{state: uniqueSeed()}
	b := make([]byte, 23)
	for i := range b {
		b[i] = alphabet[r.next()&63]
	}
	return string(b)
}

// geminiAnswer is one answer being written.
type geminiAnswer struct {
	s     *Server
	w     http.ResponseWriter
	r     *http.Request
	start time.Time
	model string
	gen   *generation
	fault *Fault
	id    string
	cands []geminiCandidate
	// vertex is set when the answer is Vertex AI's.
	vertex *vertexCall
}

// geminiCandidate is what one candidate holds, in Gemini's terms.
type geminiCandidate struct {
	// thought is the thought summary; "" when none was asked for.
	thought string
	// text is the answer when hasText (it may be empty).
	text    string
	hasText bool
	calls   []generatedCall
	// signature goes on the first part after the thought.
	signature string
	finish    string
}

// candidates turns the engine's choices into Gemini candidates. A call cut
// by maxOutputTokens is dropped (Gemini's args are an object, never a
// fragment); a text answer whose budget went to thinking has no parts.
func (a *geminiAnswer) candidates(seed uint64, includeThoughts bool) {
	a.cands = make([]geminiCandidate, len(a.gen.choices))
	for i := range a.gen.choices {
		ch := &a.gen.choices[i]
		c := &a.cands[i]
		c.finish = wire.FinishStop
		switch ch.finish {
		case llm.FinishLength:
			c.finish = wire.FinishMaxTokens
		case llm.FinishContentFilter:
			c.finish = wire.FinishSafety
		}
		choiceSeed := mix64(seed + uint64(i+1)*0x9e3779b97f4a7c15)
		if len(ch.calls) > 0 {
			c.calls = ch.calls
			if last := c.calls[len(c.calls)-1]; !json.Valid([]byte(last.arguments)) {
				c.calls = c.calls[:len(c.calls)-1]
			}
		} else {
			c.text = ch.text
			c.hasText = ch.text != "" || ch.finish != llm.FinishLength
		}
		if ch.reasoning > 0 {
			if includeThoughts {
				c.thought = thoughtSummary(choiceSeed)
			}
			switch {
			case len(c.calls) > 0:
				c.signature = geminiSignature(signsCall, c.calls[0].name, choiceSeed)
			case c.hasText:
				c.signature = geminiSignature(signsText, "text", choiceSeed)
			}
		}
	}
}

// unary writes the GenerateContentResponse, pretty-printed.
func (a *geminiAnswer) unary() {
	s, f := a.s, a.fault
	if !sleep(a.r.Context(), effective(s.opts.Latency, f.Latency)) {
		s.served.errors.Add(1)
		return
	}
	if f.Disconnect {
		s.served.errors.Add(1)
		panic(http.ErrAbortHandler) // net/http closes the connection without a response
	}
	bp := getBuf()
	gw := gemWriter{b: (*bp)[:0], pretty: true}
	gw.begin('{')
	gw.field("candidates")
	gw.begin('[')
	for i := range a.cands {
		c := &a.cands[i]
		gw.item()
		a.appendCandidate(&gw, i, c.thought, c.hasText, c.text, c.calls, c.signature, c.finish, true)
	}
	gw.end(']')
	a.appendTail(&gw, true, false)
	gw.end('}')
	b := append(gw.b, '\n')
	if f.Malformed {
		b = b[:len(b)/2] // a body cut mid-value
	}
	h := a.w.Header()
	setGeminiHeaders(h, a.start)
	h["Content-Type"] = jsonGoogle
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	a.w.WriteHeader(http.StatusOK)
	_, err := a.w.Write(b)
	*bp = b
	putBuf(bp)
	if err != nil || f.Malformed {
		s.served.errors.Add(1)
	}
	s.countUsage(&a.gen.usage, a.gen.usage.OutputTokens)
}

// appendCandidate writes one candidate: its content (the thought, the text
// or the calls), then finishReason, index and finishMessage. Streams leave
// index out when there is one candidate, as the real API does.
func (a *geminiAnswer) appendCandidate(w *gemWriter, index int, thought string, hasText bool, text string,
	calls []generatedCall, sig, finish string, writeIndex bool) {
	w.begin('{')
	w.field("content")
	w.begin('{')
	if thought != "" || hasText || len(calls) > 0 {
		w.field("parts")
		w.begin('[')
		if thought != "" {
			w.item()
			w.begin('{')
			w.strField("text", thought)
			w.field("thought")
			w.lit("true")
			w.end('}')
		}
		if hasText {
			w.item()
			w.begin('{')
			w.strField("text", text)
			if sig != "" {
				w.strField("thoughtSignature", sig)
			}
			w.end('}')
		}
		for k := range calls {
			w.item()
			w.begin('{')
			w.field("functionCall")
			w.begin('{')
			w.strField("name", calls[k].name)
			w.field("args")
			w.value(calls[k].arguments)
			w.end('}')
			if k == 0 && sig != "" {
				w.strField("thoughtSignature", sig)
			}
			w.end('}')
		}
		w.end(']')
	}
	w.strField("role", "model")
	w.end('}')
	if finish != "" {
		w.strField("finishReason", finish)
	}
	if writeIndex {
		w.numField("index", int64(index))
	}
	if finish != "" && len(calls) > 0 && reportsFinishMessage(a.model) {
		w.strField("finishMessage", "Model generated function call(s).")
	}
	w.end('}')
}

// appendTail writes usageMetadata, modelVersion and responseId. A stream's
// chunks before the last carry the prompt (and thinking) counts only;
// details says whether to add candidatesTokensDetails (streams do).
func (a *geminiAnswer) appendTail(w *gemWriter, final, details bool) {
	u := &a.gen.usage
	candidates := u.OutputTokens - u.ReasoningTokens
	total := u.InputTokens + u.ReasoningTokens
	if final {
		total += candidates
	}
	w.field("usageMetadata")
	w.begin('{')
	w.numField("promptTokenCount", u.InputTokens)
	if final && candidates > 0 {
		w.numField("candidatesTokenCount", candidates)
	}
	w.numField("totalTokenCount", total)
	if u.CachedInputTokens > 0 {
		w.numField("cachedContentTokenCount", u.CachedInputTokens)
	}
	appendModalityCounts(w, "promptTokensDetails", u.InputTokens)
	if u.CachedInputTokens > 0 {
		appendModalityCounts(w, "cacheTokensDetails", u.CachedInputTokens)
	}
	if final && details && candidates > 0 {
		appendModalityCounts(w, "candidatesTokensDetails", candidates)
	}
	if u.ReasoningTokens > 0 {
		w.numField("thoughtsTokenCount", u.ReasoningTokens)
	}
	if a.vertex != nil {
		w.strField("trafficType", "ON_DEMAND")
	}
	w.end('}')
	w.strField("modelVersion", a.model)
	if a.vertex != nil {
		w.strField("createTime", a.start.UTC().Format("2006-01-02T15:04:05.000000Z"))
	}
	w.strField("responseId", a.id)
}

func appendModalityCounts(w *gemWriter, name string, n int64) {
	w.field(name)
	w.begin('[')
	w.item()
	w.begin('{')
	w.strField("modality", "TEXT")
	w.numField("tokenCount", n)
	w.end('}')
	w.end(']')
}
