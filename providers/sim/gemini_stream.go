package sim

import (
	"net/http"

	"github.com/switchboard-gw/switchboard/llm"
)

// streamGenerateContent. With alt=sse, each chunk is one line
//
//	data: {"candidates": [...],"usageMetadata": {...},"modelVersion": ...,"responseId": ...}\r\n\r\n
//
// with CRLF separators, no event names and no [DONE]: the body just ends.
// Every chunk repeats usageMetadata (the prompt and thinking counts; the
// last one adds the candidates' counts). A candidate opens with its thought
// summary when one was asked for; text comes in fragments, the first
// carrying the signature and the last the finish reason; function calls
// come whole, all in one chunk with the finish reason, as the real API
// sends them. Candidates are interleaved when candidateCount > 1, each chunk
// then naming its candidate's index. Without alt=sse the same chunks are
// pretty-printed in a JSON array.

type streamFraming uint8

const (
	framingSSE   streamFraming = iota // data: lines
	framingArray                      // a JSON array
)

// gemChunk is one chunk of one candidate.
type gemChunk struct {
	cand    int
	thought bool
	calls   bool
	hasText bool
	text    string
	sig     string
	finish  string
}

// chunkPlan lays the answer out in chunks, candidates interleaved.
func (a *geminiAnswer) chunkPlan(per int) []gemChunk {
	lists := make([][]gemChunk, len(a.cands))
	longest := 0
	for i := range a.cands {
		c := &a.cands[i]
		var l []gemChunk
		if c.thought != "" {
			l = append(l, gemChunk{cand: i, thought: true})
		}
		switch {
		case len(c.calls) > 0:
			l = append(l, gemChunk{cand: i, calls: true, sig: c.signature})
		case c.hasText && c.text == "":
			l = append(l, gemChunk{cand: i, hasText: true, sig: c.signature})
		case c.hasText:
			for pos := 0; pos < len(c.text); {
				end := pos
				for k := 0; k < per && end < len(c.text); k++ {
					end = nextToken(c.text, end)
				}
				ch := gemChunk{cand: i, hasText: true, text: c.text[pos:end]}
				if pos == 0 {
					ch.sig = c.signature
				}
				l = append(l, ch)
				pos = end
			}
		}
		if len(l) == 0 || l[len(l)-1].thought {
			l = append(l, gemChunk{cand: i}) // a finish with no parts
		}
		l[len(l)-1].finish = c.finish
		lists[i] = l
		longest = max(longest, len(l))
	}
	plan := make([]gemChunk, 0, longest*len(lists))
	for k := 0; k < longest; k++ {
		for i := range lists {
			if k < len(lists[i]) {
				plan = append(plan, lists[i][k])
			}
		}
	}
	return plan
}

// stream writes the answer chunk by chunk.
func (a *geminiAnswer) stream(framing streamFraming) {
	s, f := a.s, a.fault
	ctx := a.r.Context()
	h := a.w.Header()
	setGeminiHeaders(h, a.start)
	if framing == framingSSE {
		h["Content-Type"] = eventStreamPlain
		h["Content-Disposition"] = attachment
	} else {
		h["Content-Type"] = jsonGoogle
	}
	a.w.WriteHeader(http.StatusOK)
	flusher, _ := a.w.(http.Flusher)
	if flusher != nil {
		flusher.Flush()
	}
	gs := gemStream{answer: a, flusher: flusher, framing: framing}
	bp := getBuf()
	gs.buf = (*bp)[:0]
	completed := false
	defer func() {
		if !completed {
			s.served.errors.Add(1)
		}
		u := a.gen.usage
		s.countUsage(&llm.Usage{InputTokens: u.InputTokens, CachedInputTokens: u.CachedInputTokens,
			CacheWriteTokens: u.CacheWriteTokens, ReasoningTokens: u.ReasoningTokens}, gs.sentTokens)
		*bp = gs.buf[:0]
		putBuf(bp)
	}()

	if !sleep(ctx, effective(s.opts.TTFT, f.TTFT)) {
		return
	}
	delay := effective(s.opts.InterChunkDelay, f.InterChunkDelay)
	gs.sentTokens = a.gen.usage.ReasoningTokens // thinking happens before the first chunk
	plan := a.chunkPlan(s.opts.WordsPerChunk)
	for i := range plan {
		if gs.chunks > 0 && !sleep(ctx, delay) {
			return
		}
		if !gs.beforeChunk(f, false) || !gs.chunk(&plan[i], i == len(plan)-1) {
			return
		}
	}
	if !gs.beforeChunk(f, true) {
		return
	}
	if framing == framingArray && !gs.write(append(gs.buf[:0], ']')) {
		return
	}
	completed = true
}

