package sim

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// POST /v1/messages: authenticate, decode, apply faults, generate, then
// answer in one piece or as a stream.

func (s *Server) anthropicMessages(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	s.served.requests.Add(1)
	if r.Method != http.MethodPost {
		s.anthropicFail(w, &anthropicError{status: http.StatusMethodNotAllowed, typ: "invalid_request_error", message: "Method Not Allowed"})
		return
	}
	if !s.anthropicAuthorized(w, r) {
		return
	}
	bp, oe := readBody(r)
	if oe != nil {
		typ := "invalid_request_error"
		if oe.status == http.StatusRequestEntityTooLarge {
			typ = "request_too_large"
		}
		s.anthropicFail(w, &anthropicError{status: oe.status, typ: typ, message: oe.message})
		return
	}
	call, e := decodeAnthropic(*bp)
	putBuf(bp)
	if e != nil {
		s.anthropicFail(w, e)
		return
	}
	conv, err := readConversation(call.req)
	if err != nil {
		s.anthropicFail(w, anthropicInvalid("Invalid simulator directive: "+err.Error()))
		return
	}
	fault, err := s.requestFault(r, conv)
	if err != nil {
		s.anthropicFail(w, anthropicInvalid("Invalid simulator directive: "+err.Error()))
		return
	}
	if fault.Status != 0 {
		s.anthropicFail(w, anthropicFaultError(&fault, call.req.Model, promptTokens(call.req)))
		return
	}
	a := newAnthropicAnswer(s, w, r, start, call, conv, generate(conv, &fault), &fault)
	if call.stream {
		a.stream()
	} else {
		a.unary()
	}
}

// Content block kinds of an answer.
const (
	anthropicThinking = iota
	anthropicText
	anthropicToolUse
)

// anthropicBlock is one content block of an answer.
type anthropicBlock struct {
	kind int
	// text is the text, the thinking, or the tool call's arguments.
	text      string
	signature string
	call      *generatedCall
}

// anthropicAnswer is one answer being written.
type anthropicAnswer struct {
	s     *Server
	w     http.ResponseWriter
	r     *http.Request
	start time.Time
	call  *anthropicCall
	gen   *generation
	fault *Fault

	id           string
	blocks       []anthropicBlock
	stopReason   string
	stopSequence string
}

func newAnthropicAnswer(s *Server, w http.ResponseWriter, r *http.Request, start time.Time, call *anthropicCall,
	conv *conversation, gen *generation, f *Fault) *anthropicAnswer {
	a := &anthropicAnswer{s: s, w: w, r: r, start: start, call: call, gen: gen, fault: f,
		id: base62ID("msg_01", uniqueSeed(), 22)}
	ch := &gen.choices[0] // the API has no n: one choice
	if call.thinking && ch.reasoning > 0 {
		text := reasoningText(conv.seed, ch.reasoning)
		a.blocks = append(a.blocks, anthropicBlock{kind: anthropicThinking, text: text, signature: thinkingSignature(text)})
	}
	if ch.text != "" {
		a.blocks = append(a.blocks, anthropicBlock{kind: anthropicText, text: ch.text})
	}
	for k := range ch.calls {
		a.blocks = append(a.blocks, anthropicBlock{kind: anthropicToolUse, text: ch.calls[k].arguments, call: &ch.calls[k]})
	}
	switch {
	case ch.finish == llm.FinishToolCalls:
		a.stopReason = "tool_use"
	case ch.finish == llm.FinishLength:
		a.stopReason = "max_tokens"
	case ch.finish == llm.FinishContentFilter:
		a.stopReason = "refusal"
	case ch.stopSequence != "":
		a.stopReason, a.stopSequence = "stop_sequence", ch.stopSequence
	default:
		a.stopReason = "end_turn"
	}
	return a
}

// setHeaders sets the headers of a successful answer.
func (a *anthropicAnswer) setHeaders(contentType []string) http.Header {
	h := a.w.Header()
	h["Content-Type"] = contentType
	h["Request-Id"] = []string{anthropicRequestID()}
	setAnthropicRateLimits(h, a.start, false, 0)
	return h
}

