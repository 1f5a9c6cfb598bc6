package anthropic_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/anthropic"
	"github.com/switchboard-gw/switchboard/providers/sim"
)

// The Provider against the simulator's Anthropic dialect: every scenario
// runs unary and streamed, and the streamed answer, assembled, must equal
// the unary one.

const weatherSchema = `{"type":"object","properties":{"location":{"type":"string","description":"The city"},` +
	`"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["location"]}`

// both sends req unary and streamed and checks the two answers agree.
func (st *simTarget) both(t *testing.T, req *llm.Request) *llm.Response {
	t.Helper()
	unary, err := st.p.Complete(context.Background(), req)
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	s, err := st.p.Stream(context.Background(), req)
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	streamed, err := llm.Collect(s)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	if got, want := fmt.Sprintf("%+v", streamed.Choices), fmt.Sprintf("%+v", unary.Choices); got != want {
		t.Errorf("streamed answer differs from the unary one\nstreamed %s\n   unary %s", got, want)
	}
	if streamed.Usage != unary.Usage || streamed.Model != unary.Model || streamed.Provider != "anthropic" || unary.Provider != "anthropic" {
		t.Errorf("usage %+v / %+v, model %q / %q", streamed.Usage, unary.Usage, streamed.Model, unary.Model)
	}
	if !strings.HasPrefix(unary.ID, "msg_01") || !strings.HasPrefix(streamed.ID, "msg_01") {
		t.Errorf("ids %q %q", unary.ID, streamed.ID)
	}
	return unary
}

// lastBody is the JSON body of the last call the simulator received.
func (st *simTarget) lastBody(t *testing.T) map[string]any {
	t.Helper()
	return decodeJSON(t, st.last(t).Body)
}

func TestSimText(t *testing.T) {
	st := newSimTarget(t, sim.Options{})
	resp := st.both(t, userRequest("claude-sonnet-4-5", "Say hello"))
	ch := resp.Choices[0]
	if !strings.HasPrefix(ch.Message.Text(), "This is a simulated response.") || ch.FinishReason != llm.FinishStop || ch.RawFinishReason != "end_turn" {
		t.Errorf("choice = %+v", ch)
	}
	if u := resp.Usage; u.InputTokens <= 0 || u.OutputTokens <= 0 || u.CachedInputTokens != 0 {
		t.Errorf("usage = %+v", u)
	}
	if h := st.last(t).Header; h.Get("X-Api-Key") != "sim-key" || h.Get("Anthropic-Version") != "2023-06-01" {
		t.Errorf("headers = %v", h)
	}
}

func TestSimSystemAndMultiTurn(t *testing.T) {
	st := newSimTarget(t, sim.Options{})
	req := &llm.Request{Model: "claude-sonnet-4-5", Messages: []llm.Message{
		{Role: llm.RoleSystem, Parts: []llm.Part{llm.TextPart("You are terse.")}},
		{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart("Hi")}},
		{Role: llm.RoleAssistant, Parts: []llm.Part{llm.TextPart("Hello.")}},
		{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart("How are you?")}},
	}}
	first := st.both(t, req)
	body := st.lastBody(t)
	if body["system"] != "You are terse." || len(body["messages"].([]any)) != 3 {
		t.Fatalf("wire body = %v", body)
	}
	// Another conversation gets another answer; the same one the same.
	req.Messages[3].Parts[0].Text = "And tomorrow?"
	if other := st.both(t, req); other.Choices[0].Message.Text() == first.Choices[0].Message.Text() {
		t.Error("a different conversation got the same answer")
	}
}

func TestSimForcedToolCall(t *testing.T) {
	st := newSimTarget(t, sim.Options{})
	req := userRequest("claude-sonnet-4-5", "What is it like outside?")
	req.Tools = []llm.Tool{{Name: "get_weather", Description: "Weather", Parameters: json.RawMessage(weatherSchema)}, {Name: "get_time"}}
	req.ToolChoice = &llm.ToolChoice{Mode: llm.ToolChoiceFunction, Name: "get_weather"}
	resp := st.both(t, req)
	ch := resp.Choices[0]
	if len(ch.Message.ToolCalls) != 1 || ch.FinishReason != llm.FinishToolCalls || ch.RawFinishReason != "tool_use" || len(ch.Message.Parts) != 0 {
		t.Fatalf("choice = %+v", ch)
	}
	call := ch.Message.ToolCalls[0]
	if !strings.HasPrefix(call.ID, "toolu_01") || call.Name != "get_weather" {
		t.Errorf("call = %+v", call)
	}
	validate(t, weatherSchema, call.Arguments)
	if tc := st.lastBody(t)["tool_choice"]; fmt.Sprint(tc) != "map[name:get_weather type:tool]" {
		t.Errorf("tool_choice on the wire = %v", tc)
	}
}

