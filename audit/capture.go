package audit

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/switchboard-gw/switchboard/audit/redact"
	"github.com/switchboard-gw/switchboard/llm"
)

// The captured payloads are the canonical request and response (the same
// shape whichever front door the request came through: OpenAI, Anthropic
// or Connect), not the wire bytes. They are built from the request when it
// arrives and the answer when it ends, copied out of the gateway's
// structures, and redacted and encoded off the request path, in the
// RequestLog's writer. Image data is never kept, only its type and size.

// CapturedRequest is the JSON document stored as a payload's Request.
type CapturedRequest struct {
	Operation string            `json:"operation"`
	Model     string            `json:"model"`
	Messages  []CapturedMessage `json:"messages,omitempty"`
	Tools     []CapturedTool    `json:"tools,omitempty"`
	// Parameters are the sampling parameters the caller set.
	Parameters map[string]string `json:"parameters,omitempty"`
	User       string            `json:"user,omitempty"`
	Metadata   map[string]string `json:"metadata,omitempty"`
	// Inputs are an embeddings request's texts.
	Inputs []string `json:"inputs,omitempty"`
}

// CapturedMessage is one message of a captured conversation.
type CapturedMessage struct {
	Role       string             `json:"role"`
	Name       string             `json:"name,omitempty"`
	Content    string             `json:"content,omitempty"`
	Images     []CapturedImage    `json:"images,omitempty"`
	ToolCalls  []CapturedToolCall `json:"tool_calls,omitempty"`
	ToolCallID string             `json:"tool_call_id,omitempty"`
	Reasoning  string             `json:"reasoning,omitempty"`
	Refusal    string             `json:"refusal,omitempty"`
}

// CapturedImage describes an image without its data.
type CapturedImage struct {
	URL       string `json:"url,omitempty"`
	MediaType string `json:"media_type,omitempty"`
	Bytes     int    `json:"bytes,omitempty"`
}

