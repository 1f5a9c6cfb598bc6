package sim

import (
	"net/http"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// The Messages stream, framed as the real API frames it:
//
//	event: message_start\ndata: {...}\n\n
//	event: content_block_start ... event: ping ... content_block_delta ...
//	content_block_stop ... message_delta ... message_stop
//
// Each data object is padded with a run of 0 to 15 spaces before its final
// "}", as the real API pads them; the ping is written {"type": "ping"}.

var (
	eventStreamNoCache = []string{"no-cache"}
	pingEvent          = []byte("event: ping\ndata: {\"type\": \"ping\"}\n\n")
)

// anthropicSSE writes the events of one answer.
type anthropicSSE struct {
	a       *anthropicAnswer
	flusher http.Flusher
	pad     rng
	buf     []byte
	events  int // events sent
	// sentTokens counts the completion tokens sent so far.
	sentTokens   int64
	malformedOut bool
}

func (a *anthropicAnswer) stream() {
	s, f := a.s, a.fault
	ctx := a.r.Context()
	h := a.setHeaders(eventStreamUTF8)
	h["Cache-Control"] = eventStreamNoCache
	a.w.WriteHeader(http.StatusOK)
	flusher, _ := a.w.(http.Flusher)
	if flusher != nil {
		flusher.Flush()
	}
	bp := getBuf()
	sw := anthropicSSE{a: a, flusher: flusher, pad: rng{state: newHasher().str(a.id).sum()}, buf: (*bp)[:0]}
	completed := false
	defer func() {
		if !completed {
			s.served.errors.Add(1)
		}
		u := a.gen.usage
		s.countUsage(&llm.Usage{InputTokens: u.InputTokens, CachedInputTokens: u.CachedInputTokens, CacheWriteTokens: u.CacheWriteTokens, ReasoningTokens: u.ReasoningTokens}, sw.sentTokens)
		*bp = sw.buf[:0]
		putBuf(bp)
	}()

	if !sleep(ctx, effective(s.opts.TTFT, f.TTFT)) {
		return
	}
	// Reasoning happens before the first visible token.
	sw.sentTokens = a.gen.usage.ReasoningTokens
	delay := effective(s.opts.InterChunkDelay, f.InterChunkDelay)
	per := s.opts.WordsPerChunk

	b := sw.begin("message_start")
	b = append(b, `{"type":"message_start","message":`...)
	b = a.appendMessage(b, false)
	if !sw.send(b, delay) {
		return
	}
	for i := range a.blocks {
		blk := &a.blocks[i]
		b = sw.begin("content_block_start")
		b = append(b, `{"type":"content_block_start","index":`...)
		b = appendInt(b, int64(i))
		b = append(b, `,"content_block":`...)
		b = a.appendBlock(b, blk, false)
		if !sw.send(b, delay) {
			return
		}
		if blk.kind == anthropicToolUse {
			sw.sentTokens += int64(CountTokens(blk.call.name))
		}
		if i == 0 && !sw.write(pingEvent) {
			return
		}
		if !sw.blockDeltas(i, blk, per, delay) {
			return
		}
		b = sw.begin("content_block_stop")
		b = append(b, `{"type":"content_block_stop","index":`...)
		b = appendInt(b, int64(i))
		if !sw.send(b, delay) {
			return
		}
	}
	b = sw.begin("message_delta")
	b = append(b, `{"type":"message_delta","delta":{"stop_reason":`...)
	b = appendString(b, a.stopReason)
	b = append(b, `,"stop_sequence":`...)
	b = appendStringOrNull(b, a.stopSequence)
	input, write, read := a.splitInput()
	b = append(b, `},"usage":{"input_tokens":`...)
	b = appendInt(b, input)
	b = append(b, `,"cache_creation_input_tokens":`...)
	b = appendInt(b, write)
	b = append(b, `,"cache_read_input_tokens":`...)
	b = appendInt(b, read)
	b = append(b, `,"output_tokens":`...)
	b = appendInt(b, a.gen.usage.OutputTokens)
	b = append(b, '}')
	if !sw.send(b, delay) {
		return
	}
	if !sw.beforeEvent(true) {
		return
	}
	b = sw.begin("message_stop")
	b = append(b, `{"type":"message_stop"`...)
	if !sw.write(sw.end(b)) {
		return
	}
	completed = true
}

// blockDeltas sends the deltas of one content block: text, thinking then
// its signature, or the tool call's arguments in fragments (a call without
// arguments sends exactly one empty partial_json, as the real API does).
func (sw *anthropicSSE) blockDeltas(index int, blk *anthropicBlock, per int, delay time.Duration) bool {
	src := blk.text
	if blk.kind == anthropicToolUse && src == "{}" {
		src = ""
	}
	if blk.kind == anthropicThinking {
		per *= 8 // thinking streams in larger pieces than the answer
	}
	for pos := 0; pos < len(src) || (pos == 0 && blk.kind == anthropicToolUse); {
		end := pos
		for i := 0; i < per && end < len(src); i++ {
			end = nextToken(src, end)
		}
		frag := src[pos:end]
		b := sw.deltaPrefix(index)
		switch blk.kind {
		case anthropicThinking:
			b = append(b, `{"type":"thinking_delta","thinking":`...)
		case anthropicText:
			b = append(b, `{"type":"text_delta","text":`...)
		case anthropicToolUse:
			b = append(b, `{"type":"input_json_delta","partial_json":`...)
		}
		b = appendString(b, frag)
		b = append(b, '}')
		if !sw.send(b, delay) {
			return false
		}
		if blk.kind != anthropicThinking {
			sw.sentTokens += int64(CountTokens(frag))
		}
		if end == pos { // the empty partial_json of a call without arguments
			break
		}
		pos = end
	}
	if blk.kind == anthropicThinking {
		b := sw.deltaPrefix(index)
		b = append(b, `{"type":"signature_delta","signature":`...)
		b = appendString(b, blk.signature)
		b = append(b, '}')
		return sw.send(b, delay)
	}
	return true
}

func (sw *anthropicSSE) deltaPrefix(index int) []byte {
	b := sw.begin("content_block_delta")
	b = append(b, `{"type":"content_block_delta","index":`...)
	b = appendInt(b, int64(index))
	return append(b, `,"delta":`...)
}

// begin starts an event: its event: line and the data: prefix.
func (sw *anthropicSSE) begin(name string) []byte {
	b := append(sw.buf[:0], "event: "...)
	b = append(b, name...)
	return append(b, "\ndata: "...)
}

// end pads the data object, whose closing brace is still to come, and ends
// the event.
func (sw *anthropicSSE) end(b []byte) []byte {
	for n := sw.pad.intn(16); n > 0; n-- {
		b = append(b, ' ')
	}
	return append(b, "}\n\n"...)
}

// send applies the faults and delay due before an event, then ends and
// writes it.
func (sw *anthropicSSE) send(b []byte, delay time.Duration) bool {
	if sw.events > 0 && !sleep(sw.a.r.Context(), delay) {
		return false
	}
	b = sw.end(b)
	sw.buf = b
	if !sw.beforeEvent(false) {
		return false
	}
	return sw.write(b)
}

// beforeEvent applies the stream faults due before the next event (all the
// pending ones before message_stop, when last is set: a fault asked for
// after more events than the answer has still happens) and reports whether
// the stream goes on. It may use only the spare capacity of sw.buf beyond
// the event being sent.
func (sw *anthropicSSE) beforeEvent(last bool) bool {
	f := sw.a.fault
	if f.Malformed && !sw.malformedOut && (last || sw.events >= f.MalformedAfter) {
		sw.malformedOut = true
		if !sw.write([]byte("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"\n\n")) {
			return false
		}
	}
	if f.StreamError && (last || sw.events >= f.ErrorAfter) {
		typ, msg := anthropicStreamErrorType(f)
		b := append([]byte("event: error\ndata: "), appendAnthropicErrorBody(nil, typ, msg)...)
		sw.write(append(b, "\n\n"...))
		return false
	}
	if f.Disconnect && (last || sw.events >= f.DisconnectAfter) {
		panic(http.ErrAbortHandler) // an abrupt close: no message_stop
	}
	return true
}

func (sw *anthropicSSE) write(b []byte) bool {
	if _, err := sw.a.w.Write(b); err != nil {
		return false
	}
	if sw.flusher != nil {
		sw.flusher.Flush()
	}
	sw.events++
	return sw.a.r.Context().Err() == nil
}
