package azure_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/azure"
)

func TestCompleteOnADeployment(t *testing.T) {
	f := newFixture(t)
	p := f.provider(t, azure.Config{})
	resp, err := p.Complete(context.Background(), userRequest("gpt4o-prod", `[[sim reply="hello from azure"]] hi`))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Choices[0].Message.Text() != "hello from azure" || resp.Choices[0].FinishReason != llm.FinishStop ||
		resp.Provider != "azure" || resp.Model != "gpt4o-prod" || resp.Usage.InputTokens == 0 {
		t.Fatalf("response %+v", resp)
	}
	r := f.last(t)
	if r.URL.Path != "/openai/deployments/gpt4o-prod/chat/completions" || r.URL.Query().Get("api-version") != azure.DefaultAPIVersion {
		t.Errorf("URL %s", r.URL)
	}
	if r.Header.Get("Api-Key") != testKey || r.Header.Get("Authorization") != "" {
		t.Errorf("credentials: api-key %q, authorization %q", r.Header.Get("Api-Key"), r.Header.Get("Authorization"))
	}
}

func TestBearerTokenAndV1Route(t *testing.T) {
	f := newFixture(t)
	calls := 0
	p := f.provider(t, azure.Config{Route: azure.RouteV1, Auth: azure.AuthBearer,
		Credential: func(context.Context) (string, error) { calls++; return testKey, nil }})
	resp, err := p.Complete(context.Background(), userRequest("gpt4o", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Model != "gpt4o" {
		t.Errorf("model %q", resp.Model)
	}
	r := f.last(t)
	if r.URL.Path != "/openai/v1/chat/completions" || r.URL.RawQuery != "" {
		t.Errorf("URL %s", r.URL)
	}
	if r.Header.Get("Authorization") != "Bearer "+testKey || r.Header.Get("Api-Key") != "" || calls != 1 {
		t.Errorf("credentials: authorization %q, api-key %q, %d credential reads", r.Header.Get("Authorization"), r.Header.Get("Api-Key"), calls)
	}
	body, _ := io.ReadAll(r.Body)
	var wr struct{ Model string }
	if json.Unmarshal(body, &wr) != nil || wr.Model != "gpt4o" {
		t.Errorf("the v1 route names the deployment in the body: %s", body)
	}
}

// The stream starts with Azure's prompt-filter preamble and carries
// content-filter results in every chunk: none of it reaches the caller as
// an empty chunk, and the tool call assembles like the unary one.
func TestStreamWithToolCalls(t *testing.T) {
	f := newFixture(t)
	p := f.provider(t, azure.Config{})
	req := userRequest("gpt4o-prod", "What is the weather in Paris? Use get_weather.")
	req.Tools = []llm.Tool{{Name: "get_weather", Parameters: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`)}}
	unary, err := p.Complete(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	s, err := p.Stream(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	chunks, err := collect(t, s)
	if err != nil {
		t.Fatal(err)
	}
	var acc llm.Accumulator
	for _, c := range chunks {
		acc.Add(c)
	}
	got := acc.Response()
	uc, sc := unary.Choices[0].Message.ToolCalls, got.Choices[0].Message.ToolCalls
	if len(uc) != 1 || len(sc) != 1 || uc[0] != sc[0] || got.Choices[0].FinishReason != llm.FinishToolCalls {
		t.Fatalf("streamed %+v, unary %+v", got.Choices[0], unary.Choices[0])
	}
	if got.Usage != unary.Usage {
		t.Errorf("stream usage %+v, unary %+v", got.Usage, unary.Usage)
	}
}

func TestContentFilter(t *testing.T) {
	f := newFixture(t)
	p := f.provider(t, azure.Config{})
	ctx := context.Background()

	t.Run("prompt rejected", func(t *testing.T) {
		for _, directive := range []string{"content_filter=prompt", "status=400 code=content_filter"} {
			_, err := p.Complete(ctx, userRequest("gpt4o-prod", "something bad [[sim "+directive+"]]"))
			e := asError(t, err)
			if e.Kind != llm.KindContentFiltered || e.Status != http.StatusBadRequest || e.Code != "content_filter" ||
				!strings.Contains(e.Message, "content management policy") {
				t.Fatalf("%s: %+v", directive, e)
			}
			_, err = p.Stream(ctx, userRequest("gpt4o-prod", "something bad [[sim "+directive+"]]"))
			if k := llm.KindOf(err); k != llm.KindContentFiltered {
				t.Fatalf("stream %s: %v", directive, err)
			}
		}
	})
	t.Run("output cut", func(t *testing.T) {
		req := userRequest("gpt4o-prod", `[[sim content_filter=output reply="one two three four five six"]] go`)
		resp, err := p.Complete(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		c := resp.Choices[0]
		if c.FinishReason != llm.FinishContentFilter || c.RawFinishReason != "content_filter" || c.Message.Text() != "one two three" {
			t.Fatalf("choice %+v", c)
		}
		s, err := p.Stream(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		streamed, err := llm.Collect(s)
		if err != nil {
			t.Fatal(err)
		}
		if sc := streamed.Choices[0]; sc.FinishReason != llm.FinishContentFilter || sc.Message.Text() != "one two three" {
			t.Fatalf("streamed choice %+v", sc)
		}
	})
}

// Azure's own error envelope is classified by status, with the
// retry-after-ms and retry-after headers read.
func TestAzureErrors(t *testing.T) {
	f := newFixture(t)
	p := f.provider(t, azure.Config{})
	cases := []struct {
		directive  string
		kind       llm.Kind
		code       string
		retryAfter time.Duration
		message    string
	}{
		{"status=429 retry_after=1500ms", llm.KindRateLimited, "429", 1500 * time.Millisecond, "exceeded token rate limit"},
		{"status=429", llm.KindRateLimited, "429", time.Second, ""},
		{"status=404", llm.KindNotFound, "DeploymentNotFound", 0, "The API deployment for this resource does not exist"},
		{"status=401", llm.KindUnauthenticated, "401", 0, "rejected the gateway's credentials"},
		{"status=403", llm.KindPermissionDenied, "403", 0, ""},
		{"status=503", llm.KindOverloaded, "ServiceUnavailable", 0, ""},
		{"status=504", llm.KindTimeout, "Timeout", 0, ""},
		{"status=500", llm.KindUpstream, "", 0, ""},
		{"status=400 code=context_length_exceeded", llm.KindContextTooLong, "context_length_exceeded", 0, "maximum context length"},
	}
	for _, c := range cases {
		t.Run(c.directive, func(t *testing.T) {
			_, err := p.Complete(context.Background(), userRequest("gpt4o-prod", "hi [[sim "+c.directive+"]]"))
			e := asError(t, err)
			if e.Kind != c.kind || e.Code != c.code || e.RetryAfter != c.retryAfter || !strings.Contains(e.Message, c.message) || e.Provider != "azure" {
				t.Fatalf("got %+v", e)
			}
		})
	}
}

func TestWrongKey(t *testing.T) {
	f := newFixture(t)
	p := f.provider(t, azure.Config{APIKey: "wrong-key-abcdefghijklmnop"})
	_, err := p.Complete(context.Background(), userRequest("gpt4o-prod", "hi"))
	e := asError(t, err)
	if e.Kind != llm.KindUnauthenticated || e.Status != http.StatusUnauthorized {
		t.Fatalf("%+v", e)
	}
	if strings.Contains(e.Error(), "wrong-key") {
		t.Errorf("the error shows the key: %v", e)
	}
	// A missing api-version is Azure's 404: the gateway always sends one on
	// deployment URLs, so only a hand-made request meets it.
	resp, err := f.client.Post(simEndpoint+"/openai/deployments/d/chat/completions", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("without api-version: %d", resp.StatusCode)
	}
}

func TestEmbeddings(t *testing.T) {
	f := newFixture(t)
	p := f.provider(t, azure.Config{})
	resp, err := p.Embed(context.Background(), &llm.EmbedRequest{Model: "embed-small", Inputs: []string{"one", "two"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Embeddings) != 2 || len(resp.Embeddings[0]) == 0 || resp.Usage.InputTokens == 0 {
		t.Fatalf("response %+v", resp)
	}
	if r := f.last(t); r.URL.Path != "/openai/deployments/embed-small/embeddings" || r.URL.Query().Get("api-version") == "" {
		t.Errorf("URL %s", r.URL)
	}
}
