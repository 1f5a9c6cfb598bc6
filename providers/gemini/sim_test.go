package gemini_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/gemini/wire"
	"github.com/switchboard-gw/switchboard/providers/sim"
)

// The provider against the simulator's Gemini dialect: the canonical
// scenarios every provider must pass, and the wire bodies the simulator
// received.

var (
	weatherTool = llm.Tool{Name: "get_weather", Description: "Current weather in a city.", Parameters: json.RawMessage(
		`{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string","enum":["C","F"]}},"required":["city","unit"],"additionalProperties":false}`)}
	timeTool = llm.Tool{Name: "get_time", Description: "Current time in a time zone.", Parameters: json.RawMessage(
		`{"type":"object","properties":{"tz":{"type":"string"}},"required":["tz"]}`)}
)

func complete(t *testing.T, st simTarget, req *llm.Request) *llm.Response {
	t.Helper()
	resp, err := st.p.Complete(context.Background(), req)
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	return resp
}

func streamed(t *testing.T, st simTarget, req *llm.Request) *llm.Response {
	t.Helper()
	s, err := st.p.Stream(context.Background(), req)
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	resp, err := llm.Collect(s)
	if err != nil {
		t.Fatalf("Recv: %v", err)
	}
	return resp
}

// sameAnswer checks that a streamed answer equals the unary one but for
// the response id, which is unique per answer.
func sameAnswer(t *testing.T, unary, stream *llm.Response) {
	t.Helper()
	u, s := *unary, *stream
	u.ID, s.ID = "", ""
	if !reflect.DeepEqual(&u, &s) {
		t.Errorf("streamed answer differs from unary\nunary:  %+v\nstream: %+v", u, s)
	}
}

// sentBody is the last generateContent body the simulator received.
func sentBody(t *testing.T, st simTarget) map[string]any {
	t.Helper()
	return decodeJSON(t, st.rec.last(t).Body)
}

func TestSimText(t *testing.T) {
	st := newSimTarget(t, sim.Options{WordsPerChunk: 3})
	req := userRequest("gemini-2.0-flash", "Hello there")
	resp := complete(t, st, req)
	ch := resp.Choices[0]
	if !strings.HasPrefix(ch.Message.Text(), "This is a simulated response.") || ch.FinishReason != llm.FinishStop || ch.RawFinishReason != "STOP" {
		t.Fatalf("choice = %+v", ch)
	}
	if resp.Usage.InputTokens == 0 || resp.Usage.OutputTokens == 0 || resp.Model != "gemini-2.0-flash" || resp.Provider != "gemini" || resp.ID == "" {
		t.Errorf("response = %+v", resp)
	}
	sameAnswer(t, resp, streamed(t, st, req))
	if got := st.rec.last(t); got.Path != "/v1beta/models/gemini-2.0-flash:streamGenerateContent" || got.RawQuery != "alt=sse" ||
		got.Header.Get("X-Goog-Api-Key") != testKey {
		t.Errorf("stream call %s?%s", got.Path, got.RawQuery)
	}
}

func TestSimSystemAndMultiTurn(t *testing.T) {
	st := newSimTarget(t, sim.Options{})
	req := &llm.Request{Model: "models/sim-chat", Messages: []llm.Message{
		{Role: llm.RoleSystem, Parts: []llm.Part{llm.TextPart("Be brief.")}},
		{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart("Hi")}},
		{Role: llm.RoleAssistant, Parts: []llm.Part{llm.TextPart("Hello!")}},
		{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart("How are you?")}},
	}}
	first := complete(t, st, req)
	body := sentBody(t, st)
	if st.rec.last(t).Path != "/v1beta/models/sim-chat:generateContent" {
		t.Errorf("path = %s", st.rec.last(t).Path)
	}
	want := `{"contents":[{"parts":[{"text":"Hi"}],"role":"user"},{"parts":[{"text":"Hello!"}],"role":"model"},{"parts":[{"text":"How are you?"}],"role":"user"}],"systemInstruction":{"parts":[{"text":"Be brief."}]}}`
	if got, _ := json.Marshal(body); string(got) != want {
		t.Errorf("sent %s", got)
	}
	// The answer depends on the whole conversation.
	req.Messages[0].Parts[0].Text = "Be verbose."
	if second := complete(t, st, req); second.Choices[0].Message.Text() == first.Choices[0].Message.Text() {
		t.Error("the system instruction did not reach the model")
	}
}

