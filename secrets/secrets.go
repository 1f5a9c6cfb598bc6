package secrets

import (
	"context"
	"fmt"
	"strings"
)

// Resolver turns a credential reference into its value.
type Resolver interface {
	Resolve(ctx context.Context, ref string) (string, error)
}

// Invalidator is implemented by resolvers that cache values: Invalidate
// makes the next Resolve of ref read the source again, for example after
// the upstream rejected the cached value as no longer valid.
type Invalidator interface {
	Invalidate(ref string)
}

// Env resolves "env:NAME" references through a lookup function
// (os.LookupEnv in production).
type Env struct {
	LookupEnv func(string) (string, bool)
}

// Resolve returns the value of the environment variable named by ref.
func (e Env) Resolve(_ context.Context, ref string) (string, error) {
	name, ok := strings.CutPrefix(ref, "env:")
	if !ok {
		return "", fmt.Errorf("unsupported credential reference %q (want env:NAME)", redact(ref))
	}
	if name == "" {
		return "", fmt.Errorf("credential reference %q names no variable", ref)
	}
	v, ok := e.LookupEnv(name)
	if !ok || v == "" {
		return "", fmt.Errorf("environment variable %s is not set", name)
	}
	return v, nil
}

// Reference schemes.
const (
	SchemeEnv   = "env"
	SchemeVault = "vault"
)

// Scheme returns the scheme of a reference ("env", "vault"), or "" when
// ref has none.
func Scheme(ref string) string {
	scheme, _, ok := strings.Cut(ref, ":")
	if !ok {
		return ""
	}
	return scheme
}

// CheckRef reports whether ref has a supported form, without resolving it.
// Literal secrets are refused so that no key is ever written into a
// configuration file by mistake.
func CheckRef(ref string) error {
	scheme, rest, ok := strings.Cut(ref, ":")
	if !ok || rest == "" {
		return fmt.Errorf("credential %q is not a reference: write env:VARIABLE_NAME or vault:PATH#FIELD", redact(ref))
	}
	switch scheme {
	case SchemeEnv:
		return nil
	case SchemeVault:
		return checkVaultRef(rest)
	}
	return fmt.Errorf("unsupported credential scheme %q (want env: or vault:)", redact(scheme))
}

// checkVaultRef checks the part of a vault: reference after the scheme:
// an API path and a field, "secret/data/switchboard/openai#api_key".
func checkVaultRef(rest string) error {
	path, field, ok := strings.Cut(rest, "#")
	switch {
	case !ok || field == "":
		return fmt.Errorf("vault reference %q names no field: write vault:PATH#FIELD, e.g. vault:secret/data/switchboard/openai#api_key", "vault:"+rest)
	case strings.Trim(path, "/") == "":
		return fmt.Errorf("vault reference %q names no path", "vault:"+rest)
	case strings.ContainsAny(field, "#/ "):
		return fmt.Errorf("vault reference %q: the field %q must be a plain key of the secret", "vault:"+rest, field)
	}
	return nil
}

// redact shows at most a short prefix of something that may be a secret.
func redact(s string) string {
	if len(s) <= 6 {
		return s
	}
	return s[:6] + "..."
}
