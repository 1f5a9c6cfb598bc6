package auth

import (
	"context"
	"errors"

	"github.com/switchboard-gw/switchboard/llm"
)

// Sentinel causes, found with errors.Is in the *llm.Error that auth returns.
// Their text is for logs; the *llm.Error's Message is what callers see.
var (
	ErrMissingKey           = errors.New("auth: no API key")
	ErrWrongPrefix          = errors.New("auth: API key has the wrong prefix")
	ErrMalformedKey         = errors.New("auth: API key has the wrong length or characters")
	ErrChecksumMismatch     = errors.New("auth: API key checksum mismatch")
	ErrUnknownKey           = errors.New("auth: API key not found")
	ErrKeyRevoked           = errors.New("auth: API key revoked")
	ErrKeyExpired           = errors.New("auth: API key expired")
	ErrAdminKeyAsVirtualKey = errors.New("auth: admin key used as a virtual key")
	ErrVirtualKeyAsAdminKey = errors.New("auth: virtual key used as the admin key")
	ErrInvalidAdminKey      = errors.New("auth: wrong admin key")
	ErrSecretRotated        = errors.New("auth: API key secret was rotated and its grace period is over")
	ErrTooManyFailures      = errors.New("auth: too many failed authentications from this address")
)

// codeInvalidAPIKey is OpenAI's code for a refused key, so an OpenAI-shaped
// error body from the shim reads as clients expect.
const codeInvalidAPIKey = "invalid_api_key"

func unauthenticated(cause error, code, msg string) *llm.Error {
	return &llm.Error{Kind: llm.KindUnauthenticated, Code: code, Message: msg, Err: cause}
}

func errMissingKey() *llm.Error {
	return unauthenticated(ErrMissingKey, "missing_api_key",
		`missing API key: send it as "Authorization: Bearer sk-sb-..."`)
}

func errWrongPrefix() *llm.Error {
	return unauthenticated(ErrWrongPrefix, codeInvalidAPIKey,
		`malformed API key: Switchboard virtual keys start with "sk-sb-"`)
}

func errMalformedKey() *llm.Error {
	return unauthenticated(ErrMalformedKey, codeInvalidAPIKey,
		`malformed API key: expected "sk-sb-" followed by 39 letters and digits (was it cut short or padded?)`)
}

func errChecksumMismatch() *llm.Error {
	return unauthenticated(ErrChecksumMismatch, codeInvalidAPIKey,
		"invalid API key: checksum mismatch (is it mistyped?)")
}

func errUnknownKey() *llm.Error {
	return unauthenticated(ErrUnknownKey, codeInvalidAPIKey, "invalid API key")
}

func errKeyRevoked() *llm.Error {
	return unauthenticated(ErrKeyRevoked, codeInvalidAPIKey, "API key has been revoked")
}

func errKeyExpired() *llm.Error {
	return unauthenticated(ErrKeyExpired, codeInvalidAPIKey, "API key has expired")
}

func errSecretRotated() *llm.Error {
	return unauthenticated(ErrSecretRotated, codeInvalidAPIKey,
		"API key was rotated and this secret's grace period is over; use the new secret")
}

func errAdminKeyAsVirtualKey() *llm.Error {
	return unauthenticated(ErrAdminKeyAsVirtualKey, codeInvalidAPIKey,
		"the admin key is only for AdminService; call this API with a virtual key (sk-sb-...) created through AdminService/CreateKey")
}

func errVirtualKeyAsAdminKey() *llm.Error {
	return &llm.Error{Kind: llm.KindPermissionDenied, Err: ErrVirtualKeyAsAdminKey,
		Message: "virtual keys cannot call AdminService; use the admin key"}
}

func errMissingAdminKey() *llm.Error {
	return unauthenticated(ErrMissingKey, "missing_api_key",
		`missing admin key: send it as "Authorization: Bearer <admin key>"`)
}

func errInvalidAdminKey() *llm.Error {
	return unauthenticated(ErrInvalidAdminKey, codeInvalidAPIKey, "invalid admin key")
}

func invalidParam(param, msg string) *llm.Error {
	return &llm.Error{Kind: llm.KindInvalidRequest, Param: param, Message: msg}
}

// storeError classifies a KeyStore failure: the caller going away stays
// Canceled or Timeout, anything else is the store being unavailable. The
// cause is kept for logs; it never holds a secret because stores only ever
// see hashes.
func storeError(err error) *llm.Error {
	switch {
	case errors.Is(err, context.Canceled):
		return &llm.Error{Kind: llm.KindCanceled, Message: "request canceled", Err: err}
	case errors.Is(err, context.DeadlineExceeded):
		return &llm.Error{Kind: llm.KindTimeout, Message: "request timed out while reading the key store", Err: err}
	}
	return errStoreUnavailable(err)
}

// errStoreUnavailable answers a verification the store could not help
// with: 503 on the shim, Unavailable on Connect, never 401, so clients
// retry instead of discarding a key that may be valid.
func errStoreUnavailable(cause error) *llm.Error {
	return &llm.Error{Kind: llm.KindUnavailable, Code: "key_store_unavailable", Message: "key store unavailable", Err: cause}
}
