package server_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	"github.com/switchboard-gw/switchboard/billing/admit"
	"github.com/switchboard-gw/switchboard/billing/ratelimit"
	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/server"
	"github.com/switchboard-gw/switchboard/server/internal/servertest"
)

// rateLimited is the error billing/ratelimit gives a request over its
// key's RPM.
func rateLimited() error {
	d := ratelimit.Decision{RetryAfter: 1500 * time.Millisecond, Statuses: []ratelimit.Status{{
		Limit: ratelimit.Limit{Scope: "key:key_x", Kind: ratelimit.RPM, PerMinute: 3}, Requested: 1, Remaining: 0,
		Reset: 40 * time.Second, Exceeded: true, RetryAfter: 1500 * time.Millisecond,
	}}}
	return d.Err()
}

func TestConnectErrorOfARateLimitCarriesRetryInfoAndHeaders(t *testing.T) {
	ce := server.ConnectError(rateLimited())
	if ce.Code() != connect.CodeResourceExhausted {
		t.Fatalf("code %v", ce.Code())
	}
	var retry *errdetails.RetryInfo
	var detail *switchboardv1.ErrorDetail
	for _, d := range ce.Details() {
		switch v, _ := d.Value(); m := v.(type) {
		case *errdetails.RetryInfo:
			retry = m
		case *switchboardv1.ErrorDetail:
			detail = m
		}
	}
	if retry.GetRetryDelay().AsDuration() != 1500*time.Millisecond || detail.GetReason() != switchboardv1.ErrorReason_ERROR_REASON_RATE_LIMITED {
		t.Fatalf("retry %v detail %v", retry, detail)
	}
	m := ce.Meta()
	if m.Get("Retry-After") != "2" || m.Get("X-Switchboard-Limit-Kind") != "rpm" || m.Get("X-Ratelimit-Limit-Requests") != "3" || m.Get("X-Ratelimit-Remaining-Requests") != "0" {
		t.Fatalf("metadata %v", m)
	}
}

func TestConnectCodesOfAdmissionRefusals(t *testing.T) {
	for code, want := range map[string]struct {
		code   connect.Code
		reason switchboardv1.ErrorReason
	}{
		admit.CodeBudgetExceeded:        {connect.CodeResourceExhausted, switchboardv1.ErrorReason_ERROR_REASON_BUDGET_EXCEEDED},
		admit.CodeMaxCostExceeded:       {connect.CodeInvalidArgument, switchboardv1.ErrorReason_ERROR_REASON_MAX_COST_EXCEEDED},
		admit.CodeIdempotencyConflict:   {connect.CodeFailedPrecondition, switchboardv1.ErrorReason_ERROR_REASON_IDEMPOTENCY_CONFLICT},
		admit.CodeIdempotencyInProgress: {connect.CodeAborted, switchboardv1.ErrorReason_ERROR_REASON_IDEMPOTENCY_IN_PROGRESS},
	} {
		kind := llm.KindInvalidRequest
		if code == admit.CodeBudgetExceeded {
			kind = llm.KindRateLimited
		}
		ce := server.ConnectError(&llm.Error{Kind: kind, Code: code, Message: "refused"})
		var detail *switchboardv1.ErrorDetail
		for _, d := range ce.Details() {
			if v, _ := d.Value(); v != nil {
				if m, ok := v.(*switchboardv1.ErrorDetail); ok {
					detail = m
				}
			}
		}
		if ce.Code() != want.code || detail.GetReason() != want.reason || detail.GetCode() != code {
			t.Errorf("%s: %v %v, want %v %v", code, ce.Code(), detail, want.code, want.reason)
		}
	}
}

// The front doors carry the admission headers in and the decisions out.
func TestShimAdmissionHeaders(t *testing.T) {
	var seen *admit.Notes
	core := &servertest.Core{CompleteFunc: func(ctx context.Context, _ *llm.Request) (*llm.Response, error) {
		seen = admit.NotesFrom(ctx)
		switch seen.IdempotencyKey {
		case "conflict":
			return nil, &llm.Error{Kind: llm.KindInvalidRequest, Code: admit.CodeIdempotencyConflict, Message: "reused"}
		case "running":
			return nil, &llm.Error{Kind: llm.KindInvalidRequest, Code: admit.CodeIdempotencyInProgress, Message: "running"}
		case "limited":
			return nil, rateLimited()
		}
		seen.Replayed = true
		return servertest.Answer("hi"), nil
	}}
	r := start(t, core, nil)
	post := func(path string, h map[string]string) *http.Response {
		body := `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`
		req, _ := http.NewRequest(http.MethodPost, r.url+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+r.auth.Secret)
		req.Header.Set("X-Api-Key", r.auth.Secret)
		req.Header.Set("Anthropic-Version", "2023-06-01")
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := r.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for _, path := range []string{"/v1/chat/completions", "/v1/messages"} {
		resp := post(path, map[string]string{"Idempotency-Key": "k1", "X-Switchboard-Max-Cost": "0.25"})
		if resp.StatusCode != 200 || seen.IdempotencyKey != "k1" || seen.MaxCostNanoUSD != 250_000_000 || resp.Header.Get("X-Switchboard-Idempotent-Replay") != "true" {
			t.Fatalf("%s: %d, notes %+v, headers %v", path, resp.StatusCode, seen, resp.Header)
		}
		for key, status := range map[string]int{"conflict": 422, "running": 409, "limited": 429} {
			if resp := post(path, map[string]string{"Idempotency-Key": key}); resp.StatusCode != status {
				t.Errorf("%s %s: %d, want %d", path, key, resp.StatusCode, status)
			} else if key == "limited" && (resp.Header.Get("X-Switchboard-Limit-Kind") != "rpm" || resp.Header.Get("Retry-After-Ms") != "1500") {
				t.Errorf("%s: headers of a 429 %v", path, resp.Header)
			}
		}
		if resp := post(path, map[string]string{"X-Switchboard-Max-Cost": "lots"}); resp.StatusCode != 400 {
			t.Errorf("%s: a malformed max cost: %d", path, resp.StatusCode)
		}
	}
	// Connect: the proto fields.
	_, err := completionClient(r).Complete(context.Background(), withKey(&switchboardv1.CompleteRequest{Model: "m", Messages: []*switchboardv1.Message{}, IdempotencyKey: "k2", MaxCostNanoUsd: 7}, r.auth.Secret))
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Logf("Complete: %v", err)
	}
	if seen.IdempotencyKey != "k2" || seen.MaxCostNanoUSD != 7 {
		t.Fatalf("Connect notes %+v", seen)
	}
	if _, err := completionClient(r).Complete(context.Background(), withKey(&switchboardv1.CompleteRequest{Model: "m", MaxCostNanoUsd: -1}, r.auth.Secret)); codeOf(err) != connect.CodeInvalidArgument {
		t.Fatalf("negative max cost: %v", err)
	}
}
