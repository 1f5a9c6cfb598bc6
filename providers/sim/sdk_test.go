package sim_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"

	"github.com/switchboard-gw/switchboard/providers/sim"
)

// The official OpenAI Go SDK is a demanding client: it must read every
// answer of the simulator as it reads the real API's.

func sdkClient(s *sim.Server) openai.Client {
	return openai.NewClient(
		option.WithBaseURL("http://sim/v1/"),
		option.WithAPIKey("sk-test"),
		option.WithHTTPClient(&http.Client{Transport: s.Transport()}),
		option.WithMaxRetries(0),
	)
}

func TestOfficialSDK(t *testing.T) {
	ctx := context.Background()
	client := sdkClient(sim.New(sim.Options{}))
	params := openai.ChatCompletionNewParams{
		Model:    "sim-chat",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Hello!")},
	}

	unary, err := client.Chat.Completions.New(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(unary.Choices[0].Message.Content, opening) || unary.Usage.CompletionTokens == 0 {
		t.Errorf("unary: %+v", unary)
	}

	params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	stream := client.Chat.Completions.NewStreaming(ctx, params)
	var acc openai.ChatCompletionAccumulator
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if got := acc.Choices[0].Message.Content; got != unary.Choices[0].Message.Content {
		t.Errorf("SDK accumulated %q, unary %q", got, unary.Choices[0].Message.Content)
	}
	if acc.Usage.TotalTokens != unary.Usage.TotalTokens {
		t.Errorf("stream usage %+v, unary %+v", acc.Usage, unary.Usage)
	}

	// Tools, streamed, accumulated by the SDK.
	params.Messages = []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Use get_weather.")}
	params.Tools = []openai.ChatCompletionToolUnionParam{openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
		Name:       "get_weather",
		Parameters: shared.FunctionParameters{"type": "object", "properties": map[string]any{"location": map[string]any{"type": "string"}}, "required": []string{"location"}},
	})}
	stream = client.Chat.Completions.NewStreaming(ctx, params)
	acc = openai.ChatCompletionAccumulator{}
	var finished []string
	for stream.Next() {
		acc.AddChunk(stream.Current())
		if tc, ok := acc.JustFinishedToolCall(); ok {
			finished = append(finished, tc.Name+" "+tc.Arguments)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if len(finished) != 1 || !strings.HasPrefix(finished[0], `get_weather {"location":`) || acc.Choices[0].FinishReason != "tool_calls" {
		t.Errorf("tool calls %q, finish %q", finished, acc.Choices[0].FinishReason)
	}

	// Embeddings, in the SDK's default encoding and as floats.
	for _, format := range []openai.EmbeddingNewParamsEncodingFormat{"", openai.EmbeddingNewParamsEncodingFormatFloat, openai.EmbeddingNewParamsEncodingFormatBase64} {
		emb, err := client.Embeddings.New(ctx, openai.EmbeddingNewParams{
			Model: "sim-embed", Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("hello")}, EncodingFormat: format,
		})
		if err != nil {
			t.Fatalf("encoding %q: %v", format, err)
		}
		if len(emb.Data) != 1 || emb.Usage.PromptTokens != 1 {
			t.Errorf("encoding %q: %d vectors, usage %+v", format, len(emb.Data), emb.Usage)
		} else if format != openai.EmbeddingNewParamsEncodingFormatBase64 && len(emb.Data[0].Embedding) != 1536 {
			t.Errorf("encoding %q: %d dims", format, len(emb.Data[0].Embedding))
		}
	}

	models, err := client.Models.List(ctx)
	if err != nil || len(models.Data) == 0 {
		t.Errorf("models: %v %v", models, err)
	}
}

func TestOfficialSDKErrors(t *testing.T) {
	ctx := context.Background()
	client := sdkClient(sim.New(sim.Options{}))
	_, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
		Model:    "sim-chat",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Hi [[sim status=429 retry_after=1]]")},
	})
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.Code != "rate_limit_exceeded" || apiErr.Type != "requests" {
		t.Errorf("429: %v", err)
	}

	stream := client.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{
		Model:    "sim-chat",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Hi [[sim disconnect_after=2]]")},
	})
	n := 0
	for stream.Next() {
		n++
	}
	if stream.Err() == nil || n != 2 {
		t.Errorf("a cut stream gave %d chunks and error %v", n, stream.Err())
	}

	stream = client.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{
		Model:    "sim-chat",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Hi [[sim error_after=2]]")},
	})
	for stream.Next() {
	}
	if stream.Err() == nil {
		t.Errorf("an in-stream error event was not reported by the SDK")
	}
}
