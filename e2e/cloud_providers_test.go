package e2e_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/openai/openai-go/v3"

	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
	"github.com/switchboard-gw/switchboard/providers/sim"
)

// The cloud providers end to end: Azure OpenAI (resource key on deployment
// URLs, and an Entra ID bearer token on the v1 route) and Gemini on Vertex
// AI (OAuth2 tokens minted from a service-account key file), each a real
// translator talking to the simulator over TCP, behind the real gateway and
// server, called by the OpenAI SDK and the Connect client.

const (
	cloudAzureKey = "azure-e2e-key-0123456789"
	cloudAccount  = "switchboard-e2e@proj.iam.gserviceaccount.com"
)

var cloudAliases = []string{"azure", "azure-v1", "vertex"}

type cloudGateway struct {
	*routed
	upstream *sim.Server
}

func startCloud(t *testing.T) *cloudGateway {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048) // made now: no key is committed
	if err != nil {
		t.Fatal(err)
	}
	up := sim.New(sim.Options{APIKey: cloudAzureKey, GoogleServiceAccounts: map[string]*rsa.PublicKey{cloudAccount: &key.PublicKey}})
	srv := httptest.NewServer(up)
	t.Cleanup(srv.Close)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyFile, _ := json.Marshal(map[string]string{"type": "service_account", "project_id": "proj", "private_key_id": "e2e",
		"private_key": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), "client_email": cloudAccount,
		"token_uri": srv.URL + "/token"})
	keyPath := filepath.Join(t.TempDir(), "service-account.json")
	if err := os.WriteFile(keyPath, keyFile, 0o600); err != nil {
		t.Fatal(err)
	}
	yml := `
defaults: {demo: false}
providers:
  azure:
    kind: azure
    api_key: env:AZURE_OPENAI_API_KEY
    azure:
      endpoint: ` + srv.URL + `
  azure-v1:
    kind: azure
    azure:
      endpoint: ` + srv.URL + `
      route: v1
      bearer_token: env:AZURE_ENTRA_TOKEN
  vertex:
    kind: vertex
    vertex:
      location: us-central1
      service_account_file: ` + keyPath + `
      endpoint: ` + srv.URL + `
deployments:
  azure-gpt:    {provider: azure, model: gpt4o-prod}
  azure-v1-gpt: {provider: azure-v1, model: gpt4o}
  vertex-flash: {provider: vertex, model: gemini-2.5-flash}
routing:
  retry: {max_retries: 0}     # failures reach the caller as they are, at once
aliases:
  azure:    {deployments: [azure-gpt]}
  azure-v1: {deployments: [azure-v1-gpt]}
  vertex:   {deployments: [vertex-flash]}
`
	env := map[string]string{"AZURE_OPENAI_API_KEY": cloudAzureKey, "AZURE_ENTRA_TOKEN": cloudAzureKey}
	r := startRoutedEnv(t, yml, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	return &cloudGateway{routed: r, upstream: up}
}

func TestCloudProvidersThroughShim(t *testing.T) {
	g := startCloud(t)
	client := g.sdk(g.secret)
	ctx := context.Background()
	for _, alias := range cloudAliases {
		t.Run(alias, func(t *testing.T) {
			resp, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: alias,
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(`[[sim reply="hello from the cloud"]] hi`)}})
			if err != nil {
				t.Fatal(err)
			}
			if resp.Choices[0].Message.Content != "hello from the cloud" || resp.Choices[0].FinishReason != "stop" || resp.Usage.PromptTokens == 0 {
				t.Fatalf("response %s", resp.RawJSON())
			}

			// A forced tool call, streamed: the deltas assemble to the unary call.
			params := openai.ChatCompletionNewParams{
				Model:      alias,
				Messages:   []openai.ChatCompletionMessageParamUnion{openai.UserMessage("What is the weather in Paris?")},
				Tools:      []openai.ChatCompletionToolUnionParam{weatherTool},
				ToolChoice: openai.ToolChoiceOptionFunctionToolChoice(openai.ChatCompletionNamedToolChoiceFunctionParam{Name: "get_weather"}),
			}
			unary, err := client.Chat.Completions.New(ctx, params)
			if err != nil {
				t.Fatal(err)
			}
			calls := unary.Choices[0].Message.ToolCalls
			if len(calls) != 1 || unary.Choices[0].FinishReason != "tool_calls" {
				t.Fatalf("unary %s", unary.RawJSON())
			}
			stream := client.Chat.Completions.NewStreaming(ctx, params)
			var acc openai.ChatCompletionAccumulator
			for stream.Next() {
				acc.AddChunk(stream.Current())
			}
			if err := stream.Err(); err != nil {
				t.Fatal(err)
			}
			sc := acc.Choices[0].Message.ToolCalls
			if len(sc) != 1 || sc[0].ID != calls[0].ID || sc[0].Function.Name != "get_weather" || sc[0].Function.Arguments != calls[0].Function.Arguments {
				t.Fatalf("streamed %+v, unary %+v", sc, calls)
			}

			// The result goes back; the answer is text.
			next := params
			next.ToolChoice = openai.ChatCompletionToolChoiceOptionUnionParam{}
			next.Messages = append(next.Messages, unary.Choices[0].Message.ToParam(), openai.ToolMessage(`{"temp": 18}`, calls[0].ID))
			resp2, err := client.Chat.Completions.New(ctx, next)
			if err != nil {
				t.Fatal(err)
			}
			if resp2.Choices[0].Message.Content == "" || resp2.Choices[0].FinishReason != "stop" {
				t.Fatalf("after the result: %s", resp2.RawJSON())
			}
		})
	}
	// Vertex minted one access token for all of it.
	if n := g.upstream.Served().AccessTokens; n != 1 {
		t.Errorf("%d access tokens minted, want 1", n)
	}
}

