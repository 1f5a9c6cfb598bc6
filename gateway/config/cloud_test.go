package config_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/gateway/config"
)

const cloudYAML = `
providers:
  azure-east:
    kind: azure
    api_key: env:AZURE_KEY
    azure:
      endpoint: https://my-resource.openai.azure.com
      api_version: 2025-04-01-preview
  azure-entra:
    kind: azure
    azure:
      endpoint: https://other.openai.azure.com
      route: v1
      bearer_token: env:AZURE_TOKEN
  vertex:
    kind: vertex
    vertex:
      project: my-project
      location: us-central1
      service_account_file: /etc/switchboard/sa.json
  vertex-global:
    kind: vertex
    vertex:
      location: global
      credentials: env:GCP_SA_JSON
      endpoint: http://127.0.0.1:9000
      token_uri: http://127.0.0.1:9000/token
deployments:
  gpt4o-east:
    provider: azure-east
    model: gpt4o-prod
  flash:
    provider: vertex
    model: gemini-2.5-flash
aliases:
  chat:
    deployments: [gpt4o-east, flash]
`

var cloudEnv = env("AZURE_KEY", "k", "AZURE_TOKEN", "t", "GCP_SA_JSON", "{}")

func TestAzureAndVertexProviders(t *testing.T) {
	cfg, err := config.Parse([]byte(cloudYAML), cloudEnv)
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.Providers["azure-east"]
	if a.Kind != config.KindAzure || a.Azure.Endpoint != "https://my-resource.openai.azure.com" || a.Azure.APIVersion != "2025-04-01-preview" {
		t.Errorf("azure-east %+v %+v", a, a.Azure)
	}
	if e := cfg.Providers["azure-entra"].Azure; e.Route != config.AzureRouteV1 || e.BearerToken != "env:AZURE_TOKEN" {
		t.Errorf("azure-entra %+v", e)
	}
	v := cfg.Providers["vertex"]
	if v.Kind != config.KindVertex || v.Vertex.Project != "my-project" || v.Vertex.Location != "us-central1" || v.Vertex.ServiceAccountFile == "" {
		t.Errorf("vertex %+v %+v", v, v.Vertex)
	}
	if g := cfg.Providers["vertex-global"].Vertex; g.Credentials != "env:GCP_SA_JSON" || g.TokenURI == "" {
		t.Errorf("vertex-global %+v", g)
	}
}

func TestAzureAndVertexFieldErrors(t *testing.T) {
	cases := []struct {
		old, new, field string
	}{
		{"      endpoint: https://my-resource.openai.azure.com\n", "", "providers.azure-east.azure.endpoint"},
		{"https://my-resource.openai.azure.com", "my-resource.openai.azure.com", "providers.azure-east.azure.endpoint"},
		{"https://my-resource.openai.azure.com", "https://my-resource.openai.azure.com/openai/deployments/x", "providers.azure-east.azure.endpoint"},
		{"api_version: 2025-04-01-preview", "api_version: 2025/04/01", "providers.azure-east.azure.api_version"},
		{"route: v1", "route: legacy", "providers.azure-entra.azure.route"},
		{"    api_key: env:AZURE_KEY\n", "", "providers.azure-east.api_key"},
		{"      bearer_token: env:AZURE_TOKEN", "      bearer_token: literal-token", "providers.azure-entra.azure.bearer_token"},
		{"      bearer_token: env:AZURE_TOKEN", "      bearer_token: env:MISSING", "providers.azure-entra.azure.bearer_token"},
		{"    kind: azure\n    api_key: env:AZURE_KEY\n    azure:", "    kind: azure\n    api_key: env:AZURE_KEY\n    auth: bearer\n    azure:", "providers.azure-east.auth"},
		{"    kind: azure\n    api_key: env:AZURE_KEY\n    azure:", "    kind: azure\n    api_key: env:AZURE_KEY\n    base_url: https://x.example\n    azure:", "providers.azure-east.base_url"},
		{"    kind: azure\n    azure:\n      endpoint: https://other", "    kind: azure\n    api_key: env:AZURE_KEY\n    azure:\n      endpoint: https://other", "providers.azure-entra.azure.bearer_token"},
		{"    kind: azure\n    api_key: env:AZURE_KEY\n    azure:\n      endpoint: https://my-resource.openai.azure.com\n      api_version: 2025-04-01-preview\n", "    kind: azure\n    api_key: env:AZURE_KEY\n", "providers.azure-east.azure"},
		{"      location: us-central1\n", "", "providers.vertex.vertex.location"},
		{"location: us-central1", "location: US Central", "providers.vertex.vertex.location"},
		{"project: my-project", "project: My/Project", "providers.vertex.vertex.project"},
		{"      service_account_file: /etc/switchboard/sa.json\n", "", "providers.vertex.vertex.service_account_file"},
		{"      service_account_file: /etc/switchboard/sa.json\n", "      service_account_file: /etc/switchboard/sa.json\n      credentials: env:GCP_SA_JSON\n", "providers.vertex.vertex.credentials"},
		{"credentials: env:GCP_SA_JSON", "credentials: '{\"type\": \"service_account\"}'", "providers.vertex-global.vertex.credentials"},
		{"token_uri: http://127.0.0.1:9000/token", "token_uri: 127.0.0.1/token", "providers.vertex-global.vertex.token_uri"},
		{"    kind: vertex\n    vertex:\n      project", "    kind: vertex\n    api_key: env:AZURE_KEY\n    vertex:\n      project", "providers.vertex.api_key"},
		{"    kind: vertex\n    vertex:\n      project", "    kind: openai\n    vertex:\n      project", "providers.vertex.vertex"},
		{"    model: gpt4o-prod\n", "    model: gpt4o-prod\n  flash-pool:\n    provider: vertex\n    model: gemini-2.5-flash\n    api_keys: [env:AZURE_KEY]\n", "deployments.flash-pool.api_keys"},
	}
	for _, c := range cases {
		t.Run(c.field, func(t *testing.T) {
			if !strings.Contains(cloudYAML, c.old) {
				t.Fatalf("the YAML has no %q", c.old)
			}
			_, err := config.Parse([]byte(strings.Replace(cloudYAML, c.old, c.new, 1)), cloudEnv)
			var fe *config.FieldError
			if !errors.As(err, &fe) || fe.Field != c.field {
				t.Fatalf("error %v, want one naming %s", err, c.field)
			}
		})
	}
}
