package e2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/openai/openai-go/v3"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"google.golang.org/protobuf/types/known/structpb"

	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
)

// The three simulator dialects behind the same API. Each alias reaches the
// in-process simulator through the real translator of its provider, so these
// tests run the OpenAI, Anthropic and Gemini translators end to end, through
// both front doors, and compare what callers get. Provider differences that
// are expected are listed in docs/providers.md; every other result must be
// the same for all three.
var dialects = []string{"demo", "demo-anthropic", "demo-gemini"}

// perDialect runs f for each dialect and returns its results in order.
func perDialect[T any](t *testing.T, f func(t *testing.T, alias string) T) []T {
	t.Helper()
	out := make([]T, len(dialects))
	for i, alias := range dialects {
		t.Run(alias, func(t *testing.T) { out[i] = f(t, alias) })
	}
	return out
}

// sameForAll fails when the dialects' results differ.
func sameForAll[T comparable](t *testing.T, what string, results []T) {
	t.Helper()
	for i := 1; i < len(results); i++ {
		if results[i] != results[0] {
			t.Errorf("%s differs: %s gave %v, %s gave %v", what, dialects[0], results[0], dialects[i], results[i])
		}
	}
}

var weatherTool = openai.ChatCompletionFunctionTool(openai.FunctionDefinitionParam{
	Name:        "get_weather",
	Description: openai.String("Current weather in a city"),
	Parameters: openai.FunctionParameters{
		"type":                 "object",
		"properties":           map[string]any{"city": map[string]any{"type": "string"}, "unit": map[string]any{"type": "string", "enum": []any{"c", "f"}}},
		"required":             []any{"city", "unit"},
		"additionalProperties": false,
	},
})

var timeTool = openai.ChatCompletionFunctionTool(openai.FunctionDefinitionParam{
	Name:       "get_time",
	Parameters: openai.FunctionParameters{"type": "object", "properties": map[string]any{}},
})

type textResult struct {
	Text         string
	Finish       string
	PromptTokens int64
	OutputTokens int64
	CachedTokens int64
}

func TestProvidersSameTextThroughShim(t *testing.T) {
	g := startGateway(t)
	_, secret := g.createKey(t, "providers")
	client := g.sdk(secret)
	ctx := context.Background()
	run := func(msgs []openai.ChatCompletionMessageParamUnion) func(*testing.T, string) textResult {
		return func(t *testing.T, alias string) textResult {
			resp, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: alias, Messages: msgs})
			if err != nil {
				t.Fatal(err)
			}
			c := resp.Choices[0]
			if c.Message.Content == "" {
				t.Fatalf("empty answer: %s", resp.RawJSON())
			}
			return textResult{c.Message.Content, string(c.FinishReason), resp.Usage.PromptTokens, resp.Usage.CompletionTokens, resp.Usage.PromptTokensDetails.CachedTokens}
		}
	}
	t.Run("text", func(t *testing.T) {
		sameForAll(t, "answer", perDialect(t, run([]openai.ChatCompletionMessageParamUnion{openai.UserMessage("Tell me about gateways.")})))
	})
	t.Run("system prompt", func(t *testing.T) {
		sameForAll(t, "answer", perDialect(t, run([]openai.ChatCompletionMessageParamUnion{
			openai.SystemMessage("You are terse."), openai.UserMessage("Tell me about gateways.")})))
	})
	t.Run("multi-turn", func(t *testing.T) {
		sameForAll(t, "answer", perDialect(t, run([]openai.ChatCompletionMessageParamUnion{
			openai.UserMessage("Hi."), openai.AssistantMessage("Hello! How can I help?"), openai.UserMessage("Tell me more.")})))
	})
	t.Run("usage with cached input", func(t *testing.T) {
		results := perDialect(t, run([]openai.ChatCompletionMessageParamUnion{openai.UserMessage("A long prompt [[sim cached=4]]")}))
		sameForAll(t, "result", results)
		for i, r := range results {
			if r.CachedTokens != 4 || r.PromptTokens < 4 {
				t.Errorf("%s: cached %d of %d prompt tokens, want 4 (a subset)", dialects[i], r.CachedTokens, r.PromptTokens)
			}
		}
	})
	t.Run("max tokens", func(t *testing.T) {
		results := perDialect(t, func(t *testing.T, alias string) textResult {
			resp, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: alias, MaxTokens: openai.Int(5),
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Tell me a long story.")}})
			if err != nil {
				t.Fatal(err)
			}
			return textResult{Text: resp.Choices[0].Message.Content, Finish: string(resp.Choices[0].FinishReason), OutputTokens: resp.Usage.CompletionTokens}
		})
		sameForAll(t, "result", results)
		if results[0].Finish != "length" || results[0].OutputTokens != 5 {
			t.Errorf("max_tokens 5 gave %+v", results[0])
		}
	})
	t.Run("stop sequence", func(t *testing.T) {
		results := perDialect(t, func(t *testing.T, alias string) textResult {
			resp, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: alias,
				Stop:     openai.ChatCompletionNewParamsStopUnion{OfStringArray: []string{"STOP"}},
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(`[[sim reply="one two STOP three"]] go`)}})
			if err != nil {
				t.Fatal(err)
			}
			return textResult{Text: resp.Choices[0].Message.Content, Finish: string(resp.Choices[0].FinishReason)}
		})
		sameForAll(t, "result", results)
		if strings.TrimSpace(results[0].Text) != "one two" || results[0].Finish != "stop" {
			t.Errorf("stop gave %+v", results[0])
		}
	})
}