// gemStream frames and sends chunks.
type gemStream struct {
	answer       *geminiAnswer
	flusher      http.Flusher
	framing      streamFraming
	buf          []byte
	chunks       int
	sentTokens   int64
	malformedOut bool
}

// beforeChunk applies the stream faults due before the next chunk (all the
// pending ones at the end, when last is set) and reports whether the stream
// goes on.
func (gs *gemStream) beforeChunk(f *Fault, last bool) bool {
	if f.Malformed && !gs.malformedOut && (last || gs.chunks >= f.MalformedAfter) {
		gs.malformedOut = true
		b := gs.open(gs.buf[:0])
		b = append(b, `{"candidates": [{"content": {"parts": [{"text": "`...)
		if !gs.write(gs.close(b)) {
			return false
		}
	}
	if f.StreamError && (last || gs.chunks >= f.ErrorAfter) {
		b := gs.open(gs.buf[:0])
		b = appendGeminiError(b, geminiStreamFailure, gs.framing == framingArray)
		gs.write(gs.close(b))
		return false
	}
	if f.Disconnect && (last || gs.chunks >= f.DisconnectAfter) {
		panic(http.ErrAbortHandler) // an abrupt close: no finish reason
	}
	return true
}

// open starts a chunk: "data: " in SSE, the array's "[" or "," otherwise.
func (gs *gemStream) open(b []byte) []byte {
	if gs.framing == framingSSE {
		return append(b, "data: "...)
	}
	if gs.chunks == 0 && !gs.malformedOut {
		return append(b, '[')
	}
	return append(b, ",\r\n"...)
}

// close ends a chunk.
func (gs *gemStream) close(b []byte) []byte {
	if gs.framing == framingSSE {
		return append(b, "\r\n\r\n"...)
	}
	return b
}

func (gs *gemStream) chunk(c *gemChunk, final bool) bool {
	a := gs.answer
	cand := &a.cands[c.cand]
	w := gemWriter{b: gs.open(gs.buf[:0]), pretty: gs.framing == framingArray}
	w.begin('{')
	w.field("candidates")
	w.begin('[')
	w.item()
	thought := ""
	if c.thought {
		thought = cand.thought
	}
	var calls []generatedCall
	if c.calls {
		calls = cand.calls
	}
	a.appendCandidate(&w, c.cand, thought, c.hasText, c.text, calls, c.sig, c.finish, len(a.cands) > 1)
	w.end(']')
	a.appendTail(&w, final, true)
	w.end('}')
	if !gs.write(gs.close(w.b)) {
		return false
	}
	gs.chunks++
	gs.sentTokens += int64(CountTokens(c.text))
	for k := range calls {
		gs.sentTokens += int64(CountTokens(calls[k].name) + CountTokens(calls[k].arguments))
	}
	return true
}

func (gs *gemStream) write(b []byte) bool {
	gs.buf = b[:0]
	if _, err := gs.answer.w.Write(b); err != nil {
		return false
	}
	if gs.flusher != nil {
		gs.flusher.Flush()
	}
	return gs.answer.r.Context().Err() == nil
}
