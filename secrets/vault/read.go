package vault

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hashicorp/vault/api"
)

// Errors a Resolve can be tested against with errors.Is. They mean the
// configuration names something Vault does not hold, so no stale value is
// served in their place.
var (
	ErrNotFound = errors.New("secret not found")
	ErrNoField  = errors.New("field not found")
)

// lookupError is a secret or field Vault does not hold: its message is
// complete as it is, and errors.Is matches its kind.
type lookupError struct {
	msg  string
	kind error
}

func (e *lookupError) Error() string        { return e.msg }
func (e *lookupError) Is(target error) bool { return target == e.kind }

func notFound(format string, args ...any) error {
	return &lookupError{msg: fmt.Sprintf(format, args...), kind: ErrNotFound}
}

// unavailableError is a read that failed for a reason that may pass (Vault
// unreachable, sealed, refusing the token): the last good value may stand
// in for a while.
type unavailableError struct {
	path  string
	cause error
}

func (e *unavailableError) Error() string {
	return fmt.Sprintf("vault: reading %s: %s", e.path, describe(e.cause))
}

func (e *unavailableError) Unwrap() error { return e.cause }

// readFields reads the secret at path and returns its fields. For KV
// version 2 those are under "data", beside "metadata"; for KV version 1 and
// other engines they are the response data itself.
func readFields(ctx context.Context, client *api.Client, path string) (map[string]any, error) {
	s, err := client.Logical().ReadWithContext(ctx, path)
	if err != nil {
		return nil, &unavailableError{path: path, cause: err}
	}
	if s == nil || s.Data == nil {
		return nil, notFound("vault: %s: no secret there (check the mount and, for KV version 2, the data/ segment of the path)", path)
	}
	if _, v2 := s.Data["metadata"]; v2 {
		inner, isMap := s.Data["data"].(map[string]any)
		if !isMap {
			return nil, notFound("vault: %s: no secret there (its latest version is deleted or destroyed)", path)
		}
		return inner, nil
	}
	return s.Data, nil
}

// fieldValue picks field out of a secret's fields.
func fieldValue(fields map[string]any, path, field string) (string, error) {
	v, ok := fields[field]
	if !ok {
		return "", &lookupError{msg: fmt.Sprintf("vault: %s has no field %s", path, field), kind: ErrNoField}
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("vault: field %s of %s is a %T, not a string", field, path, v)
	}
	if s == "" {
		return "", fmt.Errorf("vault: field %s of %s is empty", field, path)
	}
	return s, nil
}

// isPermissionDenied reports a 403: the token expired, was revoked, or
// lacks a policy for the path.
func isPermissionDenied(err error) bool {
	var re *api.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusForbidden
}

// describe renders a Vault client error briefly: the status and Vault's
// own messages for an API error, the transport error otherwise. Neither
// holds a secret: Vault never echoes tokens or values in its errors.
func describe(err error) string {
	var re *api.ResponseError
	if errors.As(err, &re) {
		msg := strings.Join(flatten(re.Errors), "; ")
		if msg == "" {
			msg = http.StatusText(re.StatusCode)
		}
		return fmt.Sprintf("status %d: %s", re.StatusCode, msg)
	}
	return err.Error()
}

// flatten turns Vault's multi-line error lists ("2 errors occurred:\n\t*
// permission denied\n\t* invalid token") into one item per error, so that
// a log line stays on one line.
func flatten(errs []string) []string {
	var out []string
	for _, e := range errs {
		for _, line := range strings.Split(e, "\n") {
			line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "*"))
			if line == "" || strings.HasSuffix(line, "errors occurred:") || strings.HasSuffix(line, "error occurred:") {
				continue
			}
			out = append(out, line)
		}
	}
	return out
}
