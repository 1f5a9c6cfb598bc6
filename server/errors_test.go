package server_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/server"
	"github.com/switchboard-gw/switchboard/server/internal/servertest"
)

func TestConnectErrorMapsEveryKind(t *testing.T) {
	R := func(r switchboardv1.ErrorReason) switchboardv1.ErrorReason { return r }
	cases := []struct {
		err      error
		code     connect.Code
		reason   switchboardv1.ErrorReason
		detCode  string
		inMsg    string
		notInMsg string
	}{
		{&llm.Error{Kind: llm.KindInternal, Message: "boom"}, connect.CodeInternal, R(switchboardv1.ErrorReason_ERROR_REASON_INTERNAL), "", "boom", ""},
		{&llm.Error{Kind: llm.KindInvalidRequest, Message: "bad", Param: "temperature"}, connect.CodeInvalidArgument, R(switchboardv1.ErrorReason_ERROR_REASON_INVALID_REQUEST), "", "bad", ""},
		{&llm.Error{Kind: llm.KindUnauthenticated, Code: "invalid_api_key", Message: "invalid API key"}, connect.CodeUnauthenticated, R(switchboardv1.ErrorReason_ERROR_REASON_UNAUTHENTICATED), "invalid_api_key", "invalid API key", ""},
		{&llm.Error{Kind: llm.KindPermissionDenied, Message: "not for you"}, connect.CodePermissionDenied, R(switchboardv1.ErrorReason_ERROR_REASON_PERMISSION_DENIED), "", "not for you", ""},
		{&llm.Error{Kind: llm.KindNotFound, Code: "model_not_found", Message: "no model"}, connect.CodeNotFound, R(switchboardv1.ErrorReason_ERROR_REASON_NOT_FOUND), "model_not_found", "no model", ""},
		{&llm.Error{Kind: llm.KindRateLimited, Message: "slow down", RetryAfter: 2 * time.Second}, connect.CodeResourceExhausted, R(switchboardv1.ErrorReason_ERROR_REASON_RATE_LIMITED), "", "slow down", ""},
		{&llm.Error{Kind: llm.KindOverloaded, Provider: "openai", Status: 529, Message: "overloaded"}, connect.CodeUnavailable, R(switchboardv1.ErrorReason_ERROR_REASON_OVERLOADED), "", "overloaded", ""},
		{&llm.Error{Kind: llm.KindContextTooLong, Message: "too long"}, connect.CodeInvalidArgument, R(switchboardv1.ErrorReason_ERROR_REASON_CONTEXT_TOO_LONG), "context_length_exceeded", "too long", ""},
		{&llm.Error{Kind: llm.KindContentFiltered, Message: "filtered"}, connect.CodeInvalidArgument, R(switchboardv1.ErrorReason_ERROR_REASON_CONTENT_FILTERED), "content_filter", "filtered", ""},
		{&llm.Error{Kind: llm.KindTimeout, Message: "too slow"}, connect.CodeDeadlineExceeded, R(switchboardv1.ErrorReason_ERROR_REASON_TIMEOUT), "", "too slow", ""},
		{&llm.Error{Kind: llm.KindUpstream, Provider: "openai", Status: 500, Message: "upstream broke"}, connect.CodeUnavailable, R(switchboardv1.ErrorReason_ERROR_REASON_UPSTREAM), "", "upstream broke", ""},
		{&llm.Error{Kind: llm.KindUnavailable, Message: "store down"}, connect.CodeUnavailable, R(switchboardv1.ErrorReason_ERROR_REASON_UNAVAILABLE), "", "store down", ""},
		{&llm.Error{Kind: llm.KindCanceled, Message: "gone"}, connect.CodeCanceled, R(switchboardv1.ErrorReason_ERROR_REASON_CANCELED), "", "gone", ""},
		{&llm.Error{Kind: llm.KindPayloadTooLarge, Message: "big"}, connect.CodeResourceExhausted, R(switchboardv1.ErrorReason_ERROR_REASON_PAYLOAD_TOO_LARGE), "", "big", ""},
		// The provider refusing the gateway's credentials is not the caller's fault.
		{&llm.Error{Kind: llm.KindUnauthenticated, Provider: "openai", Status: 401, Code: "invalid_api_key", Message: "Incorrect API key"}, connect.CodeUnavailable, R(switchboardv1.ErrorReason_ERROR_REASON_UPSTREAM), "upstream_auth_failed", "gateway configuration", "Incorrect API key"},
		{&llm.Error{Kind: llm.KindPermissionDenied, Provider: "anthropic", Status: 403, Message: "forbidden"}, connect.CodeUnavailable, R(switchboardv1.ErrorReason_ERROR_REASON_UPSTREAM), "upstream_auth_failed", "anthropic", ""},
		// Plain errors are internal and say nothing of their content.
		{errors.New("secret database path /var/x"), connect.CodeInternal, R(switchboardv1.ErrorReason_ERROR_REASON_INTERNAL), "", "internal error", "/var/x"},
		{fmt.Errorf("wrapped: %w", context.DeadlineExceeded), connect.CodeDeadlineExceeded, R(switchboardv1.ErrorReason_ERROR_REASON_TIMEOUT), "", "timed out", ""},
		{fmt.Errorf("wrapped: %w", &llm.Error{Kind: llm.KindNotFound, Message: "inner"}), connect.CodeNotFound, R(switchboardv1.ErrorReason_ERROR_REASON_NOT_FOUND), "", "inner", ""},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(llm.KindOf(tc.err), "/", tc.err), func(t *testing.T) {
			ce := server.ConnectError(tc.err)
			if ce.Code() != tc.code {
				t.Errorf("code = %v, want %v", ce.Code(), tc.code)
			}
			if !strings.Contains(ce.Message(), tc.inMsg) {
				t.Errorf("message %q lacks %q", ce.Message(), tc.inMsg)
			}
			if tc.notInMsg != "" && strings.Contains(ce.Message(), tc.notInMsg) {
				t.Errorf("message %q leaks %q", ce.Message(), tc.notInMsg)
			}
			d := detailOf(t, ce)
			if d.GetReason() != tc.reason || d.GetCode() != tc.detCode {
				t.Errorf("detail = %v, want reason %v code %q", d, tc.reason, tc.detCode)
			}
			var le *llm.Error
			if errors.As(tc.err, &le) {
				if d.GetProvider() != le.Provider || int(d.GetUpstreamStatus()) != le.Status || d.GetParam() != le.Param {
					t.Errorf("detail %v lost provider/status/param of %+v", d, le)
				}
				if le.RetryAfter > 0 && d.GetRetryAfter().AsDuration() != le.RetryAfter {
					t.Errorf("retry_after = %v, want %v", d.GetRetryAfter(), le.RetryAfter)
				}
			}
		})
	}
	if server.ConnectError(nil) != nil {
		t.Error("ConnectError(nil) != nil")
	}
	orig := connect.NewError(connect.CodeAborted, errors.New("x"))
	if server.ConnectError(orig) != orig {
		t.Error("a *connect.Error is not passed through")
	}
}