func TestSimForcedToolCall(t *testing.T) {
	st := newSimTarget(t, sim.Options{})
	req := userRequest("gemini-2.0-flash", "What should I wear today?")
	req.Tools = []llm.Tool{weatherTool, timeTool}
	req.ToolChoice = &llm.ToolChoice{Mode: llm.ToolChoiceFunction, Name: "get_weather"}
	resp := complete(t, st, req)
	calls := resp.Choices[0].Message.ToolCalls
	if len(calls) != 1 || calls[0].Name != "get_weather" || !wire.IsGeneratedCallID(calls[0].ID) || resp.Choices[0].FinishReason != llm.FinishToolCalls {
		t.Fatalf("choice = %+v", resp.Choices[0])
	}
	validateJSON(t, weatherTool.Parameters, calls[0].Arguments)
	tc := sentBody(t, st)["toolConfig"]
	if got, _ := json.Marshal(tc); string(got) != `{"functionCallingConfig":{"allowedFunctionNames":["get_weather"],"mode":"ANY"}}` {
		t.Errorf("toolConfig = %s", got)
	}
	// A streamed call assembles to the unary one: same id, name, arguments.
	sameAnswer(t, resp, streamed(t, st, req))
}

func validateJSON(t *testing.T, schema json.RawMessage, value string) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(schema)))
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

// TestSimParallelCallsAndResults runs the whole tool loop: two calls in
// one answer, their results sent back by id, and the answer that quotes
// them. It checks the wire body the simulator received: the results are
// one user turn of functionResponse parts named after the calls.
func TestSimParallelCallsAndResults(t *testing.T) {
	for _, model := range []string{"gemini-2.0-flash", "gemini-2.5-flash", "gemini-3-pro-preview"} {
		t.Run(model, func(t *testing.T) {
			st := newSimTarget(t, sim.Options{})
			req := userRequest(model, "Use get_weather and get_time for Paris.")
			req.Tools = []llm.Tool{weatherTool, timeTool}
			resp := complete(t, st, req)
			msg := resp.Choices[0].Message
			if len(msg.ToolCalls) != 2 || msg.ToolCalls[0].Name != "get_weather" || msg.ToolCalls[1].Name != "get_time" || msg.ToolCalls[0].ID == msg.ToolCalls[1].ID {
				t.Fatalf("calls = %+v", msg.ToolCalls)
			}
			if thinking := model != "gemini-2.0-flash"; (msg.ToolCalls[0].Signature != "") != thinking {
				t.Errorf("signature %q on a model that thinks=%v", msg.ToolCalls[0].Signature, thinking)
			}
			sameAnswer(t, resp, streamed(t, st, req))

			// Results in the opposite order, by id only, as an OpenAI client sends them.
			req.Messages = append(req.Messages, msg,
				llm.Message{Role: llm.RoleTool, ToolCallID: msg.ToolCalls[1].ID, Parts: []llm.Part{llm.TextPart("12:00")}},
				llm.Message{Role: llm.RoleTool, ToolCallID: msg.ToolCalls[0].ID, Parts: []llm.Part{llm.TextPart(`{"temp":21,"unit":"C"}`)}},
			)
			answer := complete(t, st, req)
			contents := sentBody(t, st)["contents"].([]any)
			results, _ := json.Marshal(contents[len(contents)-1])
			want := `{"parts":[{"functionResponse":{"name":"get_time","response":{"result":"12:00"}}},{"functionResponse":{"name":"get_weather","response":{"temp":21,"unit":"C"}}}],"role":"user"}`
			if string(results) != want {
				t.Errorf("results turn = %s", results)
			}
			replayed, _ := json.Marshal(contents[1])
			if !strings.Contains(string(replayed), `"functionCall":{"args":`) || strings.Contains(string(replayed), `"id"`) {
				t.Errorf("model turn = %s (gateway ids are never sent)", replayed)
			}
			if text := answer.Choices[0].Message.Text(); !strings.HasPrefix(text, `Based on the tool results: get_time returned 12:00; get_weather returned {"temp":21,"unit":"C"}.`) {
				t.Errorf("answer = %q", text)
			}
		})
	}
}

