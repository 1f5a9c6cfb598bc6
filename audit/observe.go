package audit

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"sync"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
)

// RequestMeta is what the transport knows of a request that the core does
// not: its id, front door, caller's address and agent, and arrival time.
// The cost is metering's, read from the answer (llm.Response.Cost, the
// stream's last chunk, or the error's llm.CostOf).
type RequestMeta struct {
	RequestID     string
	Transport     string
	ClientAddress string
	UserAgent     string
	// Start is when the request arrived (zero: when it was observed).
	Start time.Time
}

// Observation is one request being recorded, from its arrival to its end.
// Finish (or the Close of the stream WrapStream returns) hands the record
// to the RequestLog's writer; nothing is written on the request path. A
// nil *Observation ignores every call.
type Observation struct {
	log     *RequestLog
	meta    RequestMeta
	rec     RequestRecord
	capture *pendingPayload
}

// ObserveChat starts the record of a chat completion: the prompt's hash
// and sizes are taken now, and when the caller's team captures payloads,
// a copy of the request (redacted later, off the request path).
func (l *RequestLog) ObserveChat(ctx context.Context, meta RequestMeta, p *auth.Principal, req *llm.Request, stream bool) *Observation {
	if l == nil || req == nil {
		return nil
	}
	o := l.observe(ctx, meta, p, "chat", req.Model, req.User)
	o.rec.Stream = stream
	o.rec.PromptSHA256, o.rec.InputBytes = PromptHash(req)
	o.rec.InputMessages, o.rec.InputTools = len(req.Messages), len(req.Tools)
	for i := range req.Tools {
		t := &req.Tools[i]
		o.rec.InputBytes += int64(len(t.Name) + len(t.Description) + len(t.Parameters))
	}
	for i := range req.Messages {
		for j := range req.Messages[i].Parts {
			if req.Messages[i].Parts[j].Type == llm.PartImage {
				o.rec.InputImages++
			}
		}
	}
	if o.capture != nil {
		o.capture.request = captureChat(req)
	}
	return o
}

// ObserveEmbed starts the record of an embeddings request.
func (l *RequestLog) ObserveEmbed(ctx context.Context, meta RequestMeta, p *auth.Principal, req *llm.EmbedRequest) *Observation {
	if l == nil || req == nil {
		return nil
	}
	o := l.observe(ctx, meta, p, "embeddings", req.Model, req.User)
	o.rec.InputMessages = len(req.Inputs)
	for _, in := range req.Inputs {
		o.rec.InputBytes += int64(len(in))
	}
	if o.capture != nil {
		o.capture.request = captureEmbed(req)
	}
	return o
}

func (l *RequestLog) observe(ctx context.Context, meta RequestMeta, p *auth.Principal, operation, model, endUser string) *Observation {
	if meta.Start.IsZero() {
		meta.Start = l.now()
	}
	o := &Observation{log: l, meta: meta, rec: RequestRecord{
		RequestID:     meta.RequestID,
		Time:          storedTime(meta.Start),
		EndUser:       endUser,
		Operation:     operation,
		Alias:         model,
		Transport:     meta.Transport,
		ClientAddress: meta.ClientAddress,
		UserAgent:     meta.UserAgent,
	}}
	if p != nil {
		o.rec.KeyID, o.rec.TeamID, o.rec.UserID = p.KeyID, p.TeamID, p.UserID
		if l.settings.capture(ctx, p.TeamID, l.now()) {
			o.capture = &pendingPayload{}
		}
	}
	return o
}

// Finish ends the record of a unary chat completion with its answer or
// error.
func (o *Observation) Finish(resp *llm.Response, err error) {
	if o == nil {
		return
	}
	if resp != nil {
		o.noteResponse(resp)
	}
	if o.capture != nil {
		o.capture.response = captureResponse(resp, err)
	}
	o.end(err)
}

// FinishEmbed ends the record of an embeddings request.
func (o *Observation) FinishEmbed(resp *llm.EmbedResponse, err error) {
	if o == nil {
		return
	}
	if resp != nil {
		o.rec.Model, o.rec.Provider, o.rec.Deployment = resp.Model, resp.Provider, resp.Deployment
		o.rec.InputTokens, o.rec.OutputTokens = resp.Usage.InputTokens, resp.Usage.OutputTokens
		o.rec.CostNanoUSD = resp.Cost.NanoUSD
		for _, e := range resp.Embeddings {
			o.rec.OutputBytes += int64(4 * len(e))
		}
	}
	if o.capture != nil {
		o.capture.response = captureEmbedResponse(resp, err)
	}
	o.end(err)
}

func (o *Observation) noteResponse(resp *llm.Response) {
	o.rec.Model, o.rec.Provider, o.rec.Deployment = resp.Model, resp.Provider, resp.Deployment
	o.rec.InputTokens, o.rec.OutputTokens = resp.Usage.InputTokens, resp.Usage.OutputTokens
	o.rec.CostNanoUSD = resp.Cost.NanoUSD
	for i := range resp.Choices {
		m := &resp.Choices[i].Message
		o.rec.OutputBytes += int64(len(m.Refusal))
		for j := range m.Parts {
			o.rec.OutputBytes += int64(len(m.Parts[j].Text))
		}
		for _, tc := range m.ToolCalls {
			o.rec.OutputBytes += int64(len(tc.Arguments))
		}
		for _, r := range m.Reasoning {
			o.rec.OutputBytes += int64(len(r.Text))
		}
	}
}