type toolResult struct {
	Name, Args, Finish string
	IDPrefix           string
}

func TestProvidersToolCallsThroughShim(t *testing.T) {
	g := startGateway(t)
	_, secret := g.createKey(t, "providers-tools")
	client := g.sdk(secret)
	ctx := context.Background()
	forced := func(alias string) openai.ChatCompletionNewParams {
		return openai.ChatCompletionNewParams{
			Model:      alias,
			Messages:   []openai.ChatCompletionMessageParamUnion{openai.UserMessage("What is the weather in Paris?")},
			Tools:      []openai.ChatCompletionToolUnionParam{weatherTool},
			ToolChoice: openai.ToolChoiceOptionFunctionToolChoice(openai.ChatCompletionNamedToolChoiceFunctionParam{Name: "get_weather"}),
		}
	}

	t.Run("forced tool call, unary equals stream, result sent back", func(t *testing.T) {
		results := perDialect(t, func(t *testing.T, alias string) toolResult {
			resp, err := client.Chat.Completions.New(ctx, forced(alias))
			if err != nil {
				t.Fatal(err)
			}
			call := resp.Choices[0].Message.ToolCalls
			if len(call) != 1 || resp.Choices[0].FinishReason != "tool_calls" {
				t.Fatalf("response %s", resp.RawJSON())
			}
			var args map[string]any
			if err := json.Unmarshal([]byte(call[0].Function.Arguments), &args); err != nil || args["city"] == nil || (args["unit"] != "c" && args["unit"] != "f") {
				t.Fatalf("arguments %q do not match the schema", call[0].Function.Arguments)
			}

			// The same call assembled from a stream.
			stream := client.Chat.Completions.NewStreaming(ctx, forced(alias))
			var acc openai.ChatCompletionAccumulator
			for stream.Next() {
				acc.AddChunk(stream.Current())
			}
			if err := stream.Err(); err != nil {
				t.Fatal(err)
			}
			sc := acc.Choices[0].Message.ToolCalls
			if len(sc) != 1 || sc[0].ID != call[0].ID || sc[0].Function.Name != call[0].Function.Name || sc[0].Function.Arguments != call[0].Function.Arguments {
				t.Fatalf("streamed call %+v, unary %+v", sc, call)
			}

			// Send the result back: the next turn is a text answer.
			next := forced(alias)
			next.ToolChoice = openai.ChatCompletionToolChoiceOptionUnionParam{}
			next.Messages = append(next.Messages, resp.Choices[0].Message.ToParam(), openai.ToolMessage(`{"temp": 18}`, call[0].ID))
			resp2, err := client.Chat.Completions.New(ctx, next)
			if err != nil {
				t.Fatal(err)
			}
			if resp2.Choices[0].Message.Content == "" || len(resp2.Choices[0].Message.ToolCalls) != 0 || resp2.Choices[0].FinishReason != "stop" {
				t.Fatalf("after the tool result: %s", resp2.RawJSON())
			}
			return toolResult{Name: call[0].Function.Name, Args: call[0].Function.Arguments, Finish: string(resp.Choices[0].FinishReason)}
		})
		sameForAll(t, "tool call", results)
	})

	t.Run("parallel tool calls, including one without parameters", func(t *testing.T) {
		results := perDialect(t, func(t *testing.T, alias string) string {
			resp, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
				Model:    alias,
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Call get_weather for Paris and get_time.")},
				Tools:    []openai.ChatCompletionToolUnionParam{weatherTool, timeTool},
			})
			if err != nil {
				t.Fatal(err)
			}
			calls := resp.Choices[0].Message.ToolCalls
			if len(calls) != 2 || calls[0].ID == calls[1].ID {
				t.Fatalf("response %s", resp.RawJSON())
			}
			if calls[1].Function.Name != "get_time" || calls[1].Function.Arguments != "{}" {
				t.Fatalf("parameterless call %+v", calls[1])
			}
			// Both results go back in one turn.
			msgs := []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Call get_weather for Paris and get_time."), resp.Choices[0].Message.ToParam(),
				openai.ToolMessage(`{"temp": 18}`, calls[0].ID), openai.ToolMessage(`{"time": "noon"}`, calls[1].ID)}
			resp2, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: alias, Messages: msgs,
				Tools: []openai.ChatCompletionToolUnionParam{weatherTool, timeTool}})
			if err != nil {
				t.Fatal(err)
			}
			if resp2.Choices[0].Message.Content == "" {
				t.Fatalf("after the results: %s", resp2.RawJSON())
			}
			return calls[0].Function.Name + "," + calls[1].Function.Name
		})
		sameForAll(t, "calls", results)
	})

	t.Run("json schema output", func(t *testing.T) {
		schema := map[string]any{
			"type":                 "object",
			"properties":           map[string]any{"name": map[string]any{"type": "string"}, "age": map[string]any{"type": "integer", "minimum": 0}},
			"required":             []any{"name", "age"},
			"additionalProperties": false,
		}
		compiler := jsonschema.NewCompiler()
		if err := compiler.AddResource("person.json", schema); err != nil {
			t.Fatal(err)
		}
		validator, err := compiler.Compile("person.json")
		if err != nil {
			t.Fatal(err)
		}
		perDialect(t, func(t *testing.T, alias string) bool {
			resp, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
				Model:    alias,
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Describe a person.")},
				ResponseFormat: openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &openai.ResponseFormatJSONSchemaParam{
					JSONSchema: openai.ResponseFormatJSONSchemaJSONSchemaParam{Name: "person", Schema: schema, Strict: openai.Bool(true)}}},
			})
			if err != nil {
				t.Fatal(err)
			}
			var v any
			if err := json.Unmarshal([]byte(resp.Choices[0].Message.Content), &v); err != nil {
				t.Fatalf("not JSON: %q", resp.Choices[0].Message.Content)
			}
			if err := validator.Validate(v); err != nil {
				t.Fatalf("%q does not match the schema: %v", resp.Choices[0].Message.Content, err)
			}
			if resp.Choices[0].FinishReason != "stop" {
				t.Errorf("finish %s", resp.Choices[0].FinishReason)
			}
			return true
		})
	})
}