// CapturedToolCall is a call a model asked for.
type CapturedToolCall struct {
	ID        string `json:"id,omitempty"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

// CapturedTool is a function offered to the model; Parameters is its JSON
// Schema as text.
type CapturedTool struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Parameters  string `json:"parameters,omitempty"`
}

// CapturedResponse is the JSON document stored as a payload's Response.
type CapturedResponse struct {
	Model   string           `json:"model,omitempty"`
	Choices []CapturedChoice `json:"choices,omitempty"`
	// Embeddings and Dimensions describe an embeddings answer (the vectors
	// are not kept).
	Embeddings int           `json:"embeddings,omitempty"`
	Dimensions int           `json:"dimensions,omitempty"`
	Usage      CapturedUsage `json:"usage"`
	// Error is the error that ended the request, as the caller saw it.
	Error string `json:"error,omitempty"`
}

// CapturedChoice is one generated answer.
type CapturedChoice struct {
	Index        int             `json:"index"`
	Message      CapturedMessage `json:"message"`
	FinishReason string          `json:"finish_reason,omitempty"`
}

// CapturedUsage is the answer's token usage.
type CapturedUsage struct {
	InputTokens  int64 `json:"input_tokens"`
	OutputTokens int64 `json:"output_tokens"`
}

func captureChat(req *llm.Request) *CapturedRequest {
	c := &CapturedRequest{Operation: "chat", Model: req.Model, User: req.User}
	c.Messages = make([]CapturedMessage, len(req.Messages))
	for i := range req.Messages {
		c.Messages[i] = captureMessage(&req.Messages[i])
	}
	for i := range req.Tools {
		t := &req.Tools[i]
		c.Tools = append(c.Tools, CapturedTool{Name: t.Name, Description: t.Description, Parameters: string(t.Parameters)})
	}
	c.Parameters = parameters(req)
	if len(req.Metadata) > 0 {
		c.Metadata = make(map[string]string, len(req.Metadata))
		for k, v := range req.Metadata {
			c.Metadata[k] = v
		}
	}
	return c
}

func captureMessage(m *llm.Message) CapturedMessage {
	out := CapturedMessage{Role: string(m.Role), Name: m.Name, ToolCallID: m.ToolCallID, Refusal: m.Refusal}
	for i := range m.Parts {
		p := &m.Parts[i]
		switch {
		case p.Type == llm.PartImage && p.Image != nil:
			img := CapturedImage{URL: p.Image.URL, MediaType: p.Image.MediaType, Bytes: len(p.Image.Data)}
			if strings.HasPrefix(img.URL, "data:") { // inline image data is never kept
				img.URL, img.Bytes = "data:", len(p.Image.URL)
			}
			out.Images = append(out.Images, img)
		default:
			out.Content += p.Text
		}
	}
	for _, tc := range m.ToolCalls {
		out.ToolCalls = append(out.ToolCalls, CapturedToolCall{ID: tc.ID, Name: tc.Name, Arguments: tc.Arguments})
	}
	for _, r := range m.Reasoning {
		out.Reasoning += r.Text
	}
	return out
}

func parameters(req *llm.Request) map[string]string {
	p := map[string]string{}
	f := func(name string, v *float64) {
		if v != nil {
			p[name] = strconv.FormatFloat(*v, 'g', -1, 64)
		}
	}
	i := func(name string, v *int64) {
		if v != nil {
			p[name] = strconv.FormatInt(*v, 10)
		}
	}
	f("temperature", req.Temperature)
	f("top_p", req.TopP)
	f("presence_penalty", req.PresencePenalty)
	f("frequency_penalty", req.FrequencyPenalty)
	i("max_tokens", req.MaxTokens)
	i("seed", req.Seed)
	if req.N > 1 {
		p["n"] = strconv.Itoa(req.N)
	}
	if len(req.Stop) > 0 {
		b, _ := json.Marshal(req.Stop)
		p["stop"] = string(b)
	}
	if len(p) == 0 {
		return nil
	}
	return p
}

func captureEmbed(req *llm.EmbedRequest) *CapturedRequest {
	return &CapturedRequest{Operation: "embeddings", Model: req.Model, User: req.User, Inputs: append([]string(nil), req.Inputs...)}
}

func captureResponse(resp *llm.Response, err error) *CapturedResponse {
	out := &CapturedResponse{}
	if err != nil {
		out.Error = errorText(err)
	}
	if resp == nil {
		return out
	}
	out.Model = resp.Model
	out.Usage = CapturedUsage{InputTokens: resp.Usage.InputTokens, OutputTokens: resp.Usage.OutputTokens}
	for i := range resp.Choices {
		ch := &resp.Choices[i]
		out.Choices = append(out.Choices, CapturedChoice{Index: ch.Index, Message: captureMessage(&ch.Message), FinishReason: string(ch.FinishReason)})
	}
	return out
}

func captureEmbedResponse(resp *llm.EmbedResponse, err error) *CapturedResponse {
	out := &CapturedResponse{}
	if err != nil {
		out.Error = errorText(err)
	}
	if resp == nil {
		return out
	}
	out.Model = resp.Model
	out.Embeddings = len(resp.Embeddings)
	if len(resp.Embeddings) > 0 {
		out.Dimensions = len(resp.Embeddings[0])
	}
	out.Usage = CapturedUsage{InputTokens: resp.Usage.InputTokens, OutputTokens: resp.Usage.OutputTokens}
	return out
}

// errorText is what the caller was told: the kind and the safe message.
func errorText(err error) string {
	e := llm.AsError(err)
	return e.Kind.String() + ": " + e.Message
}

// redact replaces personal data and secrets in every free-text field.
func (c *CapturedRequest) redact() {
	c.User = redact.String(c.User)
	for i := range c.Messages {
		c.Messages[i].redact()
	}
	for i := range c.Tools {
		t := &c.Tools[i]
		t.Description = redact.String(t.Description)
		t.Parameters = redact.String(t.Parameters)
	}
	for k, v := range c.Parameters {
		c.Parameters[k] = redact.String(v)
	}
	for k, v := range c.Metadata {
		c.Metadata[k] = redact.String(v)
	}
	for i, in := range c.Inputs {
		c.Inputs[i] = redact.String(in)
	}
}

func (m *CapturedMessage) redact() {
	m.Name = redact.String(m.Name)
	m.Content = redact.String(m.Content)
	m.Reasoning = redact.String(m.Reasoning)
	m.Refusal = redact.String(m.Refusal)
	for i := range m.Images {
		m.Images[i].URL = redact.String(m.Images[i].URL)
	}
	for i := range m.ToolCalls {
		m.ToolCalls[i].Arguments = redact.String(m.ToolCalls[i].Arguments)
	}
}

func (c *CapturedResponse) redact() {
	c.Error = redact.String(c.Error)
	for i := range c.Choices {
		c.Choices[i].Message.redact()
	}
}

// size estimates the memory a captured document holds, to bound the
// writer's queue.
func (c *CapturedRequest) size() int {
	n := len(c.Model) + len(c.User)
	for i := range c.Messages {
		n += c.Messages[i].size()
	}
	for _, t := range c.Tools {
		n += len(t.Name) + len(t.Description) + len(t.Parameters)
	}
	for _, in := range c.Inputs {
		n += len(in)
	}
	return n
}

func (m *CapturedMessage) size() int {
	n := len(m.Content) + len(m.Reasoning) + len(m.Refusal) + len(m.Name)
	for _, tc := range m.ToolCalls {
		n += len(tc.Arguments) + len(tc.Name)
	}
	return n
}

func (c *CapturedResponse) size() int {
	n := len(c.Error)
	for i := range c.Choices {
		n += c.Choices[i].Message.size()
	}
	return n
}