// unary writes the message object.
func (a *anthropicAnswer) unary() {
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
	b := a.appendMessage((*bp)[:0], true)
	if f.Malformed {
		b = b[:len(b)/2] // a body cut mid-value
	}
	h := a.setHeaders(jsonContentType)
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

// appendMessage writes the message object in the real API's key order. The
// stream's message_start carries it with no content yet, a null
// stop_reason and output_tokens 1 (unary false).
func (a *anthropicAnswer) appendMessage(b []byte, unary bool) []byte {
	b = append(b, `{"model":`...)
	b = appendString(b, a.call.req.Model)
	b = append(b, `,"id":`...)
	b = appendString(b, a.id)
	b = append(b, `,"type":"message","role":"assistant","content":[`...)
	if unary {
		for i := range a.blocks {
			if i > 0 {
				b = append(b, ',')
			}
			b = a.appendBlock(b, &a.blocks[i], true)
		}
	}
	b = append(b, `],"stop_reason":`...)
	if unary {
		b = appendString(b, a.stopReason)
		b = append(b, `,"stop_sequence":`...)
		b = appendStringOrNull(b, a.stopSequence)
	} else {
		b = append(b, `null,"stop_sequence":null`...)
	}
	b = append(b, `,"stop_details":null,"usage":`...)
	out := a.gen.usage.OutputTokens
	if !unary {
		out = 1
	}
	b = a.appendUsage(b, out)
	return append(b, '}')
}

// appendBlock writes a content block: whole (unary), or as it starts in a
// stream (empty text, thinking and signature; input {}).
func (a *anthropicAnswer) appendBlock(b []byte, blk *anthropicBlock, whole bool) []byte {
	switch blk.kind {
	case anthropicThinking:
		b = append(b, `{"type":"thinking","thinking":`...)
		if whole {
			b = appendString(b, blk.text)
			b = append(b, `,"signature":`...)
			b = appendString(b, blk.signature)
		} else {
			b = append(b, `"","signature":""`...)
		}
	case anthropicText:
		b = append(b, `{"type":"text","text":`...)
		if whole {
			b = appendString(b, blk.text)
		} else {
			b = append(b, `""`...)
		}
	case anthropicToolUse:
		b = append(b, `{"type":"tool_use","id":`...)
		b = appendToolUseID(b, blk.call.idSeed)
		b = append(b, `,"name":`...)
		b = appendString(b, blk.call.name)
		b = append(b, `,"input":`...)
		if whole && json.Valid([]byte(blk.text)) {
			b = append(b, blk.text...)
		} else {
			// A stream starts with {}; arguments cut by max_tokens are not
			// an object, and the API still answers one.
			b = append(b, "{}"...)
		}
		b = append(b, `,"caller":{"type":"direct"}`...)
	}
	return append(b, '}')
}

// appendToolUseID writes "toolu_01" and 22 base62 characters, quoted.
func appendToolUseID(b []byte, seed uint64) []byte {
	b = append(b, `"toolu_01`...)
	b = appendBase62(b, seed, 22)
	return append(b, '"')
}

// anthropicUsage is usage in Anthropic's meaning: input_tokens excludes the
// cache reads and writes.
func (a *anthropicAnswer) splitInput() (input, cacheWrite, cacheRead int64) {
	u := &a.gen.usage
	return u.InputTokens - u.CachedInputTokens - u.CacheWriteTokens, u.CacheWriteTokens, u.CachedInputTokens
}

func (a *anthropicAnswer) appendUsage(b []byte, output int64) []byte {
	input, write, read := a.splitInput()
	b = append(b, `{"input_tokens":`...)
	b = appendInt(b, input)
	b = append(b, `,"cache_creation_input_tokens":`...)
	b = appendInt(b, write)
	b = append(b, `,"cache_read_input_tokens":`...)
	b = appendInt(b, read)
	var w5m, w1h int64 = write, 0
	if a.call.cacheTTL1h {
		w5m, w1h = 0, write
	}
	b = append(b, `,"cache_creation":{"ephemeral_5m_input_tokens":`...)
	b = appendInt(b, w5m)
	b = append(b, `,"ephemeral_1h_input_tokens":`...)
	b = appendInt(b, w1h)
	b = append(b, `},"output_tokens":`...)
	b = appendInt(b, output)
	return append(b, `,"service_tier":"standard","inference_geo":"not_available"}`...)
}
