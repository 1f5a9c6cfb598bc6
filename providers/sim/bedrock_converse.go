package sim

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// POST /model/{modelId}/converse and /converse-stream: read the body,
// check the signature over it, decode, apply faults, generate, then answer
// in one piece or as an event stream.

func (s *Server) bedrockConverse(w http.ResponseWriter, r *http.Request, model string, stream bool, start time.Time) {
	s.served.requests.Add(1)
	bp, oe := readBody(r)
	if oe != nil {
		s.bedrockFail(w, &bedrockError{status: oe.status, typ: "ValidationException", message: oe.message})
		return
	}
	defer putBuf(bp)
	if e := verifySigV4(r, *bp, s.opts.AWS, time.Now()); e != nil {
		s.bedrockFail(w, e)
		return
	}
	call, e := decodeBedrock(*bp, model)
	if e != nil {
		s.bedrockFail(w, e)
		return
	}
	conv, err := readConversation(call.req)
	if err != nil {
		s.bedrockFail(w, bedrockValidation("Invalid simulator directive: "+err.Error()))
		return
	}
	fault, err := s.requestFault(r, conv)
	if err != nil {
		s.bedrockFail(w, bedrockValidation("Invalid simulator directive: "+err.Error()))
		return
	}
	var a *bedrockAnswer
	switch {
	case fault.ContentFilter == FilterPrompt:
		// A guardrail blocks the input: Bedrock answers 200 with the
		// guardrail's message and no generation.
		a = guardrailAnswer(s, w, r, start, call, &fault)
	case fault.Status != 0:
		s.bedrockFail(w, bedrockFaultError(&fault))
		return
	default:
		a = newBedrockAnswer(s, w, r, start, call, conv, generate(conv, &fault), &fault)
	}
	if stream {
		a.stream()
	} else {
		a.unary()
	}
}

// Content block kinds of an answer.
const (
	bedrockReasoning = iota
	bedrockText
	bedrockToolUse
)

// bedrockBlock is one content block of an answer.
type bedrockBlock struct {
	kind int
	// text is the text, the reasoning, or the tool call's arguments.
	text      string
	signature string
	call      *generatedCall
}

// bedrockAnswer is one answer being written.
type bedrockAnswer struct {
	s     *Server
	w     http.ResponseWriter
	r     *http.Request
	start time.Time
	call  *bedrockCall
	usage llm.Usage
	fault *Fault

	requestID  string
	blocks     []bedrockBlock
	stopReason string
}

func newBedrockAnswer(s *Server, w http.ResponseWriter, r *http.Request, start time.Time, call *bedrockCall,
	conv *conversation, gen *generation, f *Fault) *bedrockAnswer {
	a := &bedrockAnswer{s: s, w: w, r: r, start: start, call: call, usage: gen.usage, fault: f, requestID: bedrockRequestID()}
	ch := &gen.choices[0] // the API has no n: one choice
	if call.thinking && ch.reasoning > 0 {
		text := reasoningText(conv.seed, ch.reasoning)
		a.blocks = append(a.blocks, bedrockBlock{kind: bedrockReasoning, text: text, signature: thinkingSignature(text)})
	}
	if ch.text != "" {
		a.blocks = append(a.blocks, bedrockBlock{kind: bedrockText, text: ch.text})
	}
	for k := range ch.calls {
		a.blocks = append(a.blocks, bedrockBlock{kind: bedrockToolUse, text: ch.calls[k].arguments, call: &ch.calls[k]})
	}
	switch {
	case ch.finish == llm.FinishToolCalls:
		a.stopReason = "tool_use"
	case ch.finish == llm.FinishLength:
		a.stopReason = "max_tokens"
	case ch.finish == llm.FinishContentFilter:
		a.stopReason = "content_filtered"
	case ch.stopSequence != "":
		a.stopReason = "stop_sequence"
	default:
		a.stopReason = "end_turn"
	}
	return a
}

// guardrailMessage is the default text of a guardrail that blocked the
// input.
const guardrailMessage = "Sorry, the model cannot answer this question."

