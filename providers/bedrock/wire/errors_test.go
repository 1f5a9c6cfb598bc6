package wire_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/bedrock/wire"
)

func errHeader(typ string) http.Header {
	return http.Header{"X-Amzn-Errortype": {wire.ErrorTypeHeader(typ)}}
}

// Each error class, as the header names it, with the status Bedrock sends
// it with. The type decides, not the status.
func TestClassifyErrorByType(t *testing.T) {
	for _, tc := range []struct {
		typ    string
		status int
		msg    string
		kind   llm.Kind
	}{
		{wire.ErrThrottling, 429, "Too many requests, please wait before trying again.", llm.KindRateLimited},
		{wire.ErrServiceQuotaExceeded, 400, "Your request exceeds the service quota.", llm.KindRateLimited},
		{wire.ErrValidation, 400, "Malformed input request, please reformat your input and try again.", llm.KindInvalidRequest},
		{wire.ErrValidation, 400, "Input is too long for requested model.", llm.KindContextTooLong},
		{wire.ErrValidation, 400, "The model returned the following errors: prompt is too long: 215000 tokens > 200000 maximum", llm.KindContextTooLong},
		{wire.ErrAccessDenied, 403, "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: bedrock:InvokeModel", llm.KindPermissionDenied},
		{wire.ErrUnrecognizedClient, 403, "The security token included in the request is invalid.", llm.KindUnauthenticated},
		{wire.ErrInvalidSignature, 403, "The request signature we calculated does not match the signature you provided.", llm.KindUnauthenticated},
		{wire.ErrExpiredToken, 403, "The security token included in the request is expired", llm.KindUnauthenticated},
		{wire.ErrMissingAuthenticationToken, 403, "Missing Authentication Token", llm.KindUnauthenticated},
		{wire.ErrResourceNotFound, 404, "Could not resolve the foundation model from the provided model identifier.", llm.KindNotFound},
		{wire.ErrModelTimeout, 408, "Model has timed out in processing the request.", llm.KindTimeout},
		{wire.ErrModelNotReady, 429, "Model is not ready to serve inference requests.", llm.KindOverloaded},
		{wire.ErrServiceUnavailable, 503, "Bedrock is unable to process your request.", llm.KindOverloaded},
		{wire.ErrInternalServer, 500, "The system encountered an unexpected error.", llm.KindUpstream},
		{wire.ErrModelError, 424, "The model returned an error.", llm.KindUpstream},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			body := []byte(`{"message":` + string(mustMarshal(t, tc.msg)) + `}`)
			e := wire.ClassifyError("aws", tc.status, errHeader(tc.typ), body)
			if e.Kind != tc.kind || e.Status != tc.status || e.Provider != "aws" {
				t.Fatalf("%+v, want kind %v", e, tc.kind)
			}
			switch tc.kind {
			case llm.KindUnauthenticated, llm.KindPermissionDenied:
				// AWS names the IAM principal and account: never shown.
				if strings.Contains(e.Message, "arn:") || strings.Contains(e.Message, "token") {
					t.Errorf("message leaks: %q", e.Message)
				}
			case llm.KindContextTooLong:
				if e.Code != "context_length_exceeded" || e.Message != tc.msg {
					t.Errorf("context: %+v", e)
				}
			default:
				if e.Code != tc.typ || e.Message != tc.msg {
					t.Errorf("code %q message %q", e.Code, e.Message)
				}
			}
			// The same type inside a stream, where there is no status.
			x := wire.ClassifyException("aws", wire.ExceptionName(tc.typ), body)
			if x.Kind != tc.kind || x.Status != wire.StatusForErrorType[tc.typ] {
				t.Errorf("as an exception: %+v", x)
			}
		})
	}
}

// Without the header the type is read from the body ("__type" of restJson
// errors, with or without a namespace), and without any type the status
// decides.
func TestClassifyErrorWithoutHeader(t *testing.T) {
	e := wire.ClassifyError("aws", 400, nil, []byte(`{"__type":"com.amazon.coral.service#ThrottlingException","Message":"Rate exceeded"}`))
	if e.Kind != llm.KindRateLimited || e.Message != "Rate exceeded" {
		t.Errorf("__type: %+v", e)
	}
	for status, kind := range map[int]llm.Kind{400: llm.KindInvalidRequest, 401: llm.KindUnauthenticated, 403: llm.KindPermissionDenied,
		404: llm.KindNotFound, 413: llm.KindPayloadTooLarge, 429: llm.KindRateLimited, 500: llm.KindUpstream, 502: llm.KindUpstream,
		503: llm.KindOverloaded, 504: llm.KindTimeout, 418: llm.KindInvalidRequest} {
		if e := wire.ClassifyError("aws", status, nil, []byte("<html>bad gateway</html>")); e.Kind != kind {
			t.Errorf("%d: %v, want %v", status, e.Kind, kind)
		} else if status >= 500 && !strings.Contains(e.Message, "non-JSON") {
			t.Errorf("%d: message %q", status, e.Message)
		}
	}
}

func TestClassifyErrorRetryAfterAndRedaction(t *testing.T) {
	h := errHeader(wire.ErrThrottling)
	h.Set("Retry-After", "3")
	e := wire.ClassifyError("aws", 429, h, []byte(`{"message":"slow down AKIAIOSFODNN7EXAMPLE aws_secret_access_key=wJalrXUtnFEMI"}`))
	if e.RetryAfter != 3*time.Second {
		t.Errorf("retry after = %v", e.RetryAfter)
	}
	if strings.Contains(e.Message, "IOSFODNN7EXAMPLE") || strings.Contains(e.Message, "wJalrXUtnFEMI") || strings.Contains(e.Err.Error(), "wJalrXUtnFEMI") {
		t.Errorf("secrets not redacted: %q / %v", e.Message, e.Err)
	}
}

func TestErrorTypeNames(t *testing.T) {
	for in, want := range map[string]string{
		"ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/": "ThrottlingException",
		"throttlingException":                            "ThrottlingException",
		"com.amazon.coral.service#ExpiredTokenException": "ExpiredTokenException",
		"": "",
	} {
		if got := wire.NormalizeErrorType(in); got != want {
			t.Errorf("NormalizeErrorType(%q) = %q", in, got)
		}
	}
	if wire.ExceptionName(wire.ErrModelStreamError) != "modelStreamErrorException" {
		t.Error(wire.ExceptionName(wire.ErrModelStreamError))
	}
}
