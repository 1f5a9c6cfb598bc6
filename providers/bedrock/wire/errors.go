package wire

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	anthropicwire "github.com/switchboard-gw/switchboard/providers/anthropic/wire"
)

// Error types: the x-amzn-ErrorType header of an error response without its
// namespace ("ThrottlingException:http://internal.amazon.com/coral/..."),
// and the :exception-type of an exception frame with a lower-case first
// letter ("throttlingException").
const (
	ErrAccessDenied               = "AccessDeniedException"
	ErrInternalServer             = "InternalServerException"
	ErrModelError                 = "ModelErrorException"
	ErrModelNotReady              = "ModelNotReadyException"
	ErrModelStreamError           = "ModelStreamErrorException"
	ErrModelTimeout               = "ModelTimeoutException"
	ErrResourceNotFound           = "ResourceNotFoundException"
	ErrServiceQuotaExceeded       = "ServiceQuotaExceededException"
	ErrServiceUnavailable         = "ServiceUnavailableException"
	ErrThrottling                 = "ThrottlingException"
	ErrValidation                 = "ValidationException"
	ErrUnrecognizedClient         = "UnrecognizedClientException"
	ErrInvalidSignature           = "InvalidSignatureException"
	ErrIncompleteSignature        = "IncompleteSignatureException"
	ErrMissingAuthenticationToken = "MissingAuthenticationTokenException"
	ErrExpiredToken               = "ExpiredTokenException"
)

// StatusForErrorType is the HTTP status each error type is sent with. It
// classifies an exception met inside a stream, where there is no status.
var StatusForErrorType = map[string]int{
	ErrAccessDenied:               http.StatusForbidden,
	ErrInternalServer:             http.StatusInternalServerError,
	ErrModelError:                 http.StatusFailedDependency,
	ErrModelNotReady:              http.StatusTooManyRequests,
	ErrModelStreamError:           http.StatusFailedDependency,
	ErrModelTimeout:               http.StatusRequestTimeout,
	ErrResourceNotFound:           http.StatusNotFound,
	ErrServiceQuotaExceeded:       http.StatusBadRequest,
	ErrServiceUnavailable:         http.StatusServiceUnavailable,
	ErrThrottling:                 http.StatusTooManyRequests,
	ErrValidation:                 http.StatusBadRequest,
	ErrUnrecognizedClient:         http.StatusForbidden,
	ErrInvalidSignature:           http.StatusForbidden,
	ErrIncompleteSignature:        http.StatusForbidden,
	ErrMissingAuthenticationToken: http.StatusForbidden,
	ErrExpiredToken:               http.StatusForbidden,
}

// maxMessageLen bounds an upstream message copied into an error.
const maxMessageLen = 1000

// ErrorType reads an error's type from where AWS puts it: the
// x-amzn-ErrorType header, else the body's "__type" or "code". The
// namespace ("...:http://internal.amazon.com/...", "com.amazon...#") is cut
// off.
func ErrorType(h http.Header, er *ErrorResponse) string {
	t := ""
	if h != nil {
		t = h.Get("X-Amzn-Errortype")
	}
	if t == "" {
		t = er.Type
	}
	if t == "" {
		t = er.Code
	}
	return NormalizeErrorType(t)
}

// NormalizeErrorType cuts the namespace off an error type and upper-cases
// its first letter, so that a stream's "throttlingException" and a
// response's "ThrottlingException:http://..." read the same.
func NormalizeErrorType(t string) string {
	if i := strings.IndexByte(t, ':'); i >= 0 {
		t = t[:i]
	}
	if i := strings.LastIndexByte(t, '#'); i >= 0 {
		t = t[i+1:]
	}
	t = strings.TrimSpace(t)
	if t != "" && t[0] >= 'a' && t[0] <= 'z' {
		t = string(t[0]-'a'+'A') + t[1:]
	}
	return t
}

