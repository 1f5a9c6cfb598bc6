package e2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"
)

// sdk returns the official OpenAI Go SDK pointed at the gateway, without
// retries so failures are seen as they are.
func (g *gw) sdk(key string) openai.Client {
	return openai.NewClient(
		option.WithBaseURL(g.url+"/v1/"),
		option.WithAPIKey(key),
		option.WithHTTPClient(g.http1),
		option.WithMaxRetries(0),
	)
}

func chatParams(text string) openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{
		Model:    "demo",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(text)},
	}
}

func TestOpenAISDK(t *testing.T) {
	g := startGateway(t)
	_, secret := g.createKey(t, "sdk-e2e")
	client := g.sdk(secret)
	ctx := context.Background()

	var unaryText string
	t.Run("non-streaming", func(t *testing.T) {
		resp, err := client.Chat.Completions.New(ctx, chatParams("Say hello."))
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Choices) != 1 || resp.Choices[0].Message.Content == "" || resp.Choices[0].FinishReason != "stop" {
			t.Fatalf("response %s", resp.RawJSON())
		}
		if resp.Usage.PromptTokens == 0 || resp.Usage.CompletionTokens == 0 || resp.Usage.TotalTokens != resp.Usage.PromptTokens+resp.Usage.CompletionTokens {
			t.Fatalf("usage %s", resp.Usage.RawJSON())
		}
		unaryText = resp.Choices[0].Message.Content
	})

	t.Run("streaming with include_usage", func(t *testing.T) {
		params := chatParams("Say hello.")
		params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
		stream := client.Chat.Completions.NewStreaming(ctx, params)
		var acc openai.ChatCompletionAccumulator
		chunks, usageChunks := 0, 0
		for stream.Next() {
			c := stream.Current()
			acc.AddChunk(c)
			chunks++
			if c.JSON.Usage.Valid() && c.Usage.TotalTokens > 0 {
				usageChunks++
				if len(c.Choices) != 0 {
					t.Fatalf("usage chunk with choices: %s", c.RawJSON())
				}
			}
		}
		if err := stream.Err(); err != nil {
			t.Fatal(err)
		}
		if chunks < 3 || usageChunks != 1 || acc.Usage.CompletionTokens == 0 {
			t.Fatalf("%d chunks, %d with usage, accumulated usage %+v", chunks, usageChunks, acc.Usage)
		}
		if got := acc.Choices[0].Message.Content; got == "" || (unaryText != "" && got != unaryText) {
			t.Fatalf("streamed %q, unary %q", got, unaryText)
		}
		if acc.Choices[0].FinishReason != "stop" {
			t.Fatalf("finish reason %q", acc.Choices[0].FinishReason)
		}
	})

	t.Run("forced tool call", func(t *testing.T) {
		params := chatParams("What is the weather in Oslo?")
		params.Tools = []openai.ChatCompletionToolUnionParam{openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
			Name:        "get_weather",
			Description: openai.String("Current weather in a city"),
			Parameters: shared.FunctionParameters{
				"type": "object",
				"properties": map[string]any{
					"city":  map[string]any{"type": "string"},
					"units": map[string]any{"type": "string", "enum": []string{"metric", "imperial"}},
				},
				"required":             []string{"city", "units"},
				"additionalProperties": false,
			},
		})}
		params.ToolChoice = openai.ToolChoiceOptionFunctionToolChoice(openai.ChatCompletionNamedToolChoiceFunctionParam{Name: "get_weather"})
		resp, err := client.Chat.Completions.New(ctx, params)
		if err != nil {
			t.Fatal(err)
		}
		calls := resp.Choices[0].Message.ToolCalls
		if len(calls) != 1 || calls[0].Function.Name != "get_weather" || calls[0].ID == "" || resp.Choices[0].FinishReason != "tool_calls" {
			t.Fatalf("response %s", resp.RawJSON())
		}
		var args struct {
			City  string `json:"city"`
			Units string `json:"units"`
		}
		if err := json.Unmarshal([]byte(calls[0].Function.Arguments), &args); err != nil || args.City == "" || (args.Units != "metric" && args.Units != "imperial") {
			t.Fatalf("arguments %q do not match the schema (%v)", calls[0].Function.Arguments, err)
		}

		// And streamed: the argument deltas add up to the same JSON.
		stream := client.Chat.Completions.NewStreaming(ctx, params)
		var acc openai.ChatCompletionAccumulator
		for stream.Next() {
			acc.AddChunk(stream.Current())
		}
		if err := stream.Err(); err != nil {
			t.Fatal(err)
		}
		sc := acc.Choices[0].Message.ToolCalls
		if len(sc) != 1 || sc[0].Function.Name != "get_weather" || !json.Valid([]byte(sc[0].Function.Arguments)) {
			t.Fatalf("streamed tool calls %+v", sc)
		}
	})

	t.Run("json_schema", func(t *testing.T) {
		params := chatParams("Describe a cat.")
		params.ResponseFormat = openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
			JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{
				Name:   "animal",
				Strict: openai.Bool(true),
				Schema: map[string]any{
					"type": "object",
					"properties": map[string]any{
						"name": map[string]any{"type": "string"},
						"legs": map[string]any{"type": "integer"},
					},
					"required":             []string{"name", "legs"},
					"additionalProperties": false,
				},
			},
		}}
		resp, err := client.Chat.Completions.New(ctx, params)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		if err := json.Unmarshal([]byte(resp.Choices[0].Message.Content), &out); err != nil {
			t.Fatalf("content %q is not JSON: %v", resp.Choices[0].Message.Content, err)
		}
		if _, ok := out["name"].(string); !ok {
			t.Fatalf("content %v lacks a string name", out)
		}
		if legs, ok := out["legs"].(float64); !ok || legs != float64(int64(legs)) {
			t.Fatalf("content %v lacks integer legs", out)
		}
		if len(out) != 2 {
			t.Fatalf("content %v has extra properties", out)
		}
	})

	t.Run("embeddings", func(t *testing.T) {
		resp, err := client.Embeddings.New(ctx, openai.EmbeddingNewParams{
			Model: "demo",
			Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"first", "second"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Data) != 2 || len(resp.Data[0].Embedding) == 0 || resp.Data[1].Index != 1 || resp.Usage.PromptTokens == 0 {
			t.Fatalf("embeddings: %d vectors, usage %+v", len(resp.Data), resp.Usage)
		}
		// The SDK asks for base64 by default when no format is given and
		// decodes it; ask for floats explicitly as well.
		resp, err = client.Embeddings.New(ctx, openai.EmbeddingNewParams{
			Model:          "demo",
			Input:          openai.EmbeddingNewParamsInputUnion{OfString: openai.String("third")},
			EncodingFormat: openai.EmbeddingNewParamsEncodingFormatFloat,
		})
		if err != nil || len(resp.Data) != 1 || len(resp.Data[0].Embedding) == 0 {
			t.Fatalf("float embeddings: %v %v", resp, err)
		}
	})

	t.Run("models", func(t *testing.T) {
		page, err := client.Models.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, m := range page.Data {
			found = found || m.ID == "demo"
		}
		if !found {
			t.Fatalf("models %s lack demo", page.RawJSON())
		}
		m, err := client.Models.Get(ctx, "demo")
		if err != nil || m.ID != "demo" {
			t.Fatalf("Models.Get: %v %v", m, err)
		}
	})
}

