package azure_test

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/azure"
)

func TestURLs(t *testing.T) {
	cases := []struct {
		cfg        azure.Config
		deployment string
		want       string
	}{
		{azure.Config{Endpoint: "https://res.openai.azure.com"}, "gpt4o-prod",
			"https://res.openai.azure.com/openai/deployments/gpt4o-prod/chat/completions?api-version=" + azure.DefaultAPIVersion},
		{azure.Config{Endpoint: "https://res.openai.azure.com/", APIVersion: "2025-04-01-preview"}, "o4-mini",
			"https://res.openai.azure.com/openai/deployments/o4-mini/chat/completions?api-version=2025-04-01-preview"},
		{azure.Config{Endpoint: "https://apim.example.com/aoai", Route: azure.RouteV1}, "gpt4o",
			"https://apim.example.com/aoai/openai/v1/chat/completions"},
		{azure.Config{Endpoint: "https://res.cognitiveservices.azure.com", Route: azure.RouteV1, APIVersion: "preview"}, "gpt4o",
			"https://res.cognitiveservices.azure.com/openai/v1/chat/completions?api-version=preview"},
	}
	for _, c := range cases {
		c.cfg.Name, c.cfg.APIKey = "azure", "k"
		p, err := azure.New(c.cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.ChatURL(c.deployment); got != c.want {
			t.Errorf("ChatURL(%q) = %q, want %q", c.deployment, got, c.want)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	cases := []struct {
		cfg  azure.Config
		want string
	}{
		{azure.Config{Endpoint: "https://r.openai.azure.com", APIKey: "k"}, "Name is required"},
		{azure.Config{Name: "a", Endpoint: "r.openai.azure.com", APIKey: "k"}, "absolute http(s) URL"},
		{azure.Config{Name: "a", Endpoint: "https://r.openai.azure.com/openai/deployments/x", APIKey: "k"}, "without /openai"},
		{azure.Config{Name: "a", Endpoint: "https://r.openai.azure.com?api-version=1", APIKey: "k"}, "must not have a query"},
		{azure.Config{Name: "a", Endpoint: "https://r.openai.azure.com"}, "APIKey or Config.Credential"},
		{azure.Config{Name: "a", Endpoint: "https://r.openai.azure.com", APIKey: "k", APIVersion: "2024-10-21&x=1"}, "APIVersion"},
		{azure.Config{Name: "a", Endpoint: "https://r.openai.azure.com", APIKey: "k", MaxTokensField: "max"}, "MaxTokensField"},
		{azure.Config{Name: "a", Endpoint: "https://r.openai.azure.com", APIKey: "k", Headers: map[string]string{"bad header": "v"}}, "header"},
	}
	for _, c := range cases {
		if _, err := azure.New(c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%+v): %v, want an error mentioning %q", c.cfg.Endpoint, err, c.want)
		}
	}
}

// The model is the deployment name, a URL path element: nothing else gets
// into the path, and nothing is sent.
func TestDeploymentNameIsChecked(t *testing.T) {
	f := newFixture(t)
	p := f.provider(t, azure.Config{})
	for _, bad := range []string{"", "a/b", "..", "x?api-version=1", "dep name", strings.Repeat("d", 65)} {
		_, err := p.Complete(context.Background(), userRequest(bad, "hi"))
		if e := asError(t, err); e.Kind != llm.KindInvalidRequest || e.Param != "model" {
			t.Errorf("deployment %q: %+v", bad, e)
		}
	}
	if n := f.count(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}
