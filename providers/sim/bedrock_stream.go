package sim

import (
	"encoding/binary"
	"net/http"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/bedrock/wire"
)

// The ConverseStream answer, framed as Bedrock frames it: one binary
// event-stream message per event (wire.AppendFrame), each JSON payload with
// its members in alphabetical order and a "p" member of padding (a prefix
// of the alphabet, of random length):
//
//	messageStart         {"p":...,"role":"assistant"}
//	contentBlockDelta    {"contentBlockIndex":0,"delta":{"text":"..."},"p":...}
//	contentBlockStart    {"contentBlockIndex":1,"p":...,"start":{"toolUse":{"name":...,"toolUseId":...}}}
//	contentBlockDelta    {"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\"city\":"}},"p":...}
//	contentBlockStop     {"contentBlockIndex":1,"p":...}
//	messageStop          {"p":...,"stopReason":"tool_use"}
//	metadata             {"metrics":{"latencyMs":...},"p":...,"usage":{...}}

const padAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// Event headers, prepared once.
var bedrockEventHeaders = map[string][]wire.Header{}

func init() {
	for _, t := range []string{wire.EventMessageStart, wire.EventContentBlockStart, wire.EventContentBlockDelta,
		wire.EventContentBlockStop, wire.EventMessageStop, wire.EventMetadata} {
		bedrockEventHeaders[t] = wire.EventHeaders(t)
	}
}

// bedrockEvents writes the frames of one answer.
type bedrockEvents struct {
	a       *bedrockAnswer
	flusher http.Flusher
	pad     rng
	payload []byte // the payload being built
	frame   []byte // the frame being written
	frames  int    // frames sent
	// sentTokens counts the completion tokens sent so far.
	sentTokens   int64
	malformedOut bool
}

func (a *bedrockAnswer) stream() {
	s, f := a.s, a.fault
	ctx := a.r.Context()
	h := a.w.Header()
	h["Content-Type"] = eventStreamAmazon
	h["X-Amzn-Requestid"] = []string{a.requestID}
	a.w.WriteHeader(http.StatusOK)
	flusher, _ := a.w.(http.Flusher)
	if flusher != nil {
		flusher.Flush()
	}
	pp, fp := getBuf(), getBuf()
	ev := bedrockEvents{a: a, flusher: flusher, pad: rng{state: newHasher().str(a.requestID).sum()}, payload: (*pp)[:0], frame: (*fp)[:0]}
	completed := false
	defer func() {
		if !completed {
			s.served.errors.Add(1)
		}
		u := a.usage
		s.countUsage(&llm.Usage{InputTokens: u.InputTokens, CachedInputTokens: u.CachedInputTokens, CacheWriteTokens: u.CacheWriteTokens, ReasoningTokens: u.ReasoningTokens}, ev.sentTokens)
		*pp, *fp = ev.payload[:0], ev.frame[:0]
		putBuf(pp)
		putBuf(fp)
	}()

	if !sleep(ctx, effective(s.opts.TTFT, f.TTFT)) {
		return
	}
	// Reasoning happens before the first visible token.
	ev.sentTokens = a.usage.ReasoningTokens
	delay := effective(s.opts.InterChunkDelay, f.InterChunkDelay)
	per := s.opts.WordsPerChunk

	b := append(ev.payload[:0], '{')
	b = ev.appendPad(b)
	b = append(b, `,"role":"assistant"}`...)
	if !ev.send(wire.EventMessageStart, b, delay) {
		return
	}
	for i := range a.blocks {
		blk := &a.blocks[i]
		if blk.kind == bedrockToolUse {
			b = ev.indexed(i)
			b = ev.appendPad(b)
			b = append(b, `,"start":{"toolUse":{"name":`...)
			b = appendString(b, blk.call.name)
			b = append(b, `,"toolUseId":`...)
			b = appendToolUseIDBedrock(b, blk.call.idSeed)
			b = append(b, "}}}"...)
			if !ev.send(wire.EventContentBlockStart, b, delay) {
				return
			}
			ev.sentTokens += int64(CountTokens(blk.call.name))
		}
		if !ev.blockDeltas(i, blk, per, delay) {
			return
		}
		b = ev.indexed(i)
		b = ev.appendPad(b)
		b = append(b, '}')
		if !ev.send(wire.EventContentBlockStop, b, delay) {
			return
		}
	}
	b = append(ev.payload[:0], '{')
	b = ev.appendPad(b)
	b = append(b, `,"stopReason":`...)
	b = appendString(b, a.stopReason)
	b = append(b, '}')
	if !ev.send(wire.EventMessageStop, b, delay) {
		return
	}
	if !ev.beforeFrame(true) {
		return
	}
	b = append(ev.payload[:0], `{"metrics":{"latencyMs":`...)
	b = appendInt(b, time.Since(a.start).Milliseconds())
	b = append(b, "},"...)
	b = ev.appendPad(b)
	b = append(b, `,"usage":`...)
	b = a.appendUsage(b)
	b = append(b, '}')
	ev.payload = b
	if !ev.write(wire.AppendFrame(ev.frame[:0], bedrockEventHeaders[wire.EventMetadata], b)) {
		return
	}
	completed = true
}

