package e2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
)

// nanoPerToken is what one output token of a deployment priced at usd per
// million costs, in nano-USD.
func nanoPerToken(usdPerMillion int64) int64 { return usdPerMillion * 1000 }

// burst sends n requests at once, alternating between the two instances,
// and returns their results in order.
func (p *pair) burst(t *testing.T, n int, send func(in *instance) shimResult) []shimResult {
	t.Helper()
	out := make([]shimResult, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		in := p.instances()[i%2]
		wg.Go(func() {
			<-start
			out[i] = send(in)
		})
	}
	close(start)
	wg.Wait()
	return out
}

func countStatus(rs []shimResult, status int) int {
	n := 0
	for _, r := range rs {
		if r.status == status {
			n++
		}
	}
	return n
}

// TestLimitsAcrossTwoInstances runs the limits, budgets and idempotency
// acceptance cases against two real gateway processes sharing PostgreSQL
// and Redis.
func TestLimitsAcrossTwoInstances(t *testing.T) {
	p := startPair(t)

	t.Run("RPMIsExactAcrossInstances", func(t *testing.T) {
		const n = 4
		_, secret := p.key(t, "rpm", &switchboardv1.KeyLimits{RequestsPerMinute: n})
		rs := p.burst(t, 3*n, func(in *instance) shimResult { return p.chatOn(t, in, secret, "exact", 5, "", nil) })
		if ok, limited := countStatus(rs, 200), countStatus(rs, 429); ok != n || limited != 2*n {
			t.Fatalf("%d answered and %d limited of %d, want exactly %d and %d", ok, limited, 3*n, n, 2*n)
		}
		for _, r := range rs {
			h := r.header
			if r.status == 200 {
				if h.Get("X-Ratelimit-Limit-Requests") != strconv.Itoa(n) || h.Get("X-Ratelimit-Remaining-Requests") == "" || h.Get("X-Ratelimit-Reset-Requests") == "" {
					t.Errorf("headers of an answer: %v", h)
				}
				continue
			}
			secs, err := strconv.Atoi(h.Get("Retry-After"))
			if err != nil || secs < 1 || secs > 60 || h.Get("Retry-After-Ms") == "" || h.Get("X-Switchboard-Limit-Kind") != "rpm" ||
				h.Get("X-Ratelimit-Limit-Requests") != strconv.Itoa(n) || h.Get("X-Ratelimit-Remaining-Requests") != "0" {
				t.Errorf("headers of a 429: %v", h)
			}
			if e := decodeShimError(t, r.body); e.Type != "rate_limit_error" || e.Code != "rate_limit_exceeded" {
				t.Errorf("429 body %s", r.body)
			}
		}
	})

	t.Run("BudgetAdmitsExactlyTenAtWorstCase", func(t *testing.T) {
		const maxTokens = 10
		worst := maxTokens * nanoPerToken(exactOutputPrice) // input is free; the reply is cut to exactly max_tokens
		budget := 10 * worst
		keyID, secret := p.key(t, "budget-exact", &switchboardv1.KeyLimits{BudgetNanoUsd: budget})
		before := p.sim.Served().Requests
		rs := p.burst(t, 50, func(in *instance) shimResult { return p.chatOn(t, in, secret, "exact", maxTokens, longReply, nil) })
		if ok := countStatus(rs, 200); ok != 10 || countStatus(rs, 429) != 40 {
			t.Fatalf("%d of 50 answered, %d refused; want exactly 10 and 40", ok, countStatus(rs, 429))
		}
		if served := p.sim.Served().Requests - before; served != 10 {
			t.Fatalf("the simulator served %d, want 10: refused requests must not reach it", served)
		}
		for _, r := range rs {
			if r.status == 429 && (r.header.Get("X-Switchboard-Limit-Kind") != "budget" || decodeShimError(t, r.body).Code != "budget_exceeded") {
				t.Fatalf("refusal %v %s", r.header, r.body)
			}
		}
		p.ledgerSettles(t, keyID, budget, budget)
	})

	t.Run("SettlementFreesTheDifference", func(t *testing.T) {
		const maxTokens = 10
		worst := maxTokens * nanoPerToken(exactOutputPrice)
		budget := 2 * worst
		keyID, secret := p.key(t, "budget-settle", &switchboardv1.KeyLimits{BudgetNanoUsd: budget})
		// Each answer is one token ("Fine"): a tenth of its reservation.
		actual := nanoPerToken(exactOutputPrice)
		// Without settlement only 2 would fit; with it, requests go on
		// while spent + worst <= budget: 1 + (budget-worst)/actual of them.
		want := int(1 + (budget-worst)/actual)
		answered := 0
		for i := range want + 3 {
			r := p.chatOn(t, p.instances()[i%2], secret, "exact", maxTokens, "Fine", nil)
			if r.status != 200 {
				if r.status != 429 || r.header.Get("X-Switchboard-Limit-Kind") != "budget" {
					t.Fatalf("request %d: %d %s", i, r.status, r.body)
				}
				break
			}
			answered++
		}
		if answered != want {
			t.Fatalf("%d requests answered, want %d: settlement must free each unspent reservation", answered, want)
		}
		p.ledgerSettles(t, keyID, int64(want)*actual, budget)
	})

	t.Run("DowngradeOnceSpent", func(t *testing.T) {
		const maxTokens = 10
		worstBig := maxTokens * nanoPerToken(dearOutputPrice)
		keyID, secret := p.key(t, "downgrade", nil)
		_, err := p.admin(p.a).SetLimits(context.Background(), connect.NewRequest(&switchboardv1.SetLimitsRequest{Limits: &switchboardv1.LimitSettings{
			Scope: "key:" + keyID, Budgets: []*switchboardv1.Budget{{Window: switchboardv1.BudgetWindow_BUDGET_WINDOW_DAILY,
				LimitNanoUsd: worstBig, Policy: switchboardv1.BudgetPolicy_BUDGET_POLICY_DOWNGRADE, DowngradeAlias: "small"}},
		}}))
		if err != nil {
			t.Fatal(err)
		}
		first := p.chatOn(t, p.a, secret, "big", maxTokens, longReply, nil)
		if first.status != 200 || first.header.Get("X-Switchboard-Deployment") != "dear" {
			t.Fatalf("first: %d %v", first.status, first.header)
		}
		// Instance b reads the settings within settings_refresh.
		var second shimResult
		eventually(t, "instance b downgrades once the budget is spent", func() bool {
			second = p.chatOn(t, p.b, secret, "big", maxTokens, longReply, nil)
			return second.header.Get("X-Switchboard-Downgraded-To") == "small"
		})
		if second.status != 200 || second.header.Get("X-Switchboard-Deployment") != "cheap" {
			t.Fatalf("downgraded: %d %v %s", second.status, second.header, second.body)
		}
		usage, err := p.admin(p.b).GetLimitUsage(context.Background(), connect.NewRequest(&switchboardv1.GetLimitUsageRequest{Scope: "key:" + keyID}))
		if err != nil {
			t.Fatal(err)
		}
		if b := usage.Msg.GetBudgets(); len(b) != 1 || b[0].GetSpentNanoUsd() < worstBig || b[0].GetRemainingNanoUsd() != 0 {
			t.Fatalf("usage %v", usage.Msg)
		}
	})

	t.Run("MaxCostRejectsBeforeAnyUpstreamCall", func(t *testing.T) {
		_, secret := p.key(t, "max-cost", nil)
		before := p.sim.Served().Requests
		// 10 tokens at $100 per million: $0.001 at worst.
		r := p.chatOn(t, p.a, secret, "exact", 10, "", map[string]string{"X-Switchboard-Max-Cost": "0.0009"})
		if e := decodeShimError(t, r.body); r.status != 400 || e.Code != "max_cost_exceeded" || e.Type != "invalid_request_error" {
			t.Fatalf("%d %s", r.status, r.body)
		}
		if served := p.sim.Served().Requests - before; served != 0 {
			t.Fatalf("the simulator served %d requests refused by max_cost", served)
		}
		if r := p.chatOn(t, p.b, secret, "exact", 10, "", map[string]string{"X-Switchboard-Max-Cost": "0.001"}); r.status != 200 {
			t.Fatalf("at exactly the worst case: %d %s", r.status, r.body)
		}
	})

	t.Run("IdempotentRetrySequential", func(t *testing.T) {
		keyID, secret := p.key(t, "idem-seq", nil)
		before := p.sim.Served().Requests
		hdr := map[string]string{"Idempotency-Key": "order-1234"}
		first := p.chatOn(t, p.a, secret, "exact", 10, longReply, hdr)
		retry := p.chatOn(t, p.b, secret, "exact", 10, longReply, hdr)
		if first.status != 200 || retry.status != 200 || retry.body != first.body {
			t.Fatalf("first %d, retry %d:\n%s\n%s", first.status, retry.status, first.body, retry.body)
		}
		if retry.header.Get("X-Switchboard-Idempotent-Replay") != "true" || first.header.Get("X-Switchboard-Idempotent-Replay") != "" {
			t.Fatalf("replay header: first %q, retry %q", first.header.Get("X-Switchboard-Idempotent-Replay"), retry.header.Get("X-Switchboard-Idempotent-Replay"))
		}
		if served := p.sim.Served().Requests - before; served != 1 {
			t.Fatalf("%d upstream calls, want 1", served)
		}
		p.ledgerSettles(t, keyID, 10*nanoPerToken(exactOutputPrice), 0)
		// The same key with another request is refused.
		if r := p.chatOn(t, p.a, secret, "exact", 11, longReply, hdr); r.status != 422 || decodeShimError(t, r.body).Code != "idempotency_key_reused" {
			t.Fatalf("reused key: %d %s", r.status, r.body)
		}
	})

	t.Run("IdempotentRetryConcurrent", func(t *testing.T) {
		keyID, secret := p.key(t, "idem-conc", nil)
		before := p.sim.Served().Requests
		hdr := map[string]string{"Idempotency-Key": "order-5678"}
		rs := p.burst(t, 6, func(in *instance) shimResult { return p.chatOn(t, in, secret, "exact", 10, longReply, hdr) })
		replays := 0
		for _, r := range rs {
			if r.status != 200 || r.body != rs[0].body {
				t.Fatalf("%d %s (first: %s)", r.status, r.body, rs[0].body)
			}
			if r.header.Get("X-Switchboard-Idempotent-Replay") == "true" {
				replays++
			}
		}
		if served := p.sim.Served().Requests - before; served != 1 || replays != 5 {
			t.Fatalf("%d upstream calls and %d replays, want 1 and 5", served, replays)
		}
		p.ledgerSettles(t, keyID, 10*nanoPerToken(exactOutputPrice), 0)
	})

	t.Run("DeploymentLimitsAreSharedByInstances", func(t *testing.T) {
		_, secret := p.key(t, "deployment", nil)
		rs := p.burst(t, 6, func(in *instance) shimResult { return p.chatOn(t, in, secret, "capped", 5, "", nil) })
		served := map[string]int{}
		for _, r := range rs {
			if r.status != 200 {
				t.Fatalf("%d %s", r.status, r.body)
			}
			served[r.header.Get("X-Switchboard-Deployment")]++
		}
		if served["capped"] != 3 || served["spare"] != 3 {
			t.Fatalf("served %v: capped accepts 3 a minute across both instances", served)
		}
	})

	t.Run("StreamsSettleAtTheirEnd", func(t *testing.T) {
		const maxTokens = 10
		worst := maxTokens * nanoPerToken(exactOutputPrice)
		keyID, secret := p.key(t, "budget-stream", &switchboardv1.KeyLimits{BudgetNanoUsd: 2 * worst})
		for i, want := range []int{200, 200, 429} {
			r := p.streamOn(t, p.instances()[i%2], secret, "exact", maxTokens, longReply)
			if r.status != want {
				t.Fatalf("stream %d: %d %s, want %d", i, r.status, r.body, want)
			}
			if want == 200 && !strings.HasSuffix(strings.TrimSpace(r.body), "data: [DONE]") {
				t.Fatalf("stream %d did not end cleanly: %s", i, r.body)
			}
		}
		p.ledgerSettles(t, keyID, 2*worst, 2*worst)
	})

	t.Run("AnthropicFrontDoorRateLimitShape", func(t *testing.T) {
		_, secret := p.key(t, "anthropic", &switchboardv1.KeyLimits{RequestsPerMinute: 1})
		var last shimResult
		for range 2 {
			last = p.anthropicOn(t, p.a, secret, `{"model":"exact","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`)
		}
		var e struct {
			Type  string `json:"type"`
			Error struct {
				Type string `json:"type"`
			} `json:"error"`
		}
		if err := json.Unmarshal([]byte(last.body), &e); err != nil || last.status != 429 || e.Type != "error" || e.Error.Type != "rate_limit_error" {
			t.Fatalf("%d %s", last.status, last.body)
		}
		if h := last.header; h.Get("Retry-After") == "" || h.Get("X-Switchboard-Limit-Kind") != "rpm" || h.Get("X-Ratelimit-Limit-Requests") != "1" {
			t.Fatalf("headers %v", h)
		}
	})

	t.Run("ConnectResourceExhaustedWithRetryInfo", func(t *testing.T) {
		keyID, secret := p.key(t, "connect", &switchboardv1.KeyLimits{RequestsPerMinute: 1, BudgetNanoUsd: 1_000_000_000})
		c := switchboardv1connect.NewCompletionServiceClient(p.client, p.b.url)
		call := func(key string) (*connect.Response[switchboardv1.CompleteResponse], error) {
			maxTokens := int64(5)
			return c.Complete(context.Background(), authed(&switchboardv1.CompleteRequest{Model: "exact", MaxTokens: &maxTokens,
				Messages: userMessage("hi"), IdempotencyKey: key}, secret))
		}
		resp, err := call("")
		if err != nil {
			t.Fatal(err)
		}
		if resp.Header().Get("X-Ratelimit-Limit-Requests") != "1" {
			t.Fatalf("headers %v", resp.Header())
		}
		_, err = call("")
		var ce *connect.Error
		if !errors.As(err, &ce) || ce.Code() != connect.CodeResourceExhausted {
			t.Fatalf("%v, want ResourceExhausted", err)
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
		if retry == nil || retry.GetRetryDelay().AsDuration() <= 0 || detail.GetReason() != switchboardv1.ErrorReason_ERROR_REASON_RATE_LIMITED {
			t.Fatalf("details: retry %v, detail %v", retry, detail)
		}
		if ce.Meta().Get("X-Switchboard-Limit-Kind") != "rpm" || ce.Meta().Get("X-Ratelimit-Remaining-Requests") != "0" {
			t.Fatalf("metadata %v", ce.Meta())
		}
		// A budget refusal has its own reason.
		if _, err := p.admin(p.a).SetLimits(context.Background(), connect.NewRequest(&switchboardv1.SetLimitsRequest{Limits: &switchboardv1.LimitSettings{
			Scope: "key:" + keyID, RequestsPerMinute: 1000, Budgets: []*switchboardv1.Budget{{Window: switchboardv1.BudgetWindow_BUDGET_WINDOW_LIFETIME, LimitNanoUsd: 1}},
		}})); err != nil {
			t.Fatal(err)
		}
		eventually(t, "the budget applies on instance b", func() bool {
			_, err := call("")
			return errors.As(err, &ce) && ce.Code() == connect.CodeResourceExhausted && ce.Meta().Get("X-Switchboard-Limit-Kind") == "budget"
		})
		if d := errorDetail(t, ce); d.GetReason() != switchboardv1.ErrorReason_ERROR_REASON_BUDGET_EXCEEDED || d.GetCode() != "budget_exceeded" {
			t.Fatalf("budget detail %v", d)
		}
	})
}

type shimError struct {
	Type, Code string
}

func decodeShimError(t *testing.T, body string) shimError {
	t.Helper()
	var e struct {
		Error struct {
			Type string  `json:"type"`
			Code *string `json:"code"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		return shimError{}
	}
	out := shimError{Type: e.Error.Type}
	if e.Error.Code != nil {
		out.Code = *e.Error.Code
	}
	return out
}
