package gateway_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/gateway"
	"github.com/switchboard-gw/switchboard/gateway/config"
	"github.com/switchboard-gw/switchboard/llm"
)

func newGateway(t *testing.T) *gateway.Gateway {
	t.Helper()
	cfg, err := config.Load("", func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	gw, err := gateway.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return gw
}

var anyKey = &auth.Principal{KeyID: "key_test", KeyName: "test"}

func userReq(model, text string) *llm.Request {
	return &llm.Request{Model: model, Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart(text)}}}}
}

func TestDemoAnswersThroughSimulator(t *testing.T) {
	gw := newGateway(t)
	resp, err := gw.Complete(context.Background(), anyKey, userReq("demo", "hello there"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Provider != "sim" || resp.Deployment != "demo" {
		t.Errorf("served by %s/%s", resp.Provider, resp.Deployment)
	}
	if len(resp.Choices) != 1 || resp.Choices[0].Message.Text() == "" || resp.Choices[0].FinishReason != llm.FinishStop {
		t.Fatalf("choices = %+v", resp.Choices)
	}
	if resp.Usage.InputTokens == 0 || resp.Usage.OutputTokens == 0 {
		t.Errorf("usage = %+v", resp.Usage)
	}
}

func TestStreamEqualsUnary(t *testing.T) {
	gw := newGateway(t)
	unary, err := gw.Complete(context.Background(), anyKey, userReq("demo", "tell me about gateways"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := gw.Stream(context.Background(), anyKey, userReq("demo", "tell me about gateways"))
	if err != nil {
		t.Fatal(err)
	}
	streamed, err := llm.Collect(s)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := streamed.Choices[0].Message.Text(), unary.Choices[0].Message.Text(); got != want {
		t.Errorf("streamed %q, unary %q", got, want)
	}
	if streamed.Usage != unary.Usage {
		t.Errorf("streamed usage %+v, unary %+v", streamed.Usage, unary.Usage)
	}
	if streamed.Deployment != "demo" {
		t.Errorf("stream deployment %q", streamed.Deployment)
	}
}

func TestForcedToolCallRoundTrip(t *testing.T) {
	gw := newGateway(t)
	req := userReq("demo", "what is the weather in Paris?")
	req.Tools = []llm.Tool{{Name: "get_weather", Parameters: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}`)}}
	req.ToolChoice = &llm.ToolChoice{Mode: llm.ToolChoiceFunction, Name: "get_weather"}
	resp, err := gw.Complete(context.Background(), anyKey, req)
	if err != nil {
		t.Fatal(err)
	}
	calls := resp.Choices[0].Message.ToolCalls
	if len(calls) != 1 || calls[0].Name != "get_weather" || calls[0].ID == "" || resp.Choices[0].FinishReason != llm.FinishToolCalls {
		t.Fatalf("calls = %+v finish %s", calls, resp.Choices[0].FinishReason)
	}
	var args map[string]any
	if err := json.Unmarshal([]byte(calls[0].Arguments), &args); err != nil {
		t.Fatalf("arguments %q: %v", calls[0].Arguments, err)
	}
	if _, ok := args["city"].(string); !ok {
		t.Errorf("arguments %v lack city", args)
	}
	// Send the result back: the answer is text.
	req.Messages = append(req.Messages,
		llm.Message{Role: llm.RoleAssistant, ToolCalls: calls},
		llm.Message{Role: llm.RoleTool, ToolCallID: calls[0].ID, Parts: []llm.Part{llm.TextPart(`{"temp_c": 18}`)}})
	req.ToolChoice = nil
	resp, err = gw.Complete(context.Background(), anyKey, req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Choices[0].Message.Text() == "" || len(resp.Choices[0].Message.ToolCalls) != 0 {
		t.Errorf("after tool result: %+v", resp.Choices[0].Message)
	}
}

func TestScopeIsEnforced(t *testing.T) {
	gw := newGateway(t)
	scoped := &auth.Principal{KeyID: "key_scoped", AllowedModels: []string{"other"}}
	_, err := gw.Complete(context.Background(), scoped, userReq("demo", "hi"))
	if llm.KindOf(err) != llm.KindPermissionDenied {
		t.Fatalf("err = %v", err)
	}
	if _, err := gw.Stream(context.Background(), scoped, userReq("demo", "hi")); llm.KindOf(err) != llm.KindPermissionDenied {
		t.Fatalf("stream err = %v", err)
	}
	models, err := gw.ListModels(context.Background(), scoped)
	if err != nil || len(models) != 0 {
		t.Fatalf("scoped models = %v, %v", models, err)
	}
	models, _ = gw.ListModels(context.Background(), anyKey)
	if len(models) != 3 || models[0].ID != "demo" {
		t.Fatalf("models = %v", models)
	}
}

func TestNoPrincipalIsUnauthenticated(t *testing.T) {
	gw := newGateway(t)
	if _, err := gw.Complete(context.Background(), nil, userReq("demo", "hi")); llm.KindOf(err) != llm.KindUnauthenticated {
		t.Fatalf("err = %v", err)
	}
}

func TestInvalidRequests(t *testing.T) {
	gw := newGateway(t)
	cases := map[string]*llm.Request{
		"no messages": {Model: "demo"},
		"bad role":    {Model: "demo", Messages: []llm.Message{{Role: "robot"}}},
		"tool no id":  {Model: "demo", Messages: []llm.Message{{Role: llm.RoleTool, Parts: []llm.Part{llm.TextPart("x")}}}},
		"choice without tool": func() *llm.Request {
			r := userReq("demo", "x")
			r.ToolChoice = &llm.ToolChoice{Mode: llm.ToolChoiceFunction, Name: "ghost"}
			return r
		}(),
	}
	for name, r := range cases {
		if _, err := gw.Complete(context.Background(), anyKey, r); llm.KindOf(err) != llm.KindInvalidRequest {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if _, err := gw.Complete(context.Background(), anyKey, userReq("missing-model", "x")); llm.KindOf(err) != llm.KindNotFound {
		t.Errorf("unknown model: err = %v", err)
	}
}

func TestUpstreamFailureIsClassified(t *testing.T) {
	gw := newGateway(t)
	_, err := gw.Complete(context.Background(), anyKey, userReq("demo", "hi [[sim status=429 retry_after=3]]"))
	var e *llm.Error
	if llm.KindOf(err) != llm.KindRateLimited {
		t.Fatalf("err = %v", err)
	}
	e = llm.AsError(err)
	if e.Provider != "sim" || e.RetryAfter.Seconds() != 3 {
		t.Errorf("error = %+v", e)
	}
}

func TestEmbed(t *testing.T) {
	gw := newGateway(t)
	resp, err := gw.Embed(context.Background(), anyKey, &llm.EmbedRequest{Model: "demo", Inputs: []string{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Embeddings) != 2 || len(resp.Embeddings[0]) == 0 || resp.Usage.InputTokens == 0 {
		t.Fatalf("embeddings: %d vectors, usage %+v", len(resp.Embeddings), resp.Usage)
	}
}
