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

// CheckRef reports whether ref has a supported form, without resolving it.
// Literal secrets are refused so that no key is ever written into a
// configuration file by mistake.
func CheckRef(ref string) error {
	scheme, rest, ok := strings.Cut(ref, ":")
	if !ok || rest == "" {
		return fmt.Errorf("credential %q is not a reference: write env:VARIABLE_NAME", redact(ref))
	}
	switch scheme {
	case "env":
		return nil
	}
	return fmt.Errorf("unsupported credential scheme %q (want env:)", scheme)
}

// redact shows at most a short prefix of something that may be a secret.
func redact(s string) string {
	if len(s) <= 6 {
		return s
	}
	return s[:6] + "..."
}
