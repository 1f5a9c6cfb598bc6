package config_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/gateway/config"
)

const bedrockBase = `
providers:
  aws:
    kind: bedrock
    bedrock:
      region: us-east-1
      access_key_id: env:AWS_KEY_ID
      secret_access_key: env:AWS_SECRET
deployments:
  claude: {provider: aws, model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0"}
aliases:
  claude: {deployments: [claude]}
`

var bedrockEnv = env("AWS_KEY_ID", "AKIAEXAMPLE", "AWS_SECRET", "secret", "AWS_TOKEN", "token")

func TestBedrockProviderConfig(t *testing.T) {
	cfg, err := config.Parse([]byte(bedrockBase), bedrockEnv)
	if err != nil {
		t.Fatal(err)
	}
	b := cfg.Providers["aws"].Bedrock
	if cfg.Providers["aws"].Kind != config.KindBedrock || b.Region != "us-east-1" || b.AccessKeyID != "env:AWS_KEY_ID" {
		t.Fatalf("provider = %+v", cfg.Providers["aws"])
	}
	// The default chain, with or without a profile; an endpoint; a sim
	// provider reached through the bedrock dialect.
	for _, ok := range []string{
		strings.Replace(bedrockBase, "      access_key_id: env:AWS_KEY_ID\n      secret_access_key: env:AWS_SECRET\n", "", 1),
		strings.Replace(bedrockBase, "      access_key_id: env:AWS_KEY_ID\n      secret_access_key: env:AWS_SECRET\n", "      profile: prod\n", 1),
		strings.Replace(bedrockBase, "region: us-east-1", "region: us-gov-west-1\n      endpoint: https://vpce-1.bedrock-runtime.us-gov-west-1.vpce.amazonaws.com\n      session_token: env:AWS_TOKEN", 1),
		"providers:\n  s: {kind: sim, dialect: bedrock}\n",
	} {
		if _, err := config.Parse([]byte(ok), bedrockEnv); err != nil {
			t.Errorf("%v\n%s", err, ok)
		}
	}
}

// Each mistake names its field.
func TestBedrockConfigErrorsNameTheField(t *testing.T) {
	replace := func(old, new string) string { return strings.Replace(bedrockBase, old, new, 1) }
	for _, tc := range []struct{ yaml, field string }{
		{replace("    bedrock:\n      region: us-east-1\n      access_key_id: env:AWS_KEY_ID\n      secret_access_key: env:AWS_SECRET\n", ""), "providers.aws.bedrock"},
		{replace("region: us-east-1", "region: \"\""), "providers.aws.bedrock.region"},
		{replace("region: us-east-1", "region: Virginia"), "providers.aws.bedrock.region"},
		{replace("region: us-east-1", "region: us-east-1\n      endpoint: bedrock.local"), "providers.aws.bedrock.endpoint"},
		{replace("    kind: bedrock", "    kind: bedrock\n    base_url: https://example.com"), "providers.aws.base_url"},
		{replace("    kind: bedrock", "    kind: bedrock\n    api_key: env:AWS_KEY_ID"), "providers.aws.api_key"},
		{replace("    kind: bedrock", "    kind: bedrock\n    auth: bearer"), "providers.aws.auth"},
		{replace("    kind: bedrock", "    kind: bedrock\n    vendor: openai"), "providers.aws.vendor"},
		{replace("      secret_access_key: env:AWS_SECRET\n", ""), "providers.aws.bedrock.secret_access_key"},
		{replace("      access_key_id: env:AWS_KEY_ID\n", ""), "providers.aws.bedrock.access_key_id"},
		{replace("      access_key_id: env:AWS_KEY_ID\n      secret_access_key: env:AWS_SECRET\n", "      session_token: env:AWS_TOKEN\n"), "providers.aws.bedrock.session_token"},
		{replace("region: us-east-1", "region: us-east-1\n      profile: prod"), "providers.aws.bedrock.profile"},
		{replace("env:AWS_SECRET", "wJalrXUtnFEMI/K7MDENG"), "providers.aws.bedrock.secret_access_key"},
		{replace("env:AWS_SECRET", "env:NOT_SET"), "providers.aws.bedrock.secret_access_key"},
		{replace("env:AWS_SECRET", "vault:secret/data/aws#secret"), "providers.aws.bedrock.secret_access_key"},
		{replace("    kind: bedrock", "    kind: openai\n    vendor: openai"), "providers.aws.bedrock"},
		{replace("claude: {provider: aws,", "claude: {api_keys: [env:AWS_KEY_ID], provider: aws,"), "deployments.claude.api_keys"},
	} {
		_, err := config.Parse([]byte(tc.yaml), bedrockEnv)
		var fe *config.FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field {
			t.Errorf("want an error on %s, got %v\n%s", tc.field, err, tc.yaml)
		} else if strings.Contains(err.Error(), "wJalrXUtnFEMI") {
			t.Errorf("the error shows the secret: %v", err)
		}
	}
}

// Bedrock's vault: references open Vault like any provider key.
func TestBedrockVaultReferencesUseVault(t *testing.T) {
	yaml := strings.Replace(bedrockBase, "env:AWS_SECRET", "vault:secret/data/aws#secret", 1)
	cfg, err := config.Parse([]byte(yaml), env("AWS_KEY_ID", "AKIAEXAMPLE", "VAULT_ADDR", "http://127.0.0.1:8200", "VAULT_TOKEN", "t"))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.UsesVault() {
		t.Error("UsesVault is false")
	}
}