// ClassifyError turns an error response into the one error type that
// crosses layers. It is the only place that decides what a Bedrock failure
// means; the type wins over the status:
//
//	ThrottlingException (429)                   RateLimited, RetryAfter from Retry-After
//	ServiceQuotaExceededException (400)         RateLimited
//	ValidationException (400)                   InvalidRequest; ContextTooLong for an input over
//	                                            the context window; NotFound for an unknown model id
//	AccessDeniedException (403)                 PermissionDenied (fixed message)
//	UnrecognizedClient, InvalidSignature,
//	  MissingAuthenticationToken, ExpiredToken,
//	  IncompleteSignature (403)                 Unauthenticated (fixed message)
//	ResourceNotFoundException (404)             NotFound
//	ModelTimeoutException (408)                 Timeout
//	ModelNotReadyException (429),
//	  ServiceUnavailableException (503)         Overloaded
//	InternalServer, ModelError, ModelStreamError Upstream
//
// Without a known type the status decides as for other providers (4xx
// InvalidRequest, 5xx Upstream, ...). Status 0 (an exception frame) uses the
// type's status.
func ClassifyError(provider string, status int, h http.Header, body []byte) *llm.Error {
	var er ErrorResponse
	isJSON := json.Unmarshal(body, &er) == nil
	return classify(provider, status, ErrorType(h, &er), &er, h, body, isJSON)
}

// ClassifyException classifies an exception frame of a stream
// (":message-type" exception) from its :exception-type and payload.
func ClassifyException(provider, exceptionType string, payload []byte) *llm.Error {
	var er ErrorResponse
	isJSON := json.Unmarshal(payload, &er) == nil
	return classify(provider, 0, NormalizeErrorType(exceptionType), &er, nil, payload, isJSON)
}

func classify(provider string, status int, typ string, er *ErrorResponse, h http.Header, body []byte, isJSON bool) *llm.Error {
	effective := status
	if s, ok := StatusForErrorType[typ]; ok && effective < 400 {
		effective = s
	}
	msg := er.Message
	if msg == "" {
		msg = er.MessageUpper
	}
	e := &llm.Error{
		Kind:     kindFor(typ, effective, msg),
		Provider: provider,
		Status:   effective,
		Code:     safeCode(typ),
	}
	switch e.Kind {
	case llm.KindContextTooLong:
		e.Code = "context_length_exceeded"
	case llm.KindNotFound:
		if isUnknownModel(msg) {
			e.Code = "model_not_found"
		}
	}
	if h != nil {
		if d, ok := anthropicwire.RetryAfter(h, time.Now()); ok {
			e.RetryAfter = d
		}
	}
	e.Message = errorMessage(provider, e.Kind, effective, msg, isJSON)
	e.Err = fmt.Errorf("upstream status %d, type %q: %s", status, typ, RedactSecrets(snippet(body, 300)))
	return e
}

func kindFor(typ string, status int, msg string) llm.Kind {
	switch typ {
	case ErrThrottling, ErrServiceQuotaExceeded:
		return llm.KindRateLimited
	case ErrValidation:
		switch {
		case isContextTooLong(msg):
			return llm.KindContextTooLong
		case isUnknownModel(msg):
			return llm.KindNotFound
		}
		return llm.KindInvalidRequest
	case ErrAccessDenied:
		return llm.KindPermissionDenied
	case ErrUnrecognizedClient, ErrInvalidSignature, ErrIncompleteSignature, ErrMissingAuthenticationToken, ErrExpiredToken:
		return llm.KindUnauthenticated
	case ErrResourceNotFound:
		return llm.KindNotFound
	case ErrModelTimeout:
		return llm.KindTimeout
	case ErrModelNotReady, ErrServiceUnavailable:
		return llm.KindOverloaded
	case ErrInternalServer, ErrModelError, ErrModelStreamError:
		return llm.KindUpstream
	}
	switch status {
	case http.StatusBadRequest:
		switch {
		case isContextTooLong(msg):
			return llm.KindContextTooLong
		case isUnknownModel(msg):
			return llm.KindNotFound
		}
		return llm.KindInvalidRequest
	case http.StatusUnauthorized:
		return llm.KindUnauthenticated
	case http.StatusForbidden:
		return llm.KindPermissionDenied
	case http.StatusNotFound:
		return llm.KindNotFound
	case http.StatusRequestEntityTooLarge:
		return llm.KindPayloadTooLarge
	case http.StatusTooManyRequests:
		return llm.KindRateLimited
	case http.StatusServiceUnavailable:
		return llm.KindOverloaded
	case http.StatusRequestTimeout, http.StatusGatewayTimeout:
		return llm.KindTimeout
	}
	if status >= 400 && status < 500 {
		return llm.KindInvalidRequest
	}
	return llm.KindUpstream
}

