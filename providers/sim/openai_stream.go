package sim

import (
	"net/http"

	"github.com/switchboard-gw/switchboard/llm"
)

// The chat completions stream, framed exactly as the real API frames it:
//
//	data: {chunk}\n\n ... data: [DONE]\n\n
//
// Each choice opens with a delta {"role":"assistant","content":"",
// "refusal":null} (content null and the first tool call's header when it
// calls tools), continues with content or argument fragments, and ends with
// an empty delta carrying finish_reason. Choices are interleaved when n > 1.
// Every chunk carries "obfuscation" padding; with include_usage every chunk
// has "usage":null and a last chunk with "choices":[] carries the usage.

// chunkKind is what a chunk of one choice carries.
type chunkKind uint8

const (
	chunkOpen     chunkKind = iota // role (and the first call's header)
	chunkText                      // content fragment
	chunkCallHead                  // header of a tool call after the first
	chunkCallArgs                  // arguments fragment
	chunkFinish                    // empty delta with finish_reason
	chunkNone                      // nothing left
)

// choiceCursor walks one choice's chunks.
type choiceCursor struct {
	ch   *generatedChoice
	kind chunkKind // what comes next: chunkOpen, chunkText, chunkCallArgs or chunkNone
	call int       // current call
	pos  int       // byte offset in the text or the current call's arguments
}

// next returns the next chunk of the choice and the text it carries, and
// advances. per is the number of tokens per fragment.
func (c *choiceCursor) next(per int) (chunkKind, string) {
	switch c.kind {
	case chunkNone:
		return chunkNone, ""
	case chunkOpen:
		c.kind = chunkText
		if len(c.ch.calls) > 0 {
			c.kind = chunkCallArgs
		}
		return chunkOpen, ""
	}
	src := c.ch.text
	if c.kind == chunkCallArgs {
		src = c.ch.calls[c.call].arguments
	}
	if c.pos >= len(src) {
		if c.kind == chunkCallArgs && c.call+1 < len(c.ch.calls) {
			c.call++
			c.pos = 0
			return chunkCallHead, ""
		}
		c.kind = chunkNone
		return chunkFinish, ""
	}
	end := c.pos
	for i := 0; i < per && end < len(src); i++ {
		end = nextToken(src, end)
	}
	frag := src[c.pos:end]
	c.pos = end
	return c.kind, frag
}

// stream writes the SSE answer.
func (c *chatAnswer) stream(includeUsage bool) {
	s, f := c.s, c.fault
	ctx := c.r.Context()
	h := c.w.Header()
	c.setHeaders(h)
	h["Content-Type"] = eventStreamUTF8
	c.w.WriteHeader(http.StatusOK)
	flusher, _ := c.w.(http.Flusher)
	if flusher != nil {
		flusher.Flush()
	}

	sw := sseWriter{answer: c, includeUsage: includeUsage, flusher: flusher, obf: rng{state: newHasher().str(c.id).sum()}}
	bp := getBuf()
	sw.prefix = appendChunkPrefix((*bp)[:0], c)
	sw.buf = sw.prefix[len(sw.prefix):]

	// Runs however the stream ends: done, cancelled, or cut by a fault.
	completed := false
	defer func() {
		if !completed {
			s.served.errors.Add(1)
		}
		s.countUsage(&llm.Usage{InputTokens: c.gen.usage.InputTokens, CachedInputTokens: c.gen.usage.CachedInputTokens,
			CacheWriteTokens: c.gen.usage.CacheWriteTokens, ReasoningTokens: c.gen.usage.ReasoningTokens}, sw.sentTokens)
		*bp = sw.prefix[:0]
		putBuf(bp)
	}()

	if c.azure != nil && !sw.write(appendAzurePreamble(sw.buf[:0])) {
		return // the prompt filter's verdict comes before any generation
	}
	if !sleep(ctx, effective(s.opts.TTFT, f.TTFT)) {
		return
	}
	delay := effective(s.opts.InterChunkDelay, f.InterChunkDelay)
	per := s.opts.WordsPerChunk
	cursors := make([]choiceCursor, len(c.gen.choices))
	for i := range cursors {
		cursors[i] = choiceCursor{ch: &c.gen.choices[i]}
	}
	// Reasoning happens before the first visible token.
	sw.sentTokens = c.gen.usage.ReasoningTokens

	for active := len(cursors); active > 0; {
		active = 0
		for i := range cursors {
			kind, frag := cursors[i].next(per)
			if kind == chunkNone {
				continue
			}
			active++
			if sw.chunks > 0 && !sleep(ctx, delay) {
				return
			}
			if !sw.beforeChunk(f, false) {
				return
			}
			if !sw.choiceChunk(i, &cursors[i], kind, frag) {
				return
			}
		}
	}
	if includeUsage {
		if !sw.beforeChunk(f, false) || !sw.usageChunk() {
			return
		}
	}
	if !sw.beforeChunk(f, true) {
		return
	}
	if !sw.write(append(sw.buf[:0], "data: [DONE]\n\n"...)) {
		return
	}
	completed = true
}

// sseWriter frames and sends chunks.
type sseWriter struct {
	answer       *chatAnswer
	includeUsage bool
	flusher      http.Flusher
	obf          rng
	prefix       []byte // `data: {"id":...,"choices":[`, shared by every chunk
	buf          []byte // the chunk being built, after prefix in the same array
	chunks       int    // chunks sent
	sentTokens   int64  // completion tokens sent so far
	malformedOut bool
}