func TestSimJSONSchemaOutput(t *testing.T) {
	schema := json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"},"tags":{"type":"array","items":{"type":"string"},"minItems":1},"score":{"type":["number","null"]}},"required":["name","tags","score"],"additionalProperties":false}`)
	for _, openAPI := range []bool{false, true} {
		st := newSimTarget(t, sim.Options{}, func(c *gemConfig) { c.OpenAPISchema = openAPI })
		req := userRequest("sim-chat", "Describe a person.")
		req.ResponseFormat = &llm.ResponseFormat{Type: llm.ResponseFormatJSONSchema, Name: "person", Schema: schema}
		resp := complete(t, st, req)
		validateJSON(t, schema, resp.Choices[0].Message.Text())
		gc := sentBody(t, st)["generationConfig"].(map[string]any)
		if _, hasOpenAPI := gc["responseSchema"]; gc["responseMimeType"] != "application/json" || hasOpenAPI != openAPI {
			t.Errorf("generationConfig = %v", gc)
		}
	}
}

func TestSimCachedUsageAndLimits(t *testing.T) {
	st := newSimTarget(t, sim.Options{})
	req := userRequest("sim-chat", "Summarize the document. [[sim cached=6]]")
	resp := complete(t, st, req)
	if resp.Usage.CachedInputTokens != 6 || resp.Usage.InputTokens < 6 {
		t.Errorf("usage = %+v", resp.Usage)
	}
	sameAnswer(t, resp, streamed(t, st, req))

	max := int64(4)
	req = userRequest("sim-chat", "Write a story.")
	req.MaxTokens = &max
	resp = complete(t, st, req)
	if ch := resp.Choices[0]; ch.FinishReason != llm.FinishLength || ch.RawFinishReason != "MAX_TOKENS" || resp.Usage.OutputTokens != 4 {
		t.Errorf("max tokens: %+v %+v", ch, resp.Usage)
	}
	sameAnswer(t, resp, streamed(t, st, req))

	req = userRequest("sim-chat", "Write two stories.")
	req.N = 2
	resp = complete(t, st, req)
	if len(resp.Choices) != 2 || resp.Choices[1].Index != 1 {
		t.Fatalf("choices = %+v", resp.Choices)
	}
	sameAnswer(t, resp, streamed(t, st, req))
}

// TestSimThoughtSignatureRoundTrip follows a Gemini 3 conversation: the
// call's signature comes back on the canonical tool call, goes out again on
// the next turn, and the simulator (like the real API) refuses the turn
// when it is altered or missing.
func TestSimThoughtSignatureRoundTrip(t *testing.T) {
	st := newSimTarget(t, sim.Options{})
	req := userRequest("gemini-3-pro-preview", "Call get_time for Tokyo.")
	req.Tools = []llm.Tool{timeTool}
	req.Reasoning = &llm.ReasoningConfig{Effort: "low"}
	resp := complete(t, st, req)
	msg := resp.Choices[0].Message
	if len(msg.ToolCalls) != 1 || msg.ToolCalls[0].Signature == "" || len(msg.Reasoning) != 1 || msg.Reasoning[0].Text == "" || resp.Usage.ReasoningTokens == 0 {
		t.Fatalf("message = %+v usage %+v", msg, resp.Usage)
	}
	sameAnswer(t, resp, streamed(t, st, req))
	next := func(m llm.Message) error {
		r := *req
		r.Messages = append(append([]llm.Message(nil), req.Messages...), m,
			llm.Message{Role: llm.RoleTool, ToolCallID: m.ToolCalls[0].ID, Parts: []llm.Part{llm.TextPart("09:00")}})
		_, err := st.p.Complete(context.Background(), &r)
		return err
	}
	if err := next(msg); err != nil {
		t.Fatalf("the conversation with its signatures is refused: %v", err)
	}
	body := sentBody(t, st)
	if sig := body["contents"].([]any)[1].(map[string]any)["parts"].([]any)[1].(map[string]any)["thoughtSignature"]; sig != msg.ToolCalls[0].Signature {
		t.Errorf("signature sent back = %v", sig)
	}
	altered := msg
	altered.ToolCalls = []llm.ToolCall{msg.ToolCalls[0]}
	altered.ToolCalls[0].Signature = strings.Replace(altered.ToolCalls[0].Signature, altered.ToolCalls[0].Signature[30:34], "AAAA", 1)
	if e := asLLMError(t, next(altered)); e.Kind != llm.KindInvalidRequest || !strings.Contains(e.Message, "Corrupted thought signature") {
		t.Errorf("altered: %+v", e)
	}
	altered.ToolCalls[0].Signature = ""
	if e := asLLMError(t, next(altered)); e.Kind != llm.KindInvalidRequest || !strings.Contains(e.Message, "thought_signature") {
		t.Errorf("missing: %+v", e)
	}
	// A text answer's signature rides on the text part, unary and streamed.
	text := complete(t, st, userRequest("gemini-3-pro-preview", "Hello"))
	if p := text.Choices[0].Message.Parts; len(p) != 1 || p[0].Signature == "" {
		t.Errorf("text parts = %+v", p)
	}
}

