package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/gateway/config"
)

const vaultProvider = `
providers:
  openai:
    kind: openai
    api_key: vault:secret/data/switchboard/openai#api_key
`

func TestVaultSectionIsParsedWithEnvironmentDefaults(t *testing.T) {
	cfg, err := config.Parse([]byte(`
secrets:
  vault:
    cache_ttl: 2m
    max_staleness: 30m
    tls: {ca_cert: /etc/vault/ca.pem}
`+vaultProvider), env("VAULT_ADDR", "https://vault.internal:8200", "VAULT_TOKEN", "hvs.x", "VAULT_NAMESPACE", "team-a"))
	if err != nil {
		t.Fatal(err)
	}
	v := cfg.VaultSettings()
	if v == nil || v.Address != "https://vault.internal:8200" || v.Token != "env:VAULT_TOKEN" || v.Namespace != "team-a" {
		t.Fatalf("settings = %+v", v)
	}
	if v.CacheTTL != 2*time.Minute || v.MaxStaleness != 30*time.Minute || v.TLS.CACert != "/etc/vault/ca.pem" {
		t.Errorf("settings = %+v", v)
	}
	if !cfg.UsesVault() || !cfg.VaultExplicit() {
		t.Error("UsesVault/VaultExplicit = false")
	}
	if strings.Contains(v.String(), "hvs.x") {
		t.Error("String() shows the token")
	}
}

func TestVaultFromEnvironmentAlone(t *testing.T) {
	cfg, err := config.Parse([]byte(vaultProvider), env("VAULT_ADDR", "http://127.0.0.1:8200", "VAULT_TOKEN", "hvs.x"))
	if err != nil {
		t.Fatal(err)
	}
	if v := cfg.VaultSettings(); v == nil || v.Address != "http://127.0.0.1:8200" || cfg.VaultExplicit() {
		t.Fatalf("settings = %+v", v)
	}
}

func TestAppRoleDefaultsToEnvironmentReferences(t *testing.T) {
	cfg, err := config.Parse([]byte(`
secrets:
  vault:
    address: http://127.0.0.1:8200
    approle: {}
`+vaultProvider), env("VAULT_ROLE_ID", "r", "VAULT_SECRET_ID", "s"))
	if err != nil {
		t.Fatal(err)
	}
	v := cfg.VaultSettings()
	if v.AppRole == nil || v.AppRole.RoleID != "env:VAULT_ROLE_ID" || v.AppRole.SecretID != "env:VAULT_SECRET_ID" || v.Token != "" {
		t.Fatalf("settings = %+v (approle %+v)", v, v.AppRole)
	}
}

func TestVaultConfigErrorsNameTheField(t *testing.T) {
	for name, tc := range map[string]struct {
		yaml string
		env  []string
		want string
	}{
		"vault reference without Vault": {
			yaml: vaultProvider,
			want: "providers.openai.api_key: vault:secret/data/switchboard/openai#api_key is a vault: reference, but Vault is not configured",
		},
		"reference without a field": {
			yaml: "providers:\n  openai: {kind: openai, api_key: 'vault:secret/data/switchboard/openai'}\n",
			env:  []string{"VAULT_ADDR", "http://127.0.0.1:8200", "VAULT_TOKEN", "t"},
			want: "providers.openai.api_key: vault reference",
		},
		"no address": {
			yaml: "secrets:\n  vault: {token: env:VAULT_TOKEN}\n",
			env:  []string{"VAULT_TOKEN", "t"},
			want: "secrets.vault.address: is required (or set VAULT_ADDR)",
		},
		"address not a URL": {
			yaml: "secrets:\n  vault: {address: 'vault:8200'}\n",
			env:  []string{"VAULT_TOKEN", "t"},
			want: "secrets.vault.address: want an http(s) URL",
		},
		"token variable unset": {
			yaml: "secrets:\n  vault: {address: 'http://127.0.0.1:8200'}\n",
			want: "secrets.vault.token: environment variable VAULT_TOKEN is not set",
		},
		"literal token": {
			yaml: "secrets:\n  vault: {address: 'http://127.0.0.1:8200', token: hvs.literal}\n",
			want: "secrets.vault.token: want an env: reference",
		},
		"token and approle": {
			yaml: "secrets:\n  vault: {address: 'http://127.0.0.1:8200', token: env:T, approle: {}}\n",
			env:  []string{"T", "t"},
			want: "secrets.vault: set either token or approle, not both",
		},
		"secret_id unset": {
			yaml: "secrets:\n  vault: {address: 'http://127.0.0.1:8200', approle: {role_id: env:R}}\n",
			env:  []string{"R", "r"},
			want: "secrets.vault.approle.secret_id: environment variable VAULT_SECRET_ID is not set",
		},
		"negative duration": {
			yaml: "secrets:\n  vault: {address: 'http://127.0.0.1:8200', max_staleness: -1s}\n",
			env:  []string{"VAULT_TOKEN", "t"},
			want: "secrets.vault.max_staleness: must not be negative",
		},
		"misspelt field": {
			yaml: "secrets:\n  vault: {adress: 'http://127.0.0.1:8200'}\n",
			want: "adress",
		},
	} {
		_, err := config.Parse([]byte(tc.yaml), env(tc.env...))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
}

func TestEnvironmentReferencesStayTheDefault(t *testing.T) {
	cfg, err := config.Parse([]byte("providers:\n  openai: {kind: openai, api_key: env:OPENAI_API_KEY}\n"),
		env("OPENAI_API_KEY", "sk-x", "VAULT_ADDR", "http://127.0.0.1:8200"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.UsesVault() {
		t.Error("UsesVault with env references only")
	}
}