// beforeChunk applies the stream faults due before the next chunk (all the
// pending ones before [DONE], when last is set: a fault asked for after more
// chunks than the answer has still happens) and reports whether the stream
// goes on.
func (sw *sseWriter) beforeChunk(f *Fault, last bool) bool {
	if f.Malformed && !sw.malformedOut && (last || sw.chunks >= f.MalformedAfter) {
		sw.malformedOut = true
		b := append(sw.buf[:0], sw.prefix...)
		b = append(b, `{"index":0,"delta":{"content":"`...)
		b = append(b, "\n\n"...)
		if !sw.write(b) {
			return false
		}
	}
	if f.StreamError && (last || sw.chunks >= f.ErrorAfter) {
		b := append(sw.buf[:0], "data: "...)
		b = appendCompactOpenAIError(b, streamFailure)
		b = append(b, "\n\n"...)
		sw.write(b)
		return false
	}
	if f.Disconnect && (last || sw.chunks >= f.DisconnectAfter) {
		panic(http.ErrAbortHandler) // an abrupt close: no [DONE], no final chunk
	}
	return true
}

func (sw *sseWriter) write(b []byte) bool {
	sw.buf = b[:0]
	if _, err := sw.answer.w.Write(b); err != nil {
		return false
	}
	if sw.flusher != nil {
		sw.flusher.Flush()
	}
	return sw.answer.r.Context().Err() == nil
}

// appendChunkPrefix writes the part every chunk of the answer shares.
func appendChunkPrefix(b []byte, c *chatAnswer) []byte {
	b = append(b, `data: {"id":`...)
	b = appendString(b, c.id)
	b = append(b, `,"object":"chat.completion.chunk","created":`...)
	b = appendInt(b, c.created)
	b = append(b, `,"model":`...)
	b = appendString(b, c.req.Model)
	if c.azure == nil {
		b = append(b, `,"service_tier":"default"`...)
	}
	b = append(b, `,"system_fingerprint":`...)
	b = appendFingerprint(b, c.req.Model)
	return append(b, `,"choices":[`...)
}

// finishChunk closes the choices array and writes usage and padding.
func (sw *sseWriter) finishChunk(b []byte) []byte {
	b = append(b, ']')
	if sw.includeUsage {
		b = append(b, `,"usage":null`...)
	}
	return sw.appendObfuscation(b)
}

// appendObfuscation writes the padding field the real API adds to every
// chunk (random characters of random length, 0 to 15) and ends the event.
func (sw *sseWriter) appendObfuscation(b []byte) []byte {
	if sw.answer.azure != nil {
		return append(b, "}\n\n"...) // Azure sends no padding
	}
	b = append(b, `,"obfuscation":"`...)
	b = appendBase62(b, sw.obf.next(), sw.obf.intn(16))
	return append(b, "\"}\n\n"...)
}

func (sw *sseWriter) choiceChunk(index int, cur *choiceCursor, kind chunkKind, frag string) bool {
	ch := cur.ch
	b := append(sw.buf[:0], sw.prefix...)
	b = append(b, `{"index":`...)
	b = appendInt(b, int64(index))
	if sw.answer.azure != nil {
		b = append(b, `,"content_filter_results":`...)
		b = appendChunkFilter(b, ch, kind)
	}
	b = append(b, `,"delta":{`...)
	switch kind {
	case chunkOpen:
		if len(ch.calls) == 0 {
			b = append(b, `"role":"assistant","content":"","refusal":null`...)
		} else {
			b = append(b, `"role":"assistant","content":null,"tool_calls":[`...)
			b = appendCallHead(b, 0, &ch.calls[0])
			b = append(b, `],"refusal":null`...)
			sw.sentTokens += int64(CountTokens(ch.calls[0].name))
		}
	case chunkText:
		b = append(b, `"content":`...)
		b = appendString(b, frag)
	case chunkCallHead:
		b = append(b, `"tool_calls":[`...)
		b = appendCallHead(b, cur.call, &ch.calls[cur.call])
		b = append(b, ']')
		sw.sentTokens += int64(CountTokens(ch.calls[cur.call].name))
	case chunkCallArgs:
		b = append(b, `"tool_calls":[{"index":`...)
		b = appendInt(b, int64(cur.call))
		b = append(b, `,"function":{"arguments":`...)
		b = appendString(b, frag)
		b = append(b, "}}]"...)
	}
	b = append(b, `},"logprobs":null,"finish_reason":`...)
	if kind == chunkFinish {
		b = append(b, '"')
		b = append(b, openAIFinish(ch.finish)...)
		b = append(b, '"')
	} else {
		b = append(b, "null"...)
	}
	b = append(b, '}')
	b = sw.finishChunk(b)
	if !sw.write(b) {
		return false
	}
	sw.chunks++
	if kind == chunkText || kind == chunkCallArgs {
		sw.sentTokens += int64(CountTokens(frag))
	}
	return true
}

func appendCallHead(b []byte, index int, call *generatedCall) []byte {
	b = append(b, `{"index":`...)
	b = appendInt(b, int64(index))
	b = append(b, `,"id":`...)
	b = appendCallID(b, call.idSeed)
	b = append(b, `,"type":"function","function":{"name":`...)
	b = appendString(b, call.name)
	return append(b, `,"arguments":""}}`...)
}

// usageChunk writes the extra last chunk of include_usage.
func (sw *sseWriter) usageChunk() bool {
	b := append(sw.buf[:0], sw.prefix...)
	b = append(b, `],"usage":`...)
	b = appendUsage(b, &sw.answer.gen.usage, "", "", "")
	b = sw.appendObfuscation(b)
	if !sw.write(b) {
		return false
	}
	sw.chunks++
	return true
}
