package llm

import (
	"errors"
	"io"
	"sort"
)

// Accumulator assembles a stream's chunks into the Response a unary call
// would have returned. It is how tests compare streamed and unary answers,
// and how a transport that must answer in one piece consumes a stream.
type Accumulator struct {
	resp    Response
	choices map[int]*choiceAcc
}

type choiceAcc struct {
	text      []byte
	textSig   string
	refusal   []byte
	reasoning []Reasoning
	calls     map[int]*ToolCall
	order     []int
	finish    FinishReason
	raw       string
}

// Add folds one chunk into the accumulated response.
func (a *Accumulator) Add(c Chunk) {
	if a.choices == nil {
		a.choices = make(map[int]*choiceAcc)
	}
	if c.ID != "" {
		a.resp.ID = c.ID
	}
	if c.Model != "" {
		a.resp.Model = c.Model
	}
	if c.Created != 0 {
		a.resp.Created = c.Created
	}
	if c.Provider != "" {
		a.resp.Provider = c.Provider
	}
	if c.Deployment != "" {
		a.resp.Deployment = c.Deployment
	}
	if c.SystemFingerprint != "" {
		a.resp.SystemFingerprint = c.SystemFingerprint
	}
	if c.Route != nil {
		a.resp.Route = c.Route
	}
	if c.Usage != nil {
		a.resp.Usage = *c.Usage
	}
	hasDelta := c.Text != "" || c.TextSignature != "" || c.Refusal != "" || c.Reasoning != nil || len(c.ToolCalls) > 0 || c.FinishReason != "" || c.Role != ""
	if !hasDelta {
		return
	}
	ch := a.choices[c.ChoiceIndex]
	if ch == nil {
		ch = &choiceAcc{calls: make(map[int]*ToolCall)}
		a.choices[c.ChoiceIndex] = ch
	}
	ch.text = append(ch.text, c.Text...)
	ch.textSig += c.TextSignature
	ch.refusal = append(ch.refusal, c.Refusal...)
	if r := c.Reasoning; r != nil {
		// A new block starts with the first delta, after a signed block, and
		// with (and after) a redacted block, which is always whole.
		if n := len(ch.reasoning); n == 0 || (ch.reasoning[n-1].Signature != "" && r.Text != "") ||
			r.Redacted != "" || ch.reasoning[n-1].Redacted != "" {
			ch.reasoning = append(ch.reasoning, Reasoning{})
		}
		last := &ch.reasoning[len(ch.reasoning)-1]
		last.Text += r.Text
		last.Signature += r.Signature
		last.Redacted += r.Redacted
	}
	for _, d := range c.ToolCalls {
		tc := ch.calls[d.Index]
		if tc == nil {
			tc = &ToolCall{}
			ch.calls[d.Index] = tc
			ch.order = append(ch.order, d.Index)
		}
		if d.ID != "" {
			tc.ID = d.ID
		}
		if d.Name != "" {
			tc.Name = d.Name
		}
		if d.Signature != "" {
			tc.Signature = d.Signature
		}
		tc.Arguments += d.ArgumentsDelta
	}
	if c.FinishReason != "" {
		ch.finish = c.FinishReason
		ch.raw = c.RawFinishReason
	}
}

// Response returns the accumulated response. Tool calls whose arguments
// never arrived get "{}".
func (a *Accumulator) Response() *Response {
	r := a.resp
	idx := make([]int, 0, len(a.choices))
	for i := range a.choices {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	r.Choices = make([]Choice, 0, len(idx))
	for _, i := range idx {
		ch := a.choices[i]
		m := Message{Role: RoleAssistant, Refusal: string(ch.refusal), Reasoning: ch.reasoning}
		if len(ch.text) > 0 || ch.textSig != "" {
			m.Parts = []Part{{Type: PartText, Text: string(ch.text), Signature: ch.textSig}}
		}
		sort.Ints(ch.order)
		for _, k := range ch.order {
			tc := *ch.calls[k]
			if tc.Arguments == "" {
				tc.Arguments = "{}"
			}
			m.ToolCalls = append(m.ToolCalls, tc)
		}
		r.Choices = append(r.Choices, Choice{Index: i, Message: m, FinishReason: ch.finish, RawFinishReason: ch.raw})
	}
	return &r
}

// Collect drains s into a Response and closes it.
func Collect(s Stream) (*Response, error) {
	defer s.Close()
	var a Accumulator
	for {
		c, err := s.Recv()
		if errors.Is(err, io.EOF) {
			return a.Response(), nil
		}
		if err != nil {
			return a.Response(), err
		}
		a.Add(c)
	}
}