// apiError returns the SDK's error, failing the test if err is not one.
func apiError(t *testing.T, err error) *openai.Error {
	t.Helper()
	var e *openai.Error
	if !errors.As(err, &e) {
		t.Fatalf("not an API error: %v", err)
	}
	return e
}

func TestOpenAISDKErrors(t *testing.T) {
	g := startGateway(t)
	_, secret := g.createKey(t, "sdk-errors")
	client := g.sdk(secret)
	ctx := context.Background()

	_, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
		Model: "no-such-model", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
	})
	if e := apiError(t, err); e.StatusCode != 404 || e.Code != "model_not_found" {
		t.Fatalf("unknown model: %d %s", e.StatusCode, e.RawJSON())
	}

	bad := g.sdk("sk-sb-not-a-real-key")
	_, err = bad.Chat.Completions.New(ctx, chatParams("hi"))
	if e := apiError(t, err); e.StatusCode != 401 || e.Type != "authentication_error" {
		t.Fatalf("bad key: %d %s", e.StatusCode, e.RawJSON())
	}

	// A stream cut by the provider ends in an error, not a clean end.
	stream := client.Chat.Completions.NewStreaming(ctx, chatParams("Tell a long story. [[sim disconnect_after=2]]"))
	n := 0
	for stream.Next() {
		n++
	}
	if stream.Err() == nil || !strings.Contains(stream.Err().Error(), "error") {
		t.Fatalf("cut stream: %d chunks then %v", n, stream.Err())
	}

	if _, err := client.Chat.Completions.New(ctx, chatParams("hi")); err != nil {
		t.Fatalf("after errors: %v", err)
	}
}