func guardrailAnswer(s *Server, w http.ResponseWriter, r *http.Request, start time.Time, call *bedrockCall, f *Fault) *bedrockAnswer {
	prompt := promptTokens(call.req)
	return &bedrockAnswer{s: s, w: w, r: r, start: start, call: call, fault: &Fault{TTFT: f.TTFT, Latency: f.Latency},
		usage:     llm.Usage{InputTokens: prompt},
		requestID: bedrockRequestID(), stopReason: "guardrail_intervened",
		blocks: []bedrockBlock{{kind: bedrockText, text: guardrailMessage}}}
}

// unary writes the Converse answer.
func (a *bedrockAnswer) unary() {
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
	b := a.appendConverse((*bp)[:0])
	if f.Malformed {
		b = b[:len(b)/2] // a body cut mid-value
	}
	h := a.w.Header()
	h["Content-Type"] = jsonContentType
	h["X-Amzn-Requestid"] = []string{a.requestID}
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	a.w.WriteHeader(http.StatusOK)
	_, err := a.w.Write(b)
	*bp = b
	putBuf(bp)
	if err != nil || f.Malformed {
		s.served.errors.Add(1)
	}
	s.countUsage(&a.usage, a.usage.OutputTokens)
}

// appendConverse writes the answer with its members in alphabetical order,
// as Bedrock does.
func (a *bedrockAnswer) appendConverse(b []byte) []byte {
	b = append(b, `{"metrics":{"latencyMs":`...)
	b = appendInt(b, time.Since(a.start).Milliseconds())
	b = append(b, `},"output":{"message":{"content":[`...)
	for i := range a.blocks {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendBedrockBlock(b, &a.blocks[i])
	}
	b = append(b, `],"role":"assistant"}},"stopReason":`...)
	b = appendString(b, a.stopReason)
	b = append(b, `,"usage":`...)
	b = a.appendUsage(b)
	return append(b, '}')
}

// appendBedrockBlock writes a whole content block.
func appendBedrockBlock(b []byte, blk *bedrockBlock) []byte {
	switch blk.kind {
	case bedrockReasoning:
		b = append(b, `{"reasoningContent":{"reasoningText":{"signature":`...)
		b = appendString(b, blk.signature)
		b = append(b, `,"text":`...)
		b = appendString(b, blk.text)
		return append(b, "}}}"...)
	case bedrockToolUse:
		b = append(b, `{"toolUse":{"input":`...)
		if json.Valid([]byte(blk.text)) {
			b = append(b, blk.text...)
		} else {
			// Arguments cut by maxTokens are not an object; the API still
			// answers one.
			b = append(b, "{}"...)
		}
		b = append(b, `,"name":`...)
		b = appendString(b, blk.call.name)
		b = append(b, `,"toolUseId":`...)
		b = appendToolUseIDBedrock(b, blk.call.idSeed)
		return append(b, "}}"...)
	}
	b = append(b, `{"text":`...)
	b = appendString(b, blk.text)
	return append(b, '}')
}

// appendToolUseIDBedrock writes "tooluse_" and 22 base62 characters, quoted.
func appendToolUseIDBedrock(b []byte, seed uint64) []byte {
	b = append(b, `"tooluse_`...)
	b = appendBase62(b, seed, 22)
	return append(b, '"')
}

// appendUsage writes usage in Bedrock's meaning: inputTokens excludes the
// cache reads and writes, totalTokens includes them. Claude models send the
// cache counts even when 0, under both names.
func (a *bedrockAnswer) appendUsage(b []byte) []byte {
	u := &a.usage
	read, write := u.CachedInputTokens, u.CacheWriteTokens
	b = append(b, '{')
	if a.call.claude || read > 0 || write > 0 {
		b = append(b, `"cacheReadInputTokenCount":`...)
		b = appendInt(b, read)
		b = append(b, `,"cacheReadInputTokens":`...)
		b = appendInt(b, read)
		b = append(b, `,"cacheWriteInputTokenCount":`...)
		b = appendInt(b, write)
		b = append(b, `,"cacheWriteInputTokens":`...)
		b = appendInt(b, write)
		b = append(b, ',')
	}
	b = append(b, `"inputTokens":`...)
	b = appendInt(b, u.InputTokens-read-write)
	b = append(b, `,"outputTokens":`...)
	b = appendInt(b, u.OutputTokens)
	b = append(b, `,"serverToolUsage":{},"totalTokens":`...)
	b = appendInt(b, u.InputTokens+u.OutputTokens)
	return append(b, '}')
}
