package secrets_test

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/secrets"
)

func TestCheckRefAcceptsEnvAndVault(t *testing.T) {
	for _, ref := range []string{
		"env:OPENAI_API_KEY",
		"vault:secret/data/switchboard/openai#api_key",
		"vault:kv/switchboard/openai#key",
	} {
		if err := secrets.CheckRef(ref); err != nil {
			t.Errorf("CheckRef(%q) = %v", ref, err)
		}
	}
}

func TestCheckRefExplainsWhatIsWrong(t *testing.T) {
	for ref, want := range map[string]string{
		"sk-live-0123456789":               "is not a reference",
		"file:/etc/key":                    `unsupported credential scheme "file"`,
		"vault:secret/data/switchboard/x":  "names no field",
		"vault:secret/data/switchboard/x#": "names no field",
		"vault:#api_key":                   "names no path",
		"vault:secret/data/x#a/b":          "must be a plain key",
	} {
		err := secrets.CheckRef(ref)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckRef(%q) = %v, want %q", ref, err, want)
		}
	}
	if err := secrets.CheckRef("sk-live-0123456789"); strings.Contains(err.Error(), "0123456789") {
		t.Errorf("error shows a literal secret: %v", err)
	}
}

func TestSchemesDispatchAndReportUnconfiguredScheme(t *testing.T) {
	s := secrets.Schemes{secrets.SchemeEnv: secrets.Env{LookupEnv: lookup(map[string]string{"K": "value-1"})}}
	v, err := s.Resolve(context.Background(), "env:K")
	if err != nil || v != "value-1" {
		t.Fatalf("Resolve = %q, %v", v, err)
	}
	_, err = s.Resolve(context.Background(), "vault:secret/data/x#k")
	if err == nil || !strings.Contains(err.Error(), "vault: references are not configured") {
		t.Fatalf("vault without a resolver: %v", err)
	}
	if s.Refreshable("env:K") {
		t.Error("env references do not cache, so they are not refreshable")
	}
}

func TestCredentialRefreshReportsWhetherTheValueChanged(t *testing.T) {
	vars := map[string]string{"KEY": "first"}
	c := secrets.NewCredential(secrets.Env{LookupEnv: lookup(vars)}, "env:KEY")
	if v, err := c.Get(context.Background()); err != nil || v != "first" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	if changed, err := c.Refresh(context.Background()); err != nil || changed {
		t.Fatalf("Refresh without a change = %v, %v", changed, err)
	}
	vars["KEY"] = "second"
	if changed, err := c.Refresh(context.Background()); err != nil || !changed {
		t.Fatalf("Refresh after a change = %v, %v", changed, err)
	}
	if strings.Contains(c.String(), "second") || c.String() != "credential env:KEY" {
		t.Errorf("String() = %q", c.String())
	}
}

func lookup(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}