func TestCloudProvidersThroughConnect(t *testing.T) {
	g := startCloud(t)
	client := switchboardv1connect.NewCompletionServiceClient(g.h2c, g.url, connect.WithGRPC())
	ctx := context.Background()
	for _, alias := range cloudAliases {
		t.Run(alias, func(t *testing.T) {
			tool, err := toolProto("get_weather", map[string]any{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}, "required": []any{"city"}})
			if err != nil {
				t.Fatal(err)
			}
			req := &switchboardv1.CompleteRequest{Model: alias, Messages: userMessage("Weather in Rome?"), Tools: []*switchboardv1.Tool{tool},
				ToolChoice: &switchboardv1.ToolChoice{Mode: switchboardv1.ToolChoice_MODE_FUNCTION, FunctionName: "get_weather"}}
			resp, err := client.Complete(ctx, authed(req, g.secret))
			if err != nil {
				t.Fatal(err)
			}
			choice := resp.Msg.GetChoices()[0]
			if choice.GetFinishReason() != switchboardv1.FinishReason_FINISH_REASON_TOOL_CALLS || len(choice.GetMessage().GetToolCalls()) != 1 {
				t.Fatalf("choice %v", choice)
			}
			unary := choice.GetMessage().GetToolCalls()[0]
			stream, err := client.StreamComplete(ctx, authed(&switchboardv1.StreamCompleteRequest{Model: alias, Messages: req.Messages, Tools: req.Tools, ToolChoice: req.ToolChoice}, g.secret))
			if err != nil {
				t.Fatal(err)
			}
			var id, name, args string
			var usage *switchboardv1.Usage
			for stream.Receive() {
				for _, d := range stream.Msg().GetToolCalls() {
					id, name = id+d.GetId(), name+d.GetName()
					args += d.GetArgumentsDelta()
				}
				if u := stream.Msg().GetUsage(); u != nil {
					usage = u
				}
			}
			if err := stream.Err(); err != nil {
				t.Fatal(err)
			}
			if id != unary.GetId() || name != unary.GetName() || args != unary.GetArguments() {
				t.Fatalf("streamed %s %s %s, unary %v", id, name, args, unary)
			}
			if u := resp.Msg.GetUsage(); usage == nil || usage.GetInputTokens() != u.GetInputTokens() || usage.GetOutputTokens() != u.GetOutputTokens() {
				t.Errorf("stream usage %v, unary %v", usage, u)
			}
		})
	}
}

// Azure's content filter and errors reach callers as the gateway's own
// error classes; a revoked Vertex token costs the caller nothing.
func TestCloudProviderFailures(t *testing.T) {
	g := startCloud(t)
	t.Run("azure prompt filter", func(t *testing.T) {
		resp := g.shimChat(t, "azure", "something bad [[sim content_filter=prompt]]", false)
		e := expectError(t, resp, http.StatusBadRequest, "invalid_request_error", "content_filter")
		if !strings.Contains(e.Error.Message, "content management policy") {
			t.Errorf("message %q", e.Error.Message)
		}
		completion := switchboardv1connect.NewCompletionServiceClient(g.http1, g.url)
		_, err := completion.Complete(context.Background(), authed(&switchboardv1.CompleteRequest{Model: "azure", Messages: userMessage("bad [[sim content_filter=prompt]]")}, g.secret))
		var ce *connect.Error
		if !errors.As(err, &ce) || ce.Code() != connect.CodeInvalidArgument {
			t.Fatalf("Connect error %v", err)
		}
	})
	t.Run("azure output filter", func(t *testing.T) {
		resp := g.shimChat(t, "azure", `[[sim content_filter=output reply="one two three four"]] go`, true)
		events, done := readSSE(t, resp.Body)
		resp.Body.Close()
		var text strings.Builder
		finish := ""
		for _, ev := range events {
			for _, c := range ev.chunk.Choices {
				text.WriteString(c.Delta.Content)
				if c.FinishReason != nil {
					finish = *c.FinishReason
				}
			}
		}
		if !done || finish != "content_filter" || text.String() != "one two" {
			t.Fatalf("stream: %q finish %q done %v", text.String(), finish, done)
		}
	})
	t.Run("azure rate limit", func(t *testing.T) {
		resp := g.shimChat(t, "azure", "hi [[sim status=429 retry_after=2]]", false)
		expectError(t, resp, http.StatusTooManyRequests, "rate_limit_error", "")
		if resp.Header.Get("Retry-After") != "2" {
			t.Errorf("Retry-After %q", resp.Header.Get("Retry-After"))
		}
	})
	t.Run("vertex revoked token", func(t *testing.T) {
		resp := g.shimChat(t, "vertex", "hi", false)
		resp.Body.Close()
		before := g.upstream.Served().AccessTokens
		g.upstream.RevokeAccessTokens()
		resp = g.shimChat(t, "vertex", "hi again", false)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("after revocation: %d", resp.StatusCode)
		}
		if n := g.upstream.Served().AccessTokens - before; n != 1 {
			t.Errorf("%d tokens minted after the revocation, want 1", n)
		}
	})
}
