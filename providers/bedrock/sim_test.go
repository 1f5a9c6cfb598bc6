package bedrock_test

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/bedrock"
	"github.com/switchboard-gw/switchboard/providers/sim"
)

// The simulator recomputes every signature from the specification: these
// calls succeeding proves the translator signs what it sends, for the
// region it is configured with, with the session token.
func TestSimulatorVerifiesTheSignature(t *testing.T) {
	st := newSimTarget(t, sim.Options{})
	resp, err := st.p.Complete(context.Background(), userRequest(claude, "hello"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(resp.Choices[0].Message.Text(), "This is a simulated response.") {
		t.Errorf("answer = %+v", resp.Choices[0])
	}
	checkSigned(t, st.last(t))
	if got := st.last(t).RawPath; got != "/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse" {
		t.Errorf("path = %s", got)
	}

	// An inference profile ARN: its ":" and "/" travel escaped, and the
	// signature over the path escaped once more still verifies.
	arn := "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0"
	if _, err := st.p.Complete(context.Background(), userRequest(arn, "hello")); err != nil {
		t.Fatalf("ARN: %v", err)
	}
	if got := st.last(t).RawPath; !strings.Contains(got, "inference-profile%2Fus.anthropic") {
		t.Errorf("ARN path = %s", got)
	}
	// Extra configured headers are signed too.
	withHeader := newSimTarget(t, sim.Options{}, func(c *bedrock.Config) { c.Headers = map[string]string{"X-Team": "search"} })
	if _, err := withHeader.p.Complete(context.Background(), userRequest(claude, "hello")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(withHeader.last(t).Header.Get("Authorization"), ";x-team,") && !strings.Contains(withHeader.last(t).Header.Get("Authorization"), ";x-team;") {
		t.Errorf("x-team not signed: %s", withHeader.last(t).Header.Get("Authorization"))
	}
}

// Wrong credentials, and a clock AWS would not accept, are Unauthenticated
// (the simulator answers 403 with the types AWS uses); nothing about the
// credentials reaches the message.
func TestSimulatorRejectsBadSignatures(t *testing.T) {
	for name, mutate := range map[string]func(*bedrock.Config){
		"wrong secret": func(c *bedrock.Config) {
			c.Credentials = bedrock.StaticCredentials(bedrock.Credentials{AccessKeyID: testCreds.AccessKeyID, SecretAccessKey: "nope", SessionToken: testCreds.SessionToken})
		},
		"wrong key id": func(c *bedrock.Config) {
			c.Credentials = bedrock.StaticCredentials(bedrock.Credentials{AccessKeyID: "AKIAOTHER0000000000", SecretAccessKey: testCreds.SecretAccessKey, SessionToken: testCreds.SessionToken})
		},
		"no session token": func(c *bedrock.Config) {
			c.Credentials = bedrock.StaticCredentials(bedrock.Credentials{AccessKeyID: testCreds.AccessKeyID, SecretAccessKey: testCreds.SecretAccessKey})
		},
		"clock 20 minutes behind": func(c *bedrock.Config) { c.Now = func() time.Time { return time.Now().Add(-20 * time.Minute) } },
	} {
		t.Run(name, func(t *testing.T) {
			st := newSimTarget(t, sim.Options{}, mutate)
			_, err := st.p.Complete(context.Background(), userRequest(claude, "hello"))
			e := asLLMError(t, err)
			if e.Kind != llm.KindUnauthenticated || e.Status != http.StatusForbidden || strings.Contains(e.Message, "AKIA") {
				t.Fatalf("%+v", e)
			}
			_, err = st.p.Stream(context.Background(), userRequest(claude, "hello"))
			if e := asLLMError(t, err); e.Kind != llm.KindUnauthenticated {
				t.Fatalf("stream: %+v", e)
			}
		})
	}
}

func TestStreamEqualsUnary(t *testing.T) {
	st := newSimTarget(t, sim.Options{})
	req := userRequest(claude, "Tell me about gateways")
	unary, err := st.p.Complete(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	s, err := st.p.Stream(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	streamed, err := llm.Collect(s)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := streamed.Choices[0], unary.Choices[0]; !reflect.DeepEqual(got, want) {
		t.Errorf("streamed %+v\nunary    %+v", got, want)
	}
	if streamed.Usage != unary.Usage || unary.Usage.InputTokens == 0 || unary.Usage.OutputTokens == 0 {
		t.Errorf("usage streamed %+v unary %+v", streamed.Usage, unary.Usage)
	}
	if st.last(t).Header.Get("Accept") != "application/vnd.amazon.eventstream" || !strings.HasSuffix(st.last(t).RawPath, "/converse-stream") {
		t.Errorf("stream call = %+v", st.last(t))
	}
}

var weather = llm.Tool{Name: "get_weather", Description: "Current weather",
	Parameters: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}`)}
var clock = llm.Tool{Name: "get_time", Parameters: json.RawMessage(`{"type":"object","properties":{}}`)}

// Parallel tool calls, streamed and unary alike, then their results sent
// back in one user turn (the simulator checks every toolUse is answered)
// and an answer that quotes them.
func TestParallelToolCallRoundTrip(t *testing.T) {
	st := newSimTarget(t, sim.Options{})
	req := userRequest(claude, "Use get_weather for Paris and get_time, please.")
	req.Tools = []llm.Tool{weather, clock}
	unary, err := st.p.Complete(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	calls := unary.Choices[0].Message.ToolCalls
	if len(calls) != 2 || calls[0].Name != "get_weather" || calls[1].Name != "get_time" || calls[1].Arguments != "{}" ||
		!strings.HasPrefix(calls[0].ID, "tooluse_") || unary.Choices[0].FinishReason != llm.FinishToolCalls {
		t.Fatalf("unary = %+v", unary.Choices[0])
	}
	s, err := st.p.Stream(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	streamed, err := llm.Collect(s)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(streamed.Choices[0].Message.ToolCalls, calls) {
		t.Errorf("streamed calls = %+v", streamed.Choices[0].Message.ToolCalls)
	}
	req.Messages = append(req.Messages, unary.Choices[0].Message,
		llm.Message{Role: llm.RoleTool, ToolCallID: calls[0].ID, Parts: []llm.Part{llm.TextPart("18C and sunny")}},
		llm.Message{Role: llm.RoleTool, ToolCallID: calls[1].ID, Parts: []llm.Part{llm.TextPart("noon")}})
	final, err := st.p.Complete(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	text := final.Choices[0].Message.Text()
	if !strings.Contains(text, "get_weather returned 18C and sunny") || !strings.Contains(text, "get_time returned noon") || final.Choices[0].FinishReason != llm.FinishStop {
		t.Errorf("final = %+v", final.Choices[0])
	}
	var body struct {
		Messages []struct {
			Role    string           `json:"role"`
			Content []map[string]any `json:"content"`
		} `json:"messages"`
	}
	_ = json.Unmarshal(st.last(t).Body, &body)
	if n := len(body.Messages); n != 3 || len(body.Messages[2].Content) != 2 || body.Messages[2].Content[1]["toolResult"] == nil {
		t.Errorf("the tool results are not one user turn: %s", st.last(t).Body)
	}
}

// Claude thinking: the reasoning block comes back with its signature, and
// the simulator accepts it on the next turn only if it is unchanged.
func TestReasoningRoundTrip(t *testing.T) {
	st := newSimTarget(t, sim.Options{})
	req := userRequest(claude, "Use get_weather for Oslo")
	req.Tools = []llm.Tool{weather}
	req.Reasoning = &llm.ReasoningConfig{Effort: "low"}
	for _, stream := range []bool{false, true} {
		var resp *llm.Response
		var err error
		if stream {
			var s llm.Stream
			if s, err = st.p.Stream(context.Background(), req); err == nil {
				resp, err = llm.Collect(s)
			}
		} else {
			resp, err = st.p.Complete(context.Background(), req)
		}
		if err != nil {
			t.Fatal(err)
		}
		m := resp.Choices[0].Message
		if len(m.Reasoning) != 1 || m.Reasoning[0].Signature == "" || !strings.HasPrefix(m.Reasoning[0].Text, "Let me think about this.") || len(m.ToolCalls) != 1 {
			t.Fatalf("stream %v: message = %+v", stream, m)
		}
		next := *req
		next.Messages = append(append([]llm.Message(nil), req.Messages...), m,
			llm.Message{Role: llm.RoleTool, ToolCallID: m.ToolCalls[0].ID, Parts: []llm.Part{llm.TextPart("cold")}})
		if _, err := st.p.Complete(context.Background(), &next); err != nil {
			t.Fatalf("stream %v: sending the reasoning back: %v", stream, err)
		}
		next.Messages[1].Reasoning = []llm.Reasoning{{Text: m.Reasoning[0].Text + " (edited)", Signature: m.Reasoning[0].Signature}}
		_, err = st.p.Complete(context.Background(), &next)
		if e := asLLMError(t, err); e.Kind != llm.KindInvalidRequest || !strings.Contains(e.Message, "signature") {
			t.Fatalf("stream %v: tampered reasoning: %+v", stream, e)
		}
	}
	var body map[string]any
	_ = json.Unmarshal(st.last(t).Body, &body)
	if body["additionalModelRequestFields"] == nil {
		t.Errorf("thinking not sent: %s", st.last(t).Body)
	}
}

// Cached and cache-write tokens are in Bedrock's inputTokens-excluded
// form on the wire and in the canonical form after translation.
func TestCacheUsage(t *testing.T) {
	st := newSimTarget(t, sim.Options{})
	req := userRequest(claude, "hello [[sim cached=6 cache_write=4]]")
	req.Messages[0].Parts[0].CacheControl = &llm.CacheControl{Type: "ephemeral"}
	unary, err := st.p.Complete(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	u := unary.Usage
	if u.CachedInputTokens != 6 || u.CacheWriteTokens != 4 || u.InputTokens < 10 {
		t.Errorf("usage = %+v", u)
	}
	s, err := st.p.Stream(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	streamed, err := llm.Collect(s)
	if err != nil || streamed.Usage != u {
		t.Errorf("streamed usage %+v, unary %+v (%v)", streamed.Usage, u, err)
	}
	if !strings.Contains(string(st.last(t).Body), `{"cachePoint":{"type":"default"}}`) {
		t.Errorf("no cache point sent: %s", st.last(t).Body)
	}
}

// Each error class, from the simulator's Bedrock error responses.
func TestErrorClasses(t *testing.T) {
	st := newSimTarget(t, sim.Options{})
	for _, tc := range []struct {
		directive string
		kind      llm.Kind
		status    int
		code      string
	}{
		{"status=429 retry_after=2", llm.KindRateLimited, 429, "ThrottlingException"},
		{"status=400 code=ServiceQuotaExceededException", llm.KindRateLimited, 400, "ServiceQuotaExceededException"},
		{"status=400", llm.KindInvalidRequest, 400, "ValidationException"},
		{"status=400 code=context_length_exceeded", llm.KindContextTooLong, 400, "context_length_exceeded"},
		{"status=401", llm.KindUnauthenticated, 401, "UnrecognizedClientException"},
		{"status=403", llm.KindPermissionDenied, 403, "AccessDeniedException"},
		{"status=404", llm.KindNotFound, 404, "ResourceNotFoundException"},
		{"status=408", llm.KindTimeout, 408, "ModelTimeoutException"},
		{"status=424", llm.KindUpstream, 424, "ModelErrorException"},
		{"status=429 code=ModelNotReadyException", llm.KindOverloaded, 429, "ModelNotReadyException"},
		{"status=500", llm.KindUpstream, 500, "InternalServerException"},
		{"status=503", llm.KindOverloaded, 503, "ServiceUnavailableException"},
	} {
		t.Run(tc.directive, func(t *testing.T) {
			_, err := st.p.Complete(context.Background(), userRequest(claude, "hi [[sim "+tc.directive+"]]"))
			e := asLLMError(t, err)
			if e.Kind != tc.kind || e.Status != tc.status || e.Code != tc.code || e.Provider != "bedrock" {
				t.Fatalf("%+v", e)
			}
			if tc.status == 429 && tc.code == "ThrottlingException" && e.RetryAfter != 2*time.Second {
				t.Errorf("retry after = %v", e.RetryAfter)
			}
			_, err = st.p.Stream(context.Background(), userRequest(claude, "hi [[sim "+tc.directive+"]]"))
			if se := asLLMError(t, err); se.Kind != tc.kind {
				t.Errorf("stream: %+v", se)
			}
		})
	}
}

// Failures inside the 200 stream: an exception frame (classified by its
// type), a frame whose checksum is wrong, a cut connection.
func TestStreamFaults(t *testing.T) {
	st := newSimTarget(t, sim.Options{})
	for _, tc := range []struct {
		directive string
		kind      llm.Kind
		message   string
	}{
		{"error_after=3", llm.KindUpstream, "An error occurred while processing the model stream."},
		{"error_after=2 code=throttlingException", llm.KindRateLimited, "Too many requests"},
		{"error_after=2 code=serviceUnavailableException", llm.KindOverloaded, "Bedrock is unable"},
		{"error_after=2 code=validationException", llm.KindInvalidRequest, "Malformed input"},
		{"error_after=2 code=internalServerException", llm.KindUpstream, "unexpected error"},
		{"malformed_after=2", llm.KindUpstream, "malformed event stream from bedrock: event stream: message checksum mismatch"},
		{"disconnect_after=2", llm.KindUpstream, "stream ended prematurely"},
	} {
		t.Run(tc.directive, func(t *testing.T) {
			s, err := st.p.Stream(context.Background(), userRequest(claude, "Tell me a story [[sim "+tc.directive+"]]"))
			if err != nil {
				t.Fatal(err)
			}
			got := 0
			for {
				_, err = s.Recv()
				if err != nil {
					break
				}
				got++
			}
			s.Close()
			e := asLLMError(t, err)
			if e.Kind != tc.kind || !strings.Contains(e.Message, tc.message) || got == 0 {
				t.Fatalf("after %d chunks: %+v", got, e)
			}
		})
	}
	// A unary answer cut short.
	_, err := st.p.Complete(context.Background(), userRequest(claude, "hi [[sim malformed_after=0]]"))
	if e := asLLMError(t, err); e.Kind != llm.KindUpstream {
		t.Errorf("truncated unary: %+v", e)
	}
	_, err = st.p.Complete(context.Background(), userRequest(claude, "hi [[sim disconnect_after=0]]"))
	if e := asLLMError(t, err); e.Kind != llm.KindUnavailable && e.Kind != llm.KindUpstream {
		t.Errorf("cut unary: %+v", e)
	}
}

// Stop reasons: max tokens, stop sequences, a content filter, a guardrail.
func TestStopReasons(t *testing.T) {
	st := newSimTarget(t, sim.Options{})
	for _, tc := range []struct {
		text    string
		mutate  func(*llm.Request)
		finish  llm.FinishReason
		raw     string
		wantTxt string
	}{
		{"hi", func(r *llm.Request) { r.MaxTokens = ptr[int64](3) }, llm.FinishLength, "max_tokens", ""},
		{`hi [[sim reply="one two STOP three"]]`, func(r *llm.Request) { r.Stop = []string{"STOP"} }, llm.FinishStop, "stop_sequence", "one two "},
		{"hi [[sim content_filter=output]]", nil, llm.FinishContentFilter, "content_filtered", ""},
		{"hi [[sim content_filter=prompt]]", nil, llm.FinishContentFilter, "guardrail_intervened", "Sorry, the model cannot answer this question."},
	} {
		req := userRequest(claude, tc.text)
		if tc.mutate != nil {
			tc.mutate(req)
		}
		for _, stream := range []bool{false, true} {
			var resp *llm.Response
			var err error
			if stream {
				var s llm.Stream
				if s, err = st.p.Stream(context.Background(), req); err == nil {
					resp, err = llm.Collect(s)
				}
			} else {
				resp, err = st.p.Complete(context.Background(), req)
			}
			if err != nil {
				t.Fatalf("%s: %v", tc.text, err)
			}
			ch := resp.Choices[0]
			if ch.FinishReason != tc.finish || ch.RawFinishReason != tc.raw || (tc.wantTxt != "" && ch.Message.Text() != tc.wantTxt) {
				t.Errorf("%s (stream %v): %+v", tc.text, stream, ch)
			}
		}
	}
}

// A JSON-schema answer comes through the answer tool as JSON text.
func TestJSONResponseFormat(t *testing.T) {
	st := newSimTarget(t, sim.Options{})
	req := userRequest(claude, "Give me a number")
	req.ResponseFormat = &llm.ResponseFormat{Type: llm.ResponseFormatJSONSchema,
		Schema: json.RawMessage(`{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"],"additionalProperties":false}`)}
	for _, stream := range []bool{false, true} {
		var resp *llm.Response
		var err error
		if stream {
			var s llm.Stream
			if s, err = st.p.Stream(context.Background(), req); err == nil {
				resp, err = llm.Collect(s)
			}
		} else {
			resp, err = st.p.Complete(context.Background(), req)
		}
		if err != nil {
			t.Fatal(err)
		}
		var v struct {
			N *int `json:"n"`
		}
		ch := resp.Choices[0]
		if json.Unmarshal([]byte(ch.Message.Text()), &v) != nil || v.N == nil || len(ch.Message.ToolCalls) != 0 || ch.FinishReason != llm.FinishStop {
			t.Errorf("stream %v: %+v", stream, ch)
		}
	}
}

// The simulator refuses what Bedrock refuses, with Bedrock's words, and the
// translator never sends it: consecutive user turns are merged, blank text
// left out.
func TestSimulatorValidatesLikeBedrock(t *testing.T) {
	st := newSimTarget(t, sim.Options{})
	req := &llm.Request{Model: claude, Messages: []llm.Message{
		{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart("one"), llm.TextPart("")}},
		{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart("two")}},
	}}
	if _, err := st.p.Complete(context.Background(), req); err != nil {
		t.Fatalf("merged turns refused: %v", err)
	}
	// A tool result that answers no call of the previous turn.
	req = userRequest(claude, "hi")
	req.Tools = []llm.Tool{clock}
	req.Messages = append(req.Messages, llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{llm.TextPart("ok")}},
		llm.Message{Role: llm.RoleTool, ToolCallID: "tooluse_nothing", Parts: []llm.Part{llm.TextPart("x")}})
	_, err := st.p.Complete(context.Background(), req)
	if e := asLLMError(t, err); e.Kind != llm.KindInvalidRequest || !strings.Contains(e.Message, "toolResult") {
		t.Errorf("unanswered result: %+v", e)
	}
	// Claude's thinking budget must stay under maxTokens.
	req = userRequest(claude, "hi")
	req.Reasoning = &llm.ReasoningConfig{BudgetTokens: 2048}
	req.MaxTokens = ptr[int64](1000)
	_, err = st.p.Complete(context.Background(), req)
	if e := asLLMError(t, err); e.Kind != llm.KindInvalidRequest || e.Param != "max_tokens" {
		t.Errorf("budget: %+v", e)
	}
}