// end completes the record and hands it to the writer.
func (o *Observation) end(err error) {
	o.rec.Status = OutcomeOf(err)
	o.rec.Latency = o.log.now().Sub(o.meta.Start)
	if c, ok := llm.CostOf(err); ok {
		o.rec.CostNanoUSD = c.NanoUSD
	}
	o.log.enqueue(o.rec, o.capture)
}

// WrapStream returns s recording into o what its chunks tell; the record
// is finished when the stream is closed (or, failing that, at its end).
func (o *Observation) WrapStream(s llm.Stream) llm.Stream {
	if o == nil || s == nil {
		return s
	}
	w := &observedStream{Stream: s, o: o}
	if o.capture != nil {
		w.acc = new(llm.Accumulator)
	}
	return w
}

type observedStream struct {
	llm.Stream
	o     *Observation
	acc   *llm.Accumulator
	err   error
	ended bool
	once  sync.Once
}

func (s *observedStream) Recv() (llm.Chunk, error) {
	c, err := s.Stream.Recv()
	if err != nil {
		if !s.ended {
			s.ended = true
			if !errors.Is(err, io.EOF) {
				s.err = err
			}
		}
		return c, err
	}
	r := &s.o.rec
	if c.Model != "" {
		r.Model = c.Model
	}
	if c.Deployment != "" {
		r.Provider, r.Deployment = c.Provider, c.Deployment
	}
	if c.Usage != nil {
		r.InputTokens, r.OutputTokens = c.Usage.InputTokens, c.Usage.OutputTokens
	}
	if c.Cost != nil {
		r.CostNanoUSD = c.Cost.NanoUSD
	}
	r.OutputBytes += int64(len(c.Text) + len(c.Refusal))
	if c.Reasoning != nil {
		r.OutputBytes += int64(len(c.Reasoning.Text))
	}
	for _, tc := range c.ToolCalls {
		r.OutputBytes += int64(len(tc.ArgumentsDelta))
	}
	if s.acc != nil {
		s.acc.Add(c)
	}
	return c, nil
}

// Close closes the stream, then finishes the record.
func (s *observedStream) Close() error {
	err := s.Stream.Close()
	s.once.Do(func() {
		endErr := s.err
		if !s.ended {
			endErr = &llm.Error{Kind: llm.KindCanceled, Message: "the stream was closed before its end"}
		}
		if s.o.capture != nil {
			s.o.capture.response = captureResponse(s.acc.Response(), endErr)
		}
		s.o.end(endErr)
	})
	return err
}

// Buffered forwards llm.Buffered, so that the transport still writes
// chunks that arrived together in one flush.
func (s *observedStream) Buffered() bool { return llm.IsBuffered(s.Stream) }

// promptHasher is a pooled SHA-256 with a buffer that batches the small
// writes of the canonical encoding.
type promptHasher struct {
	h   hash.Hash
	buf []byte
	n   int64
}

var hashers = sync.Pool{New: func() any { return &promptHasher{h: sha256.New(), buf: make([]byte, 0, 4096)} }}

// field writes one length-prefixed field.
func (p *promptHasher) field(s string) {
	p.n += int64(len(s))
	p.buf = binary.BigEndian.AppendUint64(p.buf, uint64(len(s)))
	if len(p.buf)+len(s) > cap(p.buf) {
		p.h.Write(p.buf)
		p.buf = p.buf[:0]
		if len(s) > cap(p.buf) {
			io.WriteString(p.h, s)
			return
		}
	}
	p.buf = append(p.buf, s...)
}

// PromptHash returns the hex SHA-256 of a request's canonical messages and
// their size in bytes. The canonical form is independent of the front
// door: for each message its role, name, the text of its parts (an image
// counts by its URL, media type and the SHA-256 of its data), its tool
// calls (id, name, arguments) and the id of the call it answers, each
// field prefixed by its length, so that no two different conversations
// share an encoding. Identical prompts therefore have identical hashes
// whichever API they came through, and the prompt itself is never stored.
func PromptHash(req *llm.Request) (string, int64) {
	p := hashers.Get().(*promptHasher)
	defer hashers.Put(p)
	p.h.Reset()
	p.buf, p.n = p.buf[:0], 0
	for i := range req.Messages {
		m := &req.Messages[i]
		p.field(string(m.Role))
		p.field(m.Name)
		for j := range m.Parts {
			part := &m.Parts[j]
			p.field(string(part.Type))
			if part.Type == llm.PartImage && part.Image != nil {
				sum := sha256.Sum256(part.Image.Data)
				p.field(part.Image.URL)
				p.field(part.Image.MediaType)
				p.field(string(sum[:]))
				p.n += int64(len(part.Image.Data)) - int64(len(sum))
				continue
			}
			p.field(part.Text)
		}
		for _, tc := range m.ToolCalls {
			p.field(tc.ID)
			p.field(tc.Name)
			p.field(tc.Arguments)
		}
		p.field(m.ToolCallID)
	}
	p.h.Write(p.buf)
	var sum [sha256.Size]byte
	return hex.EncodeToString(p.h.Sum(sum[:0])), p.n
}
