package e2e_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"

	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
	"github.com/switchboard-gw/switchboard/providers/sim"
)

// bedrockGateway runs the real gateway with a provider of kind bedrock
// whose endpoint is a simulator on a loopback port that checks every SigV4
// signature against its access key. The gateway finds that key where a
// gateway on AWS would: the AWS SDK's default chain, here the environment
// (never the instance metadata service). The alias "demo" is the same
// simulator through the OpenAI translator, to compare with.
func bedrockGateway(t *testing.T) (*routed, *sim.Server) {
	t.Helper()
	key := sim.AWSCredentials{AccessKeyID: "AKIAE2ETESTKEY000000", SecretAccessKey: "e2e-secret-access-key"}
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": key.AccessKeyID, "AWS_SECRET_ACCESS_KEY": key.SecretAccessKey, "AWS_SESSION_TOKEN": "",
		"AWS_PROFILE": "", "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI": "", "AWS_WEB_IDENTITY_TOKEN_FILE": "", "AWS_ROLE_ARN": "",
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
	} {
		t.Setenv(k, v)
	}
	s := sim.New(sim.Options{AWS: &key})
	upstream := httptest.NewServer(s)
	t.Cleanup(upstream.Close)
	r := startRouted(t, `
providers:
  aws:
    kind: bedrock
    bedrock: {region: us-west-2, endpoint: `+upstream.URL+`}
  sim: {kind: sim}
deployments:
  claude: {provider: aws, model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0"}
  demo: {provider: sim, model: sim-chat}
aliases:
  bedrock: {deployments: [claude]}
  demo: {deployments: [demo]}
`)
	return r, s
}

func TestBedrockThroughShim(t *testing.T) {
	r, upstream := bedrockGateway(t)
	client := r.sdk(r.secret)
	ctx := context.Background()
	ask := func(alias, text string, tools ...openai.ChatCompletionToolUnionParam) openai.ChatCompletionNewParams {
		return openai.ChatCompletionNewParams{Model: alias, Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(text)}, Tools: tools,
			StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}}
	}

	t.Run("text, unary and streamed, as the OpenAI dialect answers it", func(t *testing.T) {
		resp, err := client.Chat.Completions.New(ctx, ask("bedrock", "Tell me about gateways"))
		if err != nil {
			t.Fatal(err)
		}
		demo, err := client.Chat.Completions.New(ctx, ask("demo", "Tell me about gateways"))
		if err != nil {
			t.Fatal(err)
		}
		text := resp.Choices[0].Message.Content
		if text == "" || text != demo.Choices[0].Message.Content || resp.Choices[0].FinishReason != "stop" || resp.Model != "us.anthropic.claude-sonnet-4-5-20250929-v1:0" {
			t.Fatalf("bedrock %s\ndemo %s", resp.RawJSON(), demo.RawJSON())
		}
		stream := client.Chat.Completions.NewStreaming(ctx, ask("bedrock", "Tell me about gateways"))
		var acc openai.ChatCompletionAccumulator
		for stream.Next() {
			acc.AddChunk(stream.Current())
		}
		if err := stream.Err(); err != nil {
			t.Fatal(err)
		}
		if acc.Choices[0].Message.Content != text || acc.Usage.PromptTokens != resp.Usage.PromptTokens || acc.Usage.CompletionTokens != resp.Usage.CompletionTokens || acc.Usage.TotalTokens == 0 {
			t.Errorf("streamed %q %+v, unary %q %+v", acc.Choices[0].Message.Content, acc.Usage, text, resp.Usage)
		}
	})

	t.Run("parallel tool calls streamed, results sent back", func(t *testing.T) {
		params := ask("bedrock", "Call get_weather for Paris and get_time.", weatherTool, timeTool)
		stream := client.Chat.Completions.NewStreaming(ctx, params)
		var acc openai.ChatCompletionAccumulator
		argDeltas := 0
		for stream.Next() {
			c := stream.Current()
			acc.AddChunk(c)
			for _, ch := range c.Choices {
				for _, tc := range ch.Delta.ToolCalls {
					if tc.Function.Arguments != "" {
						argDeltas++
					}
				}
			}
		}
		if err := stream.Err(); err != nil {
			t.Fatal(err)
		}
		calls := acc.Choices[0].Message.ToolCalls
		if len(calls) != 2 || calls[0].Function.Name != "get_weather" || calls[1].Function.Name != "get_time" || calls[1].Function.Arguments != "{}" ||
			!strings.HasPrefix(calls[0].ID, "tooluse_") || acc.Choices[0].FinishReason != "tool_calls" || argDeltas < 3 {
			t.Fatalf("streamed calls %+v (finish %q, %d argument deltas)", calls, acc.Choices[0].FinishReason, argDeltas)
		}
		var args map[string]any
		if err := json.Unmarshal([]byte(calls[0].Function.Arguments), &args); err != nil || args["city"] == nil {
			t.Fatalf("arguments %q", calls[0].Function.Arguments)
		}
		unary, err := client.Chat.Completions.New(ctx, params)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range unary.Choices[0].Message.ToolCalls {
			if c.ID != calls[i].ID || c.Function.Arguments != calls[i].Function.Arguments {
				t.Errorf("unary call %d %+v, streamed %+v", i, c, calls[i])
			}
		}
		params.Messages = append(params.Messages, acc.Choices[0].Message.ToParam(),
			openai.ToolMessage(`{"temp": 18}`, calls[0].ID), openai.ToolMessage(`{"time": "noon"}`, calls[1].ID))
		final, err := client.Chat.Completions.New(ctx, params)
		if err != nil {
			t.Fatal(err)
		}
		if got := final.Choices[0].Message.Content; !strings.Contains(got, `get_weather returned {"temp": 18}`) || !strings.Contains(got, `get_time returned {"time": "noon"}`) {
			t.Errorf("after the results: %s", final.RawJSON())
		}
	})

	// Every call so far reached the simulator signed and was answered.
	before := upstream.Served()
	if before.Requests < 5 || before.Errors != 0 {
		t.Errorf("upstream served %+v", before)
	}

	t.Run("throttling is a rate limit", func(t *testing.T) {
		resp := r.post(t, "/v1/chat/completions", r.secret, "application/json", chatBody("bedrock", "hi [[sim status=429 retry_after=1]]", false))
		expectError(t, resp, http.StatusTooManyRequests, "rate_limit_error", "")
		if resp.Header.Get("Retry-After") != "1" {
			t.Errorf("Retry-After %q", resp.Header.Get("Retry-After"))
		}
		// The router may retry a rate limit; every attempt was a 429.
		after := upstream.Served()
		if n := after.Requests - before.Requests; n == 0 || after.Errors-before.Errors != n {
			t.Errorf("upstream served %+v, before %+v", after, before)
		}
	})
}