func TestSimParallelToolCallsWithoutParameters(t *testing.T) {
	st := newSimTarget(t, sim.Options{})
	req := userRequest("claude-haiku-4-5", "Use pelican_name_generator and get_time, please.")
	req.Tools = []llm.Tool{{Name: "pelican_name_generator"}, {Name: "get_time", Description: "Current time"}}
	resp := st.both(t, req)
	calls := resp.Choices[0].Message.ToolCalls
	if len(calls) != 2 || calls[0].Name != "pelican_name_generator" || calls[1].Name != "get_time" ||
		calls[0].Arguments != "{}" || calls[1].Arguments != "{}" || calls[0].ID == calls[1].ID {
		t.Fatalf("calls = %+v", calls)
	}
	// The tools went out with the empty object schema the API requires.
	tools := st.lastBody(t)["tools"].([]any)
	if fmt.Sprint(tools[0]) != "map[input_schema:map[properties:map[] type:object] name:pelican_name_generator]" {
		t.Errorf("tool on the wire = %v", tools[0])
	}

	// The deltas: one per call, carrying its ordinal, id and name.
	s, err := st.p.Stream(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var deltas []llm.ToolCallDelta
	for {
		c, err := s.Recv()
		if err != nil {
			break
		}
		deltas = append(deltas, c.ToolCalls...)
	}
	// Each call: one delta opening it (id, name), then its arguments; the
	// parameterless get_time's arguments are "{}".
	if len(deltas) < 4 || deltas[0].Index != 0 || deltas[0].ID == "" || deltas[len(deltas)-2].Name != "get_time" || deltas[len(deltas)-1].ArgumentsDelta != "{}" {
		t.Errorf("deltas = %+v", deltas)
	}

	// parallel_tool_calls=false: one call.
	no := false
	req.ParallelToolCalls = &no
	if calls := st.both(t, req).Choices[0].Message.ToolCalls; len(calls) != 1 {
		t.Errorf("with parallel tool calls off: %+v", calls)
	}
}

func TestSimToolResultsSentBack(t *testing.T) {
	st := newSimTarget(t, sim.Options{})
	req := userRequest("claude-sonnet-4-5", "Use pelican_name_generator and get_weather")
	req.Tools = []llm.Tool{{Name: "pelican_name_generator"}, {Name: "get_weather", Parameters: json.RawMessage(weatherSchema)}}
	first, err := st.p.Complete(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	calls := first.Choices[0].Message.ToolCalls
	if len(calls) != 2 {
		t.Fatalf("calls = %+v", calls)
	}
	req.Messages = append(req.Messages, first.Choices[0].Message,
		llm.Message{Role: llm.RoleTool, ToolCallID: calls[0].ID, Parts: []llm.Part{llm.TextPart("Captain Beaky")}},
		llm.Message{Role: llm.RoleTool, ToolCallID: calls[1].ID, Parts: []llm.Part{llm.TextPart("sunny, 21°C")}},
	)
	resp := st.both(t, req)
	text := resp.Choices[0].Message.Text()
	if !strings.Contains(text, "pelican_name_generator returned Captain Beaky") || !strings.Contains(text, "get_weather returned sunny, 21°C") {
		t.Errorf("answer = %q", text)
	}
	msgs := st.lastBody(t)["messages"].([]any)
	last := msgs[len(msgs)-1].(map[string]any)
	blocks := last["content"].([]any)
	if len(msgs) != 3 || last["role"] != "user" || len(blocks) != 2 ||
		blocks[0].(map[string]any)["tool_use_id"] != calls[0].ID || blocks[1].(map[string]any)["type"] != "tool_result" {
		t.Errorf("tool results on the wire = %v", msgs)
	}
	assistant := msgs[1].(map[string]any)["content"].([]any)
	if in := assistant[0].(map[string]any)["input"]; fmt.Sprint(in) != "map[]" {
		t.Errorf("a call without arguments went back with input %v", in)
	}
}

func TestSimJSONSchemaOutput(t *testing.T) {
	schema := `{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer","minimum":1,"maximum":14},` +
		`"tags":{"type":"array","items":{"type":"string"},"minItems":1}},"required":["city","days","tags"],"additionalProperties":false}`
	for _, native := range []bool{false, true} {
		t.Run(fmt.Sprintf("native=%v", native), func(t *testing.T) {
			st := newSimTarget(t, sim.Options{}, func(c *anthropic.Config) { c.NativeStructuredOutput = native })
			req := userRequest("claude-sonnet-4-5", "Plan a trip")
			req.ResponseFormat = &llm.ResponseFormat{Type: llm.ResponseFormatJSONSchema, Name: "trip", Schema: json.RawMessage(schema)}
			resp := st.both(t, req)
			ch := resp.Choices[0]
			if len(ch.Message.ToolCalls) != 0 || ch.FinishReason != llm.FinishStop {
				t.Fatalf("choice = %+v", ch)
			}
			validate(t, schema, ch.Message.Text())
			body := st.lastBody(t)
			if native != (body["output_config"] != nil) || native == (body["tools"] != nil) {
				t.Errorf("wire body = %v", body)
			}
		})
	}
	// json_object: any object.
	st := newSimTarget(t, sim.Options{})
	req := userRequest("claude-sonnet-4-5", "Answer in JSON")
	req.ResponseFormat = &llm.ResponseFormat{Type: llm.ResponseFormatJSONObject}
	validate(t, `{"type":"object"}`, st.both(t, req).Choices[0].Message.Text())
}

func TestSimUsageWithCachedInput(t *testing.T) {
	st := newSimTarget(t, sim.Options{})
	plain := st.both(t, userRequest("claude-sonnet-4-5", "Summarize the document."))
	resp := st.both(t, userRequest("claude-sonnet-4-5", "Summarize the document. [[sim cached=6 cache_write=4]]"))
	u := resp.Usage
	if u.CachedInputTokens != 6 || u.CacheWriteTokens != 4 || u.InputTokens <= plain.Usage.InputTokens-1 {
		t.Errorf("usage = %+v (without cache %+v)", u, plain.Usage)
	}
}

func TestSimThinkingRoundTrip(t *testing.T) {
	st := newSimTarget(t, sim.Options{})
	req := userRequest("claude-sonnet-4-5", "Think about pelicans.")
	req.Reasoning = &llm.ReasoningConfig{Effort: "low"}
	resp := st.both(t, req)
	if th := st.lastBody(t)["thinking"]; fmt.Sprint(th) != "map[budget_tokens:1024 type:enabled]" {
		t.Fatalf("thinking on the wire = %v", th)
	}
	m := resp.Choices[0].Message
	if len(m.Reasoning) != 1 || m.Reasoning[0].Text == "" || m.Reasoning[0].Signature == "" || m.Text() == "" {
		t.Fatalf("message = %+v", m)
	}
	// The next turn sends the thinking block back first, verbatim; the
	// simulator verifies its signature as the real API does.
	req.Messages = append(req.Messages, m, llm.Message{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart("And then?")}})
	st.both(t, req)
	assistant := st.lastBody(t)["messages"].([]any)[1].(map[string]any)["content"].([]any)
	block := assistant[0].(map[string]any)
	if block["type"] != "thinking" || block["signature"] != m.Reasoning[0].Signature || block["thinking"] != m.Reasoning[0].Text {
		t.Fatalf("thinking sent back = %v", block)
	}
	// A translator that altered it would meet the API's 400.
	req.Messages[1].Reasoning[0].Signature += "x"
	_, err := st.p.Complete(context.Background(), req)
	if e := asLLMError(t, err); e.Kind != llm.KindInvalidRequest || !strings.Contains(e.Message, "Invalid `signature`") {
		t.Errorf("altered signature = %+v", e)
	}
}

func TestSimStopSequenceAndMaxTokens(t *testing.T) {
	st := newSimTarget(t, sim.Options{})
	req := userRequest("claude-sonnet-4-5", "hi")
	req.Stop = []string{"simulated"}
	ch := st.both(t, req).Choices[0]
	if ch.Message.Text() != "This is a " || ch.FinishReason != llm.FinishStop || ch.RawFinishReason != "stop_sequence" {
		t.Errorf("stop sequence: %+v", ch)
	}
	req.Stop, req.MaxTokens = nil, ptr(int64(4))
	resp := st.both(t, req)
	if ch := resp.Choices[0]; ch.FinishReason != llm.FinishLength || ch.RawFinishReason != "max_tokens" || resp.Usage.OutputTokens != 4 {
		t.Errorf("max tokens: %+v %+v", ch, resp.Usage)
	}
}

func TestSimErrorClasses(t *testing.T) {
	st := newSimTarget(t, sim.Options{})
	cases := []struct {
		fault      string
		kind       llm.Kind
		retryAfter time.Duration
	}{
		{"status=400", llm.KindInvalidRequest, 0},
		{"status=400 code=context_length_exceeded", llm.KindContextTooLong, 0},
		{"status=401", llm.KindUnauthenticated, 0},
		{"status=403", llm.KindPermissionDenied, 0},
		{"status=404", llm.KindNotFound, 0},
		{"status=413", llm.KindPayloadTooLarge, 0},
		{"status=429 retry_after=2", llm.KindRateLimited, 2 * time.Second},
		{"status=500", llm.KindUpstream, 0},
		{"status=504", llm.KindTimeout, 0},
		{"status=529", llm.KindOverloaded, 0},
	}
	for _, c := range cases {
		req := userRequest("claude-sonnet-4-5", "hi [[sim "+c.fault+"]]")
		_, err := st.p.Complete(context.Background(), req)
		e := asLLMError(t, err)
		if e.Kind != c.kind || e.RetryAfter != c.retryAfter || e.Provider != "anthropic" {
			t.Errorf("%s: Complete = %v (%v, retry %v)", c.fault, e, e.Kind, e.RetryAfter)
		}
		if _, err := st.p.Stream(context.Background(), req); llm.KindOf(err) != c.kind {
			t.Errorf("%s: Stream = %v", c.fault, err)
		}
	}

	// A wrong key, checked by the simulator itself.
	locked := newSimTarget(t, sim.Options{APIKey: "sk-ant-right"}, func(c *anthropic.Config) { c.APIKey = "sk-ant-wrong-SECRET" })
	_, err := locked.p.Complete(context.Background(), userRequest("m", "hi"))
	if e := asLLMError(t, err); e.Kind != llm.KindUnauthenticated || strings.Contains(fmt.Sprint(e, e.Err), "SECRET") {
		t.Errorf("wrong key = %v / %v", e, e.Err)
	}
}

// streamUntilError reads a stream to its end and returns how many chunks
// came before the error.
func streamUntilError(t *testing.T, st *simTarget, text string) (int, error) {
	t.Helper()
	s, err := st.p.Stream(context.Background(), userRequest("claude-sonnet-4-5", text))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n := 0
	for {
		if _, err := s.Recv(); err != nil {
			return n, err
		}
		n++
	}
}

func TestSimStreamFaults(t *testing.T) {
	st := newSimTarget(t, sim.Options{})
	n, err := streamUntilError(t, st, "hi [[sim error_after=4]]")
	if e := asLLMError(t, err); e.Kind != llm.KindOverloaded || n == 0 {
		t.Errorf("error event after %d chunks: %+v", n, e)
	}
	n, err = streamUntilError(t, st, "hi [[sim disconnect_after=4]]")
	if e := asLLMError(t, err); e.Kind != llm.KindUpstream || !strings.Contains(e.Message, "prematurely") || n == 0 {
		t.Errorf("disconnect after %d chunks: %+v", n, e)
	}
	_, err = streamUntilError(t, st, "hi [[sim malformed_after=3]]")
	if e := asLLMError(t, err); e.Kind != llm.KindUpstream || !strings.Contains(e.Message, "malformed") {
		t.Errorf("malformed event: %+v", e)
	}
	_, err = st.p.Complete(context.Background(), userRequest("claude-sonnet-4-5", "hi [[sim disconnect_after=0]]"))
	if k := llm.KindOf(err); k != llm.KindUnavailable && k != llm.KindUpstream {
		t.Errorf("unary disconnect: %v", err)
	}
}

func TestSimStreamCancelAndClose(t *testing.T) {
	st := newSimTarget(t, sim.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	s, err := st.p.Stream(ctx, userRequest("claude-sonnet-4-5", "hi [[sim ttft=10s]]"))
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(20*time.Millisecond, cancel)
	if _, err := s.Recv(); llm.KindOf(err) != llm.KindCanceled {
		t.Errorf("Recv after cancel: %v", err)
	}
	s.Close()

	s, err = st.p.Stream(context.Background(), userRequest("claude-sonnet-4-5", "hi [[sim chunk_delay=50ms]]"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Recv(); err != nil {
		t.Fatal(err)
	}
	if s.Close() != nil || s.Close() != nil {
		t.Fatal("Close failed")
	}
	if _, err := s.Recv(); llm.KindOf(err) != llm.KindCanceled {
		t.Errorf("Recv after Close: %v", err)
	}
}

func TestSimListModels(t *testing.T) {
	st := newSimTarget(t, sim.Options{})
	models, err := st.p.ListModels(context.Background())
	if err != nil || len(models) == 0 || models[0].ID != "sim-chat" || models[0].Created == 0 {
		t.Fatalf("models %+v err %v", models, err)
	}
}

func validate(t *testing.T, schema, value string) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(schema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("s.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("s.json")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(value))
	if err != nil {
		t.Fatalf("not JSON: %v: %s", err, value)
	}
	if err := s.Validate(inst); err != nil {
		t.Errorf("%s does not validate: %v", value, err)
	}
}