// Each error class, provoked in the upstream, reaches the caller the same way
// whatever the provider's own error format.
func TestProvidersErrorClasses(t *testing.T) {
	g := startGateway(t)
	_, secret := g.createKey(t, "providers-errors")
	cases := []struct {
		directive  string
		status     int
		code       string
		retryAfter string
		reason     switchboardv1.ErrorReason
		connect    connect.Code
	}{
		{"status=429 retry_after=2", 429, "", "2", switchboardv1.ErrorReason_ERROR_REASON_RATE_LIMITED, connect.CodeResourceExhausted},
		{"status=503", 503, "", "", switchboardv1.ErrorReason_ERROR_REASON_OVERLOADED, connect.CodeUnavailable},
		{"status=500", 502, "", "", switchboardv1.ErrorReason_ERROR_REASON_UPSTREAM, connect.CodeUnavailable},
		{"status=400 code=context_length_exceeded", 400, "context_length_exceeded", "", switchboardv1.ErrorReason_ERROR_REASON_CONTEXT_TOO_LONG, connect.CodeInvalidArgument},
		{"status=401", 502, "upstream_auth_failed", "", switchboardv1.ErrorReason_ERROR_REASON_UPSTREAM, connect.CodeUnavailable},
	}
	completion := switchboardv1connect.NewCompletionServiceClient(g.http1, g.url)
	for _, tc := range cases {
		t.Run(tc.directive, func(t *testing.T) {
			perDialect(t, func(t *testing.T, alias string) bool {
				body := `{"model":` + quote(alias) + `,"messages":[{"role":"user","content":"hi [[sim ` + tc.directive + `]]"}]}`
				resp := g.post(t, "/v1/chat/completions", secret, "application/json", body)
				e := expectError(t, resp, tc.status, errorTypeFor(tc.status), tc.code)
				if tc.retryAfter != "" && resp.Header.Get("Retry-After") != tc.retryAfter {
					t.Errorf("Retry-After %q, want %q", resp.Header.Get("Retry-After"), tc.retryAfter)
				}
				if strings.Contains(e.Error.Message, "sim-no-key-needed") {
					t.Errorf("message leaks the provider key: %q", e.Error.Message)
				}

				_, err := completion.Complete(context.Background(), authed(&switchboardv1.CompleteRequest{Model: alias, Messages: userMessage("hi [[sim " + tc.directive + "]]")}, secret))
				var ce *connect.Error
				if !errors.As(err, &ce) || ce.Code() != tc.connect {
					t.Fatalf("Connect error %v, want code %v", err, tc.connect)
				}
				details := ce.Details()
				if len(details) == 0 {
					t.Fatal("no error detail")
				}
				v, derr := details[0].Value()
				d, ok := v.(*switchboardv1.ErrorDetail)
				if derr != nil || !ok || d.GetReason() != tc.reason {
					t.Fatalf("detail %v, want reason %v", v, tc.reason)
				}
				g.stillServes(t, secret)
				return true
			})
		})
	}
}