func TestSimErrorClasses(t *testing.T) {
	cases := []struct {
		directive string
		kind      llm.Kind
		retry     time.Duration
	}{
		{"status=429 retry_after=3", llm.KindRateLimited, 3 * time.Second},
		{"status=503", llm.KindOverloaded, 0},
		{"status=500", llm.KindUpstream, 0},
		{"status=504", llm.KindTimeout, 0},
		{"status=400 code=context_length_exceeded", llm.KindContextTooLong, 0},
		{"status=400", llm.KindInvalidRequest, 0},
		{"status=400 code=API_KEY_INVALID", llm.KindUnauthenticated, 0},
		{"status=401", llm.KindUnauthenticated, 0},
		{"status=403", llm.KindPermissionDenied, 0},
		{"status=404", llm.KindNotFound, 0},
	}
	st := newSimTarget(t, sim.Options{})
	for _, c := range cases {
		req := userRequest("sim-chat", "Hi [[sim "+c.directive+"]]")
		_, err := st.p.Complete(context.Background(), req)
		e := asLLMError(t, err)
		if e.Kind != c.kind || e.RetryAfter != c.retry || e.Provider != "gemini" {
			t.Errorf("%s Complete: %+v", c.directive, e)
		}
		s, err := st.p.Stream(context.Background(), req)
		if s != nil {
			t.Fatalf("%s: Stream returned a stream", c.directive)
		}
		if e := asLLMError(t, err); e.Kind != c.kind || e.RetryAfter != c.retry {
			t.Errorf("%s Stream: %+v", c.directive, e)
		}
	}
}

func TestSimBadKey(t *testing.T) {
	st := newSimTarget(t, sim.Options{APIKey: "the-right-key"}, func(c *gemConfig) { c.APIKey = "AIzaWRONGKEY-0123456789abcdef" })
	_, err := st.p.Complete(context.Background(), userRequest("sim-chat", "Hi"))
	e := asLLMError(t, err)
	if e.Kind != llm.KindUnauthenticated || e.Status != 400 || strings.Contains(e.Error(), "AIzaWRONG") || strings.Contains(e.Err.Error(), "AIzaWRONG") {
		t.Errorf("%+v", e)
	}
	if st.rec.last(t).RawQuery != "" {
		t.Error("the key must not be in the URL")
	}
}

