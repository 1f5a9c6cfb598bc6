package vault

import (
	"fmt"
	"strings"

	"github.com/switchboard-gw/switchboard/secrets"
)

// Ref is a parsed "vault:PATH#FIELD" reference.
type Ref struct {
	// Path is the Vault API path, e.g. "secret/data/switchboard/openai".
	Path string
	// Field is the key inside the secret, e.g. "api_key".
	Field string
}

// ParseRef parses "vault:secret/data/switchboard/openai#api_key".
func ParseRef(ref string) (Ref, error) {
	if secrets.Scheme(ref) != secrets.SchemeVault {
		return Ref{}, fmt.Errorf("vault: %q is not a vault: reference", ref)
	}
	if err := secrets.CheckRef(ref); err != nil {
		return Ref{}, err
	}
	rest := strings.TrimPrefix(ref, secrets.SchemeVault+":")
	path, field, _ := strings.Cut(rest, "#")
	return Ref{Path: strings.Trim(path, "/"), Field: field}, nil
}

// String returns the reference in its configuration form.
func (r Ref) String() string { return secrets.SchemeVault + ":" + r.Path + "#" + r.Field }
