package sim

import (
	"net/http"
	"strconv"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// A prompt the safety filter blocks (content_filter=prompt). The Gemini API
// does not answer it with an error status: it answers 200 with
// promptFeedback.blockReason, the ratings that blocked it, no candidates,
// and the prompt's usage; a stream is that one chunk. Translators must read
// it as a refusal, not as an empty answer.

// blockedSafetyRatings are the ratings of a blocked prompt, in the API's
// category order: the dangerous-content one is what blocked it.
var blockedSafetyRatings = [...][2]string{
	{"HARM_CATEGORY_SEXUALLY_EXPLICIT", "NEGLIGIBLE"},
	{"HARM_CATEGORY_HATE_SPEECH", "NEGLIGIBLE"},
	{"HARM_CATEGORY_HARASSMENT", "NEGLIGIBLE"},
	{"HARM_CATEGORY_DANGEROUS_CONTENT", "HIGH"},
}

// promptBlocked reports whether a fault is a filtered prompt the directive
// did not turn into another status or code.
func promptBlocked(f *Fault) bool {
	return f.ContentFilter == FilterPrompt && f.Status == http.StatusBadRequest && f.Code == "content_filter"
}

// geminiBlocked answers a blocked prompt of prompt tokens, unary or
// streamed (sse or a JSON array), for the Gemini API or Vertex AI (vc set).
func (s *Server) geminiBlocked(w http.ResponseWriter, r *http.Request, model string, stream, sse bool, start time.Time,
	f *Fault, prompt int64, vc *vertexCall) {
	a := &geminiAnswer{s: s, w: w, r: r, start: start, model: model, fault: f, id: geminiResponseID(), vertex: vc,
		gen: &generation{usage: llm.Usage{InputTokens: prompt}}}
	framing := framingArray
	if sse {
		framing = framingSSE
	}
	a.blocked(stream, framing)
}

// blocked writes the answer to a blocked prompt.
func (a *geminiAnswer) blocked(stream bool, framing streamFraming) {
	s := a.s
	wait := effective(s.opts.Latency, a.fault.Latency)
	if stream {
		wait = effective(s.opts.TTFT, a.fault.TTFT)
	}
	if !sleep(a.r.Context(), wait) {
		s.served.errors.Add(1)
		return
	}
	pretty := !stream || framing == framingArray
	bp := getBuf()
	b := (*bp)[:0]
	switch {
	case !stream:
	case framing == framingSSE:
		b = append(b, "data: "...)
	default:
		b = append(b, '[')
	}
	w := gemWriter{b: b, pretty: pretty}
	w.begin('{')
	w.field("promptFeedback")
	w.begin('{')
	w.strField("blockReason", "SAFETY")
	w.field("safetyRatings")
	w.begin('[')
	for _, r := range blockedSafetyRatings {
		w.item()
		w.begin('{')
		w.strField("category", r[0])
		w.strField("probability", r[1])
		w.end('}')
	}
	w.end(']')
	w.end('}')
	a.appendTail(&w, true, false)
	w.end('}')
	b = w.b
	switch {
	case !stream:
		b = append(b, '\n')
	case framing == framingSSE:
		b = append(b, "\r\n\r\n"...)
	default:
		b = append(b, ']')
	}
	h := a.w.Header()
	setGeminiHeaders(h, a.start)
	h["Content-Type"] = jsonGoogle
	if stream && framing == framingSSE {
		h["Content-Type"] = eventStreamPlain
		h["Content-Disposition"] = attachment
	}
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	a.w.WriteHeader(http.StatusOK)
	_, _ = a.w.Write(b)
	*bp = b
	putBuf(bp)
	s.countUsage(&llm.Usage{InputTokens: a.gen.usage.InputTokens}, 0)
}