// blockDeltas sends the deltas of one content block: text, reasoning text
// then its signature, or the tool call's input in fragments (a call without
// arguments sends one empty input, as Claude's stream does).
func (ev *bedrockEvents) blockDeltas(index int, blk *bedrockBlock, per int, delay time.Duration) bool {
	src := blk.text
	if blk.kind == bedrockToolUse && src == "{}" {
		src = ""
	}
	if blk.kind == bedrockReasoning {
		per *= 8 // reasoning streams in larger pieces than the answer
	}
	for pos := 0; pos < len(src) || (pos == 0 && blk.kind == bedrockToolUse); {
		end := pos
		for i := 0; i < per && end < len(src); i++ {
			end = nextToken(src, end)
		}
		frag := src[pos:end]
		b := ev.indexed(index)
		switch blk.kind {
		case bedrockReasoning:
			b = append(b, `,"delta":{"reasoningContent":{"text":`...)
			b = appendString(b, frag)
			b = append(b, "}},"...)
		case bedrockText:
			b = append(b, `,"delta":{"text":`...)
			b = appendString(b, frag)
			b = append(b, "},"...)
		case bedrockToolUse:
			b = append(b, `,"delta":{"toolUse":{"input":`...)
			b = appendString(b, frag)
			b = append(b, "}},"...)
		}
		b = ev.appendPad(b)
		b = append(b, '}')
		if !ev.send(wire.EventContentBlockDelta, b, delay) {
			return false
		}
		if blk.kind != bedrockReasoning {
			ev.sentTokens += int64(CountTokens(frag))
		}
		if end == pos { // the empty input of a call without arguments
			break
		}
		pos = end
	}
	if blk.kind == bedrockReasoning {
		b := ev.indexed(index)
		b = append(b, `,"delta":{"reasoningContent":{"signature":`...)
		b = appendString(b, blk.signature)
		b = append(b, "}},"...)
		b = ev.appendPad(b)
		b = append(b, '}')
		return ev.send(wire.EventContentBlockDelta, b, delay)
	}
	return true
}

// indexed starts a payload with its contentBlockIndex.
func (ev *bedrockEvents) indexed(index int) []byte {
	b := append(ev.payload[:0], `{"contentBlockIndex":`...)
	return appendInt(b, int64(index))
}

// appendPad writes the "p" member: a prefix of the alphabet, 1 to 62
// characters long.
func (ev *bedrockEvents) appendPad(b []byte) []byte {
	if b[len(b)-1] != '{' && b[len(b)-1] != ',' {
		b = append(b, ',')
	}
	b = append(b, `"p":"`...)
	b = append(b, padAlphabet[:1+ev.pad.intn(len(padAlphabet))]...)
	return append(b, '"')
}

// send applies the faults and delay due before a frame, then frames and
// writes payload.
func (ev *bedrockEvents) send(eventType string, payload []byte, delay time.Duration) bool {
	ev.payload = payload
	if ev.frames > 0 && !sleep(ev.a.r.Context(), delay) {
		return false
	}
	if !ev.beforeFrame(false) {
		return false
	}
	ev.frame = wire.AppendFrame(ev.frame[:0], bedrockEventHeaders[eventType], payload)
	return ev.write(ev.frame)
}

// beforeFrame applies the stream faults due before the next frame (all the
// pending ones before the metadata, when last is set) and reports whether
// the stream goes on.
func (ev *bedrockEvents) beforeFrame(last bool) bool {
	f := ev.a.fault
	if f.Malformed && !ev.malformedOut && (last || ev.frames >= f.MalformedAfter) {
		ev.malformedOut = true
		// A frame whose message checksum is wrong.
		bad := wire.AppendFrame(nil, bedrockEventHeaders[wire.EventContentBlockDelta], []byte(`{"contentBlockIndex":0,"delta":{"text":""},"p":"a"}`))
		binary.BigEndian.PutUint32(bad[len(bad)-4:], binary.BigEndian.Uint32(bad[len(bad)-4:])^0xffffffff)
		if !ev.write(bad) {
			return false
		}
	}
	if f.StreamError && (last || ev.frames >= f.ErrorAfter) {
		e := bedrockStreamError(f)
		ev.write(wire.AppendFrame(nil, wire.ExceptionHeaders(wire.ExceptionName(e.typ)), appendBedrockErrorBody(nil, e.message)))
		return false
	}
	if f.Disconnect && (last || ev.frames >= f.DisconnectAfter) {
		panic(http.ErrAbortHandler) // an abrupt close: no messageStop
	}
	return true
}

func (ev *bedrockEvents) write(b []byte) bool {
	if _, err := ev.a.w.Write(b); err != nil {
		return false
	}
	if ev.flusher != nil {
		ev.flusher.Flush()
	}
	ev.frames++
	return ev.a.r.Context().Err() == nil
}
