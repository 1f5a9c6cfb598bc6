package wire_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/gemini/wire"
)

func TestClassifyError(t *testing.T) {
	const quota = `{"error":{"code":429,"message":"You exceeded your current quota, please check your plan and billing details.","status":"RESOURCE_EXHAUSTED","details":[
	  {"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaMetric":"generativelanguage.googleapis.com/generate_content_free_tier_requests","quotaId":"GenerateRequestsPerMinutePerProjectPerModel-FreeTier"}]},
	  {"@type":"type.googleapis.com/google.rpc.Help","links":[{"description":"Learn more","url":"https://ai.google.dev/gemini-api/docs/rate-limits"}]},
	  {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"37s"}]}}`
	cases := []struct {
		name       string
		status     int
		header     http.Header
		body       string
		kind       llm.Kind
		code       string
		retryAfter time.Duration
		message    string
	}{
		{"429 with RetryInfo", 429, nil, quota, llm.KindRateLimited, "RESOURCE_EXHAUSTED", 37 * time.Second, "You exceeded your current quota"},
		{"429 Retry-After header wins", 429, http.Header{"Retry-After": {"2"}}, quota, llm.KindRateLimited, "RESOURCE_EXHAUSTED", 2 * time.Second, ""},
		{"context too long", 400, nil, `{"error":{"code":400,"message":"The input token count (1048577) exceeds the maximum number of tokens allowed (1048576).","status":"INVALID_ARGUMENT"}}`, llm.KindContextTooLong, "INVALID_ARGUMENT", 0, "The input token count"},
		{"other 400", 400, nil, `{"error":{"code":400,"message":"* GenerateContentRequest.contents: contents is not specified\n","status":"INVALID_ARGUMENT"}}`, llm.KindInvalidRequest, "INVALID_ARGUMENT", 0, "* GenerateContentRequest.contents"},
		{"region", 400, nil, `{"error":{"code":400,"message":"User location is not supported for the API use.","status":"FAILED_PRECONDITION"}}`, llm.KindPermissionDenied, "FAILED_PRECONDITION", 0, "User location is not supported"},
		{"403", 403, nil, `{"error":{"code":403,"message":"Permission denied: Consumer 'api_key:AIzaSyDUMMYDUMMYDUMMYDUMMY' has been suspended.","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"CONSUMER_SUSPENDED"}]}}`, llm.KindPermissionDenied, "CONSUMER_SUSPENDED", 0, "the provider refused"},
		{"404", 404, nil, `{"error":{"code":404,"message":"models/gemini-9 is not found for API version v1beta, or is not supported for generateContent.","status":"NOT_FOUND"}}`, llm.KindNotFound, "NOT_FOUND", 0, "models/gemini-9 is not found"},
		{"401 oauth", 401, nil, `{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}`, llm.KindUnauthenticated, "UNAUTHENTICATED", 0, "the provider rejected"},
		{"500", 500, nil, `{"error":{"code":500,"message":"An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting","status":"INTERNAL"}}`, llm.KindUpstream, "INTERNAL", 0, "An internal error"},
		{"503", 503, nil, `{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}`, llm.KindOverloaded, "UNAVAILABLE", 0, "The model is overloaded"},
		{"504", 504, nil, `{"error":{"code":504,"message":"Deadline expired before operation could complete.","status":"DEADLINE_EXCEEDED"}}`, llm.KindTimeout, "DEADLINE_EXCEEDED", 0, "Deadline expired"},
		{"in-stream error by code", 0, nil, `{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}`, llm.KindOverloaded, "UNAVAILABLE", 0, "The model is overloaded."},
		{"in-stream error by name", 0, nil, `{"error":{"message":"boom","status":"INTERNAL"}}`, llm.KindUpstream, "INTERNAL", 0, "boom"},
		{"array form", 429, nil, `[` + quota + `]`, llm.KindRateLimited, "RESOURCE_EXHAUSTED", 37 * time.Second, "You exceeded"},
		{"HTML 502", 502, nil, `<html>Bad Gateway</html>`, llm.KindUpstream, "", 0, "gemini answered HTTP 502 Bad Gateway with a non-JSON body"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := wire.ClassifyError("gemini", c.status, c.header, []byte(c.body))
			if e.Kind != c.kind || e.Code != c.code || e.RetryAfter != c.retryAfter || !strings.HasPrefix(e.Message, c.message) {
				t.Fatalf("got kind %v code %q retry %v message %q", e.Kind, e.Code, e.RetryAfter, e.Message)
			}
			if strings.Contains(e.Message, "AIza") || strings.Contains(e.Err.Error(), "AIzaSyDUMMY") {
				t.Errorf("key material leaked: %q / %q", e.Message, e.Err)
			}
		})
	}
}

func TestClassifyErrorRedactsKeysInMessages(t *testing.T) {
	body := `{"error":{"code":400,"message":"Bad request for https://x/v1beta/models/m:generateContent?key=AIzaSyA1234567890abcdefghij","status":"INVALID_ARGUMENT"}}`
	e := wire.ClassifyError("gemini", 400, nil, []byte(body))
	if strings.Contains(e.Message, "AIzaSyA123") || strings.Contains(e.Err.Error(), "AIzaSyA123") {
		t.Fatalf("key leaked: %q", e.Message)
	}
}