func detailOf(t *testing.T, err error) *switchboardv1.ErrorDetail {
	t.Helper()
	var ce *connect.Error
	if !errors.As(err, &ce) {
		t.Fatalf("not a connect error: %v", err)
	}
	for _, d := range ce.Details() {
		v, err := d.Value()
		if err != nil {
			t.Fatalf("detail: %v", err)
		}
		if ed, ok := v.(*switchboardv1.ErrorDetail); ok {
			return ed
		}
	}
	t.Fatalf("no ErrorDetail in %v", err)
	return nil
}

// The detail and the Retry-After survive the wire on every protocol, for
// unary calls and for errors in the middle of a stream.
func TestErrorsReachClientsWithTheirDetail(t *testing.T) {
	limited := &llm.Error{Kind: llm.KindRateLimited, Provider: "openai", Status: 429, RetryAfter: 2 * time.Second, Message: "rate limited"}
	core := &servertest.Core{
		CompleteFunc: func(context.Context, *llm.Request) (*llm.Response, error) { return nil, limited },
		StreamFunc: func(ctx context.Context, _ *llm.Request) (llm.Stream, error) {
			s := servertest.NewStream(ctx, servertest.Chunks("a", "b")[:2]...)
			s.Err = &llm.Error{Kind: llm.KindUpstream, Provider: "openai", Message: "connection reset mid-stream"}
			return s, nil
		},
	}
	r := start(t, core, nil)
	for _, proto := range protocols {
		t.Run(proto.name, func(t *testing.T) {
			client := completionClient(r, proto.opts...)
			_, err := client.Complete(context.Background(), withKey(completeMsg(), r.auth.Secret))
			if codeOf(err) != connect.CodeResourceExhausted {
				t.Fatalf("Complete: %v", err)
			}
			d := detailOf(t, err)
			if d.GetReason() != switchboardv1.ErrorReason_ERROR_REASON_RATE_LIMITED || d.GetRetryAfter().AsDuration() != 2*time.Second || d.GetProvider() != "openai" {
				t.Fatalf("detail = %v", d)
			}

			stream, err := client.StreamComplete(context.Background(), withKey(streamMsg(), r.auth.Secret))
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for stream.Receive() {
				n++
			}
			if n != 2 || codeOf(stream.Err()) != connect.CodeUnavailable {
				t.Fatalf("stream: %d messages then %v; want 2 then Unavailable", n, stream.Err())
			}
			if d := detailOf(t, stream.Err()); d.GetReason() != switchboardv1.ErrorReason_ERROR_REASON_UPSTREAM {
				t.Fatalf("stream detail = %v", d)
			}
		})
	}
}

func TestAStreamWithoutChunksIsAnUpstreamError(t *testing.T) {
	core := &servertest.Core{StreamFunc: func(ctx context.Context, _ *llm.Request) (llm.Stream, error) {
		return servertest.NewStream(ctx), nil
	}}
	r := start(t, core, nil)
	stream, err := completionClient(r).StreamComplete(context.Background(), withKey(streamMsg(), r.auth.Secret))
	if err != nil {
		t.Fatal(err)
	}
	if stream.Receive() || codeOf(stream.Err()) != connect.CodeUnavailable {
		t.Fatalf("empty stream: %v", stream.Err())
	}
}