// isContextTooLong recognizes the wordings of an input over the model's
// context window: Bedrock's own ("Input is too long for requested model.",
// "too many input tokens") and the models' passed through ("prompt is too
// long: 215000 tokens > 200000 maximum", "...exceeds the context window").
func isContextTooLong(msg string) bool {
	m := strings.ToLower(msg)
	for _, s := range []string{"input is too long", "prompt is too long", "too many input tokens", "too many total text bytes",
		"context window", "context length", "exceed context limit", "maximum context length"} {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}

// isUnknownModel recognizes the 400 Bedrock answers for a model id it does
// not know ("The provided model identifier is invalid."), which is what
// other providers answer with 404.
func isUnknownModel(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "model identifier is invalid") || strings.Contains(m, "invalid model identifier")
}

func errorMessage(provider string, kind llm.Kind, status int, msg string, isJSON bool) string {
	switch kind {
	case llm.KindUnauthenticated:
		return "the provider rejected the gateway's credentials for " + provider
	case llm.KindPermissionDenied:
		// AWS names the IAM principal and the account in these messages.
		return "the provider refused the gateway's credentials permission for this request (" + provider + ")"
	}
	if msg = strings.TrimSpace(msg); msg != "" {
		msg = RedactSecrets(msg)
		if len(msg) > maxMessageLen {
			msg = truncateUTF8(msg, maxMessageLen) + "..."
		}
		return msg
	}
	switch {
	case status == 0:
		return provider + " reported an error without a message"
	case !isJSON:
		return fmt.Sprintf("%s answered HTTP %d %s with a non-JSON body", provider, status, http.StatusText(status))
	}
	return fmt.Sprintf("%s answered HTTP %d %s", provider, status, http.StatusText(status))
}

// awsSecretPatterns match AWS credentials an upstream message could echo:
// access key ids (AKIA..., ASIA...) and secrets or session tokens after a
// name.
var awsSecretPatterns = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`\b(AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,}\b`), "${1}***"},
	{regexp.MustCompile(`(?i)\b(aws_secret_access_key|secretaccesskey|x-amz-security-token|sessiontoken|signature)(["']?\s*[=:]\s*["']?)[^\s"',;]+`), "${1}${2}***"},
}

// RedactSecrets replaces key-like substrings of s with a placeholder: AWS
// access keys and secrets, and the patterns of the Anthropic wire package
// (bearer tokens, key=... parameters). Every upstream text that reaches an
// error passes through it.
func RedactSecrets(s string) string {
	for _, p := range awsSecretPatterns {
		s = p.re.ReplaceAllString(s, p.repl)
	}
	return anthropicwire.RedactSecrets(s)
}

// safeCode keeps an error type only when it looks like an identifier: it is
// forwarded to callers as the error code.
func safeCode(c string) string {
	if c == "" || len(c) > 64 {
		return ""
	}
	for i := 0; i < len(c); i++ {
		ch := c[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '_' || ch == '-' || ch == '.') {
			return ""
		}
	}
	return c
}

func snippet(body []byte, n int) string {
	s := strings.TrimSpace(string(body))
	if len(s) > n {
		return truncateUTF8(s, n) + "..."
	}
	return s
}

func truncateUTF8(s string, n int) string {
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// ExceptionName is the :exception-type an error type has in a stream:
// its first letter lower-cased ("throttlingException").
func ExceptionName(errorType string) string {
	if errorType == "" || errorType[0] < 'A' || errorType[0] > 'Z' {
		return errorType
	}
	return string(errorType[0]-'A'+'a') + errorType[1:]
}

// ErrorTypeHeader is the x-amzn-ErrorType value Bedrock sends for an error
// type: the type and its namespace URL.
func ErrorTypeHeader(errorType string) string {
	ns := "http://internal.amazon.com/coral/com.amazon.bedrock/"
	switch errorType {
	case ErrUnrecognizedClient, ErrInvalidSignature, ErrIncompleteSignature, ErrMissingAuthenticationToken, ErrExpiredToken:
		ns = "http://internal.amazon.com/coral/com.amazon.coral.service/"
	}
	return errorType + ":" + ns
}