func TestSimBrokenStreams(t *testing.T) {
	cases := []struct {
		directive string
		message   string
	}{
		{"disconnect_after=2", "stream ended prematurely"},
		{"error_after=1", "An internal error has occurred"},
		{"malformed_after=1", "malformed chunk"},
	}
	st := newSimTarget(t, sim.Options{})
	for _, c := range cases {
		s, err := st.p.Stream(context.Background(), userRequest("sim-chat", "Hi [[sim "+c.directive+"]]"))
		if err != nil {
			t.Fatal(err)
		}
		partial, err := llm.Collect(s)
		e := asLLMError(t, err)
		if e.Kind != llm.KindUpstream || !strings.Contains(e.Message, c.message) {
			t.Errorf("%s: %+v", c.directive, e)
		}
		if len(partial.Choices) == 0 || partial.Choices[0].FinishReason != "" {
			t.Errorf("%s: partial answer = %+v", c.directive, partial)
		}
	}
	_, err := st.p.Complete(context.Background(), userRequest("sim-chat", "Hi [[sim malformed_after=0]]"))
	if e := asLLMError(t, err); e.Kind != llm.KindUpstream {
		t.Errorf("truncated unary body: %+v", e)
	}
}

func TestSimCancelAndClose(t *testing.T) {
	st := newSimTarget(t, sim.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	s, err := st.p.Stream(ctx, userRequest("sim-chat", "Hi [[sim chunk_delay=10s]]"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Recv(); err != nil {
		t.Fatalf("first chunk: %v", err)
	}
	cancel()
	var e error
	for e == nil {
		_, e = s.Recv()
	}
	if k := llm.KindOf(e); k != llm.KindCanceled {
		t.Errorf("after cancel: %v (%v)", e, k)
	}
	if s.Close() != nil || s.Close() != nil {
		t.Error("Close must be idempotent")
	}

	s, err = st.p.Stream(context.Background(), userRequest("sim-chat", "Hi [[sim chunk_delay=10s]]"))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		for {
			if _, err := s.Recv(); err != nil {
				done <- err
				return
			}
		}
	}()
	_ = s.Close()
	_ = s.Close()
	if err := <-done; errors.Is(err, io.EOF) || llm.KindOf(err) != llm.KindCanceled {
		t.Errorf("Recv after Close: %v", err)
	}
}

func TestSimEmbeddingsAndModels(t *testing.T) {
	st := newSimTarget(t, sim.Options{})
	dims := int64(16)
	resp, err := st.p.Embed(context.Background(), &llm.EmbedRequest{Model: "sim-embed", Inputs: []string{"alpha", "beta", "alpha"}, Dimensions: &dims})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Embeddings) != 3 || len(resp.Embeddings[0]) != 16 || resp.Provider != "gemini" || resp.Model != "sim-embed" {
		t.Fatalf("response = %+v", resp)
	}
	if !reflect.DeepEqual(resp.Embeddings[0], resp.Embeddings[2]) || reflect.DeepEqual(resp.Embeddings[0], resp.Embeddings[1]) {
		t.Error("embeddings are not a function of the text")
	}
	var n float64
	for _, v := range resp.Embeddings[1] {
		n += float64(v) * float64(v)
	}
	if math.Abs(math.Sqrt(n)-1) > 1e-3 {
		t.Errorf("norm = %v", math.Sqrt(n))
	}
	if got := st.rec.last(t); got.Path != "/v1beta/models/sim-embed:batchEmbedContents" {
		t.Errorf("path = %s", got.Path)
	}
	models, err := st.p.ListModels(context.Background())
	if err != nil || len(models) != 3 || models[0].ID != "sim-chat" || models[0].OwnedBy != "google" {
		t.Errorf("models = %+v, %v", models, err)
	}
}

func TestSimTimingFaults(t *testing.T) {
	st := newSimTarget(t, sim.Options{})
	// ttft: the 200 and its headers come at once, the first chunk waits.
	ctx, cancel := context.WithCancel(context.Background())
	s, err := st.p.Stream(ctx, userRequest("sim-chat", "Hi [[sim ttft=10s]]"))
	if err != nil {
		t.Fatalf("the stream must open before the first token: %v", err)
	}
	cancel()
	if _, err := s.Recv(); llm.KindOf(err) != llm.KindCanceled {
		t.Errorf("Recv after cancel: %v", err)
	}
	s.Close()
	// latency: a unary answer that does not come before the deadline.
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = st.p.Complete(ctx, userRequest("sim-chat", "Hi [[sim latency=10s]]"))
	if e := asLLMError(t, err); e.Kind != llm.KindTimeout {
		t.Errorf("latency past the deadline: %+v", e)
	}
}
