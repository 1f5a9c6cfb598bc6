package vault_test

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/secrets/vault"
)

func TestNewRejectsIncompleteConfig(t *testing.T) {
	for want, cfg := range map[string]vault.Config{
		"no address":                 {Token: "t"},
		"not an http(s) URL":         {Address: "vault.internal:8200", Token: "t"},
		"no credentials":             {Address: "http://127.0.0.1:1"},
		"not both":                   {Address: "http://127.0.0.1:1", Token: "t", AppRole: &vault.AppRole{RoleID: "r", SecretID: "s"}},
		"needs both a role ID":       {Address: "http://127.0.0.1:1", AppRole: &vault.AppRole{RoleID: "r"}},
		"client_cert and client_key": {Address: "http://127.0.0.1:1", Token: "t", TLS: vault.TLS{ClientCert: "c.pem"}},
	} {
		_, err := vault.New(context.Background(), cfg)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: %v, want %q", cfg, err, want)
		}
	}
}

func TestUnreachableVaultFailsAtStart(t *testing.T) {
	_, err := vault.New(context.Background(), vault.Config{Address: "http://127.0.0.1:1", Token: "hvs.not-shown"})
	if err == nil || strings.Contains(err.Error(), "not-shown") {
		t.Fatalf("New = %v", err)
	}
}

func TestParseRef(t *testing.T) {
	r, err := vault.ParseRef("vault:secret/data/switchboard/openai#api_key")
	if err != nil || r.Path != "secret/data/switchboard/openai" || r.Field != "api_key" {
		t.Fatalf("ParseRef = %+v, %v", r, err)
	}
	if r.String() != "vault:secret/data/switchboard/openai#api_key" {
		t.Errorf("String() = %q", r.String())
	}
	if _, err := vault.ParseRef("env:X"); err == nil {
		t.Error("an env: reference parsed as a vault: one")
	}
}