// The proto API over Connect: a forced tool call with cached input tokens,
// unary and streamed (argument deltas assembled), the same.
func TestBedrockThroughConnect(t *testing.T) {
	r, _ := bedrockGateway(t)
	client := switchboardv1connect.NewCompletionServiceClient(r.http1, r.url)
	ctx := context.Background()
	tool, err := toolProto("get_weather", map[string]any{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}, "required": []any{"city"}})
	if err != nil {
		t.Fatal(err)
	}
	req := &switchboardv1.CompleteRequest{
		Model:      "bedrock",
		Messages:   userMessage("Weather in Rome? [[sim cached=3]]"),
		Tools:      []*switchboardv1.Tool{tool},
		ToolChoice: &switchboardv1.ToolChoice{Mode: switchboardv1.ToolChoice_MODE_FUNCTION, FunctionName: "get_weather"},
	}
	resp, err := client.Complete(ctx, authed(req, r.secret))
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
	stream, err := client.StreamComplete(ctx, authed(&switchboardv1.StreamCompleteRequest{Model: req.Model, Messages: req.Messages, Tools: req.Tools, ToolChoice: req.ToolChoice}, r.secret))
	if err != nil {
		t.Fatal(err)
	}
	var id, name, args string
	var usage *switchboardv1.Usage
	for stream.Receive() {
		m := stream.Msg()
		for _, d := range m.GetToolCalls() {
			if d.GetId() != "" {
				id = d.GetId()
			}
			if d.GetName() != "" {
				name = d.GetName()
			}
			args += d.GetArgumentsDelta()
		}
		if m.GetUsage() != nil {
			usage = m.GetUsage()
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if id != unary.GetId() || name != "get_weather" || args != unary.GetArguments() {
		t.Fatalf("streamed %s %s %s, unary %v", id, name, args, unary)
	}
	if usage == nil || usage.GetCachedInputTokens() != 3 || usage.GetInputTokens() != u.GetInputTokens() || usage.GetOutputTokens() != u.GetOutputTokens() {
		t.Errorf("stream usage %v, unary %v", usage, u)
	}
}