func errorTypeFor(status int) string {
	switch status {
	case http.StatusTooManyRequests:
		return "rate_limit_error"
	case http.StatusBadRequest:
		return "invalid_request_error"
	}
	return "server_error"
}

// The proto API carries the same results, and a tool call streamed over it
// (argument deltas) assembles to the unary call on every provider.
func TestProvidersThroughConnect(t *testing.T) {
	g := startGateway(t)
	_, secret := g.createKey(t, "providers-connect")
	client := switchboardv1connect.NewCompletionServiceClient(g.h2c, g.url, connect.WithGRPC())
	ctx := context.Background()
	params := func() map[string]any {
		return map[string]any{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}, "required": []any{"city"}}
	}
	type call struct{ ID, Name, Args string }
	results := perDialect(t, func(t *testing.T, alias string) call {
		tool, err := toolProto("get_weather", params())
		if err != nil {
			t.Fatal(err)
		}
		req := &switchboardv1.CompleteRequest{
			Model:      alias,
			Messages:   userMessage("Weather in Rome? [[sim cached=3]]"),
			Tools:      []*switchboardv1.Tool{tool},
			ToolChoice: &switchboardv1.ToolChoice{Mode: switchboardv1.ToolChoice_MODE_FUNCTION, FunctionName: "get_weather"},
		}
		resp, err := client.Complete(ctx, authed(req, secret))
		if err != nil {
			t.Fatal(err)
		}
		choice := resp.Msg.GetChoices()[0]
		if choice.GetFinishReason() != switchboardv1.FinishReason_FINISH_REASON_TOOL_CALLS || len(choice.GetMessage().GetToolCalls()) != 1 {
			t.Fatalf("choice %v", choice)
		}
		u := resp.Msg.GetUsage()
		if u.GetCachedInputTokens() != 3 || u.GetInputTokens() < 3 || u.GetTotalTokens() != u.GetInputTokens()+u.GetOutputTokens() {
			t.Errorf("usage %v", u)
		}
		unary := choice.GetMessage().GetToolCalls()[0]

		sreq := &switchboardv1.StreamCompleteRequest{Model: req.Model, Messages: req.Messages, Tools: req.Tools, ToolChoice: req.ToolChoice}
		stream, err := client.StreamComplete(ctx, authed(sreq, secret))
		if err != nil {
			t.Fatal(err)
		}
		var got call
		var usage *switchboardv1.Usage
		for stream.Receive() {
			m := stream.Msg()
			for _, d := range m.GetToolCalls() {
				if d.GetId() != "" {
					got.ID = d.GetId()
				}
				if d.GetName() != "" {
					got.Name = d.GetName()
				}
				got.Args += d.GetArgumentsDelta()
			}
			if m.GetUsage() != nil {
				usage = m.GetUsage()
			}
		}
		if err := stream.Err(); err != nil {
			t.Fatal(err)
		}
		if got.ID != unary.GetId() || got.Name != unary.GetName() || got.Args != unary.GetArguments() {
			t.Fatalf("streamed %+v, unary %v", got, unary)
		}
		if usage == nil || usage.GetInputTokens() != u.GetInputTokens() || usage.GetOutputTokens() != u.GetOutputTokens() {
			t.Errorf("stream usage %v, unary %v", usage, u)
		}
		return call{Name: got.Name, Args: got.Args}
	})
	sameForAll(t, "tool call", results)
}

func toolProto(name string, schema map[string]any) (*switchboardv1.Tool, error) {
	s, err := structpb.NewStruct(schema)
	if err != nil {
		return nil, err
	}
	return &switchboardv1.Tool{Name: name, Parameters: s}, nil
}
