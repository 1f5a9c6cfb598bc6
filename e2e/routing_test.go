package e2e_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"connectrpc.com/connect"

	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
)

// Routing through the real gateway: the simulator behind the real
// translators, with faults injected server-wide (sim.faults) so that they
// hit one deployment and not the other.

const failoverConfig = `
defaults: {demo: false, env_providers: false}
providers:
  sim-down:
    kind: sim
    sim: {faults: [{probability: 1, fault: "status=503"}]}
  sim-ok:
    kind: sim
    dialect: anthropic
deployments:
  down: {provider: sim-down, model: m-down, breaker: {enabled: false}}
  ok: {provider: sim-ok, model: m-ok}
aliases:
  chat:
    deployments: [down, ok]
`

func TestFailoverHeadersOnTheShim(t *testing.T) {
	r := startRouted(t, failoverConfig)
	for _, stream := range []bool{false, true} {
		resp := r.shimChat(t, "chat", "hi", stream)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("stream=%v: %d %s", stream, resp.StatusCode, body)
		}
		h := resp.Header
		if h.Get("X-Switchboard-Deployment") != "ok" || h.Get("X-Switchboard-Provider") != "sim-ok" || h.Get("X-Switchboard-Alias") != "chat" {
			t.Errorf("stream=%v: headers %v", stream, h)
		}
		entries := attemptEntries(h.Get("X-Switchboard-Attempts"))
		if len(entries) != 2 || entries[0]["deployment"] != "down" || entries[0]["outcome"] != "failed" ||
			entries[0]["kind"] != "overloaded" || entries[0]["status"] != "503" ||
			entries[1]["deployment"] != "ok" || entries[1]["reason"] != "failover" {
			t.Errorf("stream=%v: attempts %q", stream, h.Get("X-Switchboard-Attempts"))
		}
		want := "ok"
		if stream {
			want = "streaming" // the headers leave with the first chunk
		}
		if entries[1]["outcome"] != want {
			t.Errorf("stream=%v: outcome %q", stream, entries[1]["outcome"])
		}
	}
}

func TestFailoverFactsOverConnect(t *testing.T) {
	r := startRouted(t, failoverConfig)
	ctx := context.Background()
	for _, proto := range connectProtocols {
		t.Run(proto.name, func(t *testing.T) {
			client := switchboardv1connect.NewCompletionServiceClient(r.h2c, r.url, proto.opts...)
			resp, err := client.Complete(ctx, authed(&switchboardv1.CompleteRequest{Model: "chat", Messages: userMessage("hi")}, r.secret))
			if err != nil {
				t.Fatal(err)
			}
			if resp.Header().Get("X-Switchboard-Deployment") != "ok" || !strings.Contains(resp.Header().Get("X-Switchboard-Attempts"), "down;reason=first;outcome=failed") {
				t.Errorf("headers %v", resp.Header())
			}
			rt := resp.Msg.GetRoute()
			if rt.GetAlias() != "chat" || len(rt.GetAttempts()) != 2 {
				t.Fatalf("route %v", rt)
			}
			first, second := rt.GetAttempts()[0], rt.GetAttempts()[1]
			if first.GetDeployment() != "down" || first.GetOutcome() != switchboardv1.AttemptOutcome_ATTEMPT_OUTCOME_FAILED ||
				first.GetErrorReason() != switchboardv1.ErrorReason_ERROR_REASON_OVERLOADED || first.GetUpstreamStatus() != 503 ||
				!first.GetUsageEstimated() {
				t.Errorf("first attempt %v", first)
			}
			if second.GetDeployment() != "ok" || second.GetReason() != switchboardv1.AttemptReason_ATTEMPT_REASON_FAILOVER ||
				second.GetOutcome() != switchboardv1.AttemptOutcome_ATTEMPT_OUTCOME_OK || second.GetUsage().GetOutputTokens() == 0 {
				t.Errorf("second attempt %v", second)
			}

			stream, err := client.StreamComplete(ctx, authed(&switchboardv1.StreamCompleteRequest{Model: "chat", Messages: userMessage("hi")}, r.secret))
			if err != nil {
				t.Fatal(err)
			}
			var routes []*switchboardv1.Route
			for stream.Receive() {
				if rt := stream.Msg().GetRoute(); rt != nil {
					routes = append(routes, rt)
				}
			}
			if err := stream.Err(); err != nil {
				t.Fatal(err)
			}
			if len(routes) != 1 || len(routes[0].GetAttempts()) != 2 || routes[0].GetAttempts()[1].GetOutcome() != switchboardv1.AttemptOutcome_ATTEMPT_OUTCOME_STREAMING {
				t.Errorf("stream routes %v", routes)
			}
			if !strings.Contains(stream.ResponseHeader().Get("X-Switchboard-Attempts"), "ok;reason=failover;outcome=streaming") {
				t.Errorf("stream headers %v", stream.ResponseHeader())
			}
		})
	}
}

// Every deployment failing: the caller gets the error, and the attempts
// that were made, on both transports.
func TestAttemptsOnErrors(t *testing.T) {
	r := startRouted(t, `
defaults: {demo: false, env_providers: false}
providers:
  sim-down: {kind: sim, sim: {faults: [{probability: 1, fault: "status=503"}]}}
deployments:
  a: {provider: sim-down, model: m, breaker: {enabled: false}}
  b: {provider: sim-down, model: m, breaker: {enabled: false}}
aliases:
  chat: {deployments: [a, b], retry: {max_retries: 0}}
`)
	resp := r.shimChat(t, "chat", "hi", false)
	_, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if e := attemptEntries(resp.Header.Get("X-Switchboard-Attempts")); len(e) != 2 || e[0]["deployment"] != "a" || e[1]["deployment"] != "b" {
		t.Errorf("attempts %q", resp.Header.Get("X-Switchboard-Attempts"))
	}
	client := switchboardv1connect.NewCompletionServiceClient(r.h2c, r.url)
	_, err := client.Complete(context.Background(), authed(&switchboardv1.CompleteRequest{Model: "chat", Messages: userMessage("hi")}, r.secret))
	var ce *connect.Error
	if !asConnect(err, &ce) || ce.Code() != connect.CodeUnavailable || len(attemptEntries(ce.Meta().Get("X-Switchboard-Attempts"))) != 2 {
		t.Errorf("connect error %v meta %v", err, ce)
	}
}

func asConnect(err error, ce **connect.Error) bool {
	e, ok := err.(*connect.Error)
	*ce = e
	return ok
}

const ttftConfig = `
defaults: {demo: false, env_providers: false}
providers:
  sim-stuck: {kind: sim, dialect: gemini, sim: {ttft: 10m}}
  sim-ok: {kind: sim}
deployments:
  stuck: {provider: sim-stuck, model: m, timeouts: {ttft: 100ms}, breaker: {enabled: false}}
  ok: {provider: sim-ok, model: m}
aliases:
  chat: {deployments: [stuck, ok]}
`

// A deployment that sends no first token within its TTFT timeout is left
// for the next one; the caller sees one clean stream.
func TestFirstTokenTimeoutFailsOverOnBothTransports(t *testing.T) {
	r := startRouted(t, ttftConfig)
	resp := r.shimChat(t, "chat", "Tell me a story.", true)
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	events, done := readSSE(t, resp.Body)
	if !done || len(events) == 0 || resp.Header.Get("X-Switchboard-Deployment") != "ok" {
		t.Fatalf("done %v, %d events, headers %v", done, len(events), resp.Header)
	}
	e := attemptEntries(resp.Header.Get("X-Switchboard-Attempts"))
	if len(e) != 2 || e[0]["deployment"] != "stuck" || e[0]["kind"] != "timeout" {
		t.Errorf("attempts %q", resp.Header.Get("X-Switchboard-Attempts"))
	}

	client := switchboardv1connect.NewCompletionServiceClient(r.h2c, r.url, connect.WithGRPC())
	stream, err := client.StreamComplete(context.Background(), authed(&switchboardv1.StreamCompleteRequest{Model: "chat", Messages: userMessage("Tell me a story.")}, r.secret))
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for stream.Receive() {
		text.WriteString(stream.Msg().GetText())
		if d := stream.Msg().GetDeployment(); d != "ok" {
			t.Fatalf("chunk from %q", d)
		}
	}
	if err := stream.Err(); err != nil || text.Len() == 0 {
		t.Fatalf("text %q err %v", text.String(), err)
	}
}

const brokenConfig = `
defaults: {demo: false, env_providers: false}
providers:
  sim-cut: {kind: sim, sim: {faults: [{probability: 1, fault: "disconnect_after=4"}]}}
  sim-ok: {kind: sim, dialect: anthropic}
deployments:
  cut: {provider: sim-cut, model: m, breaker: {enabled: false}}
  ok: {provider: sim-ok, model: m}
aliases:
  plain: {deployments: [cut, ok]}
  resumed:
    deployments: [cut, ok]
    continuation: {enabled: true}
`

// A stream broken after output reached the caller ends with an explicit
// error on both transports: an error event and no [DONE] on the shim, an
// error status over Connect, gRPC and gRPC-Web. Never a clean end.
func TestBreakAfterOutputIsExplicitOnBothTransports(t *testing.T) {
	r := startRouted(t, brokenConfig)
	resp := r.shimChat(t, "plain", "Tell me a long story.", true)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	events, done := readSSE(t, resp.Body)
	if done {
		t.Fatal("a broken stream ended with [DONE]")
	}
	if len(events) < 2 || events[len(events)-1].chunk.Error == nil {
		t.Fatalf("no error event at the end: %d events, last %q", len(events), events[len(events)-1].raw)
	}
	if last := events[len(events)-1].chunk.Error; last.Type != "server_error" {
		t.Errorf("error event %+v", last)
	}
	for _, proto := range connectProtocols {
		client := switchboardv1connect.NewCompletionServiceClient(r.h2c, r.url, proto.opts...)
		stream, err := client.StreamComplete(context.Background(), authed(&switchboardv1.StreamCompleteRequest{Model: "plain", Messages: userMessage("Tell me a long story.")}, r.secret))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for stream.Receive() {
			n++
		}
		if n == 0 || connect.CodeOf(stream.Err()) != connect.CodeUnavailable {
			t.Errorf("%s: %d messages, then %v", proto.name, n, stream.Err())
		}
	}
}

// With continuation, the broken stream resumes on the next deployment and
// the caller reads one coherent stream: one role, one id, one finish, and
// [DONE].
func TestContinuationProducesOneCoherentStream(t *testing.T) {
	r := startRouted(t, brokenConfig)
	resp := r.shimChat(t, "resumed", "Tell me a long story.", true)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	events, done := readSSE(t, resp.Body)
	if !done {
		t.Fatalf("the continued stream did not end with [DONE]: last %q", events[len(events)-1].raw)
	}
	roles, finishes := 0, 0
	var text strings.Builder
	for _, ev := range events {
		if ev.chunk.Error != nil {
			t.Fatalf("error event %q", ev.raw)
		}
		if ev.chunk.ID != events[0].chunk.ID {
			t.Errorf("chunk id %q after %q", ev.chunk.ID, events[0].chunk.ID)
		}
		for _, c := range ev.chunk.Choices {
			if c.Delta.Role != "" {
				roles++
			}
			if c.FinishReason != nil {
				finishes++
			}
			text.WriteString(c.Delta.Content)
		}
	}
	if roles != 1 || finishes != 1 || text.Len() == 0 {
		t.Errorf("%d roles, %d finishes, text %q", roles, finishes, text.String())
	}
	// Over Connect the continuation's first message carries the new route.
	client := switchboardv1connect.NewCompletionServiceClient(r.h2c, r.url)
	stream, err := client.StreamComplete(context.Background(), authed(&switchboardv1.StreamCompleteRequest{Model: "resumed", Messages: userMessage("Tell me a long story.")}, r.secret))
	if err != nil {
		t.Fatal(err)
	}
	var last *switchboardv1.Route
	deployments := map[string]bool{}
	for stream.Receive() {
		if rt := stream.Msg().GetRoute(); rt != nil {
			last = rt
		}
		deployments[stream.Msg().GetDeployment()] = true
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if !deployments["cut"] || !deployments["ok"] || last == nil || len(last.GetAttempts()) != 2 ||
		last.GetAttempts()[0].GetOutcome() != switchboardv1.AttemptOutcome_ATTEMPT_OUTCOME_BROKEN ||
		last.GetAttempts()[1].GetReason() != switchboardv1.AttemptReason_ATTEMPT_REASON_CONTINUATION {
		t.Errorf("deployments %v, last route %v", deployments, last)
	}
}

// A provider outage degrades aliases but does not make the instance
// unready; AdminService.ListDeployments shows the open breaker.
func TestReadinessAndDeploymentStatus(t *testing.T) {
	r := startRouted(t, `
defaults: {demo: false, env_providers: false}
providers:
  sim-down: {kind: sim, sim: {faults: [{probability: 1, fault: "status=500"}]}}
  sim-ok: {kind: sim}
deployments:
  down: {provider: sim-down, model: m, breaker: {consecutive_failures: 2, open_for: 1h}}
  ok: {provider: sim-ok, model: m}
aliases:
  chat: {deployments: [down, ok]}
  solo: {deployments: [down]}
`)
	resp := r.do(t, http.MethodGet, "/readyz", "", "", "")
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(body) != "ok\n" {
		t.Fatalf("healthy: %d %q", resp.StatusCode, body)
	}
	for range 2 {
		resp := r.shimChat(t, "chat", "hi", false)
		_, _ = io.ReadAll(resp.Body)
	}
	resp = r.do(t, http.MethodGet, "/readyz", "", "", "")
	body, _ = io.ReadAll(resp.Body)
	want := "ok\ndegraded: chat (1 of 2 deployments unavailable), solo (all 1 deployments unavailable)\n"
	if resp.StatusCode != http.StatusOK || string(body) != want {
		t.Fatalf("degraded: %d %q, want 200 %q", resp.StatusCode, body, want)
	}

	admin := switchboardv1connect.NewAdminServiceClient(r.h2c, r.url)
	list, err := admin.ListDeployments(context.Background(), authed(&switchboardv1.ListDeploymentsRequest{}, r.adminKey))
	if err != nil {
		t.Fatal(err)
	}
	var down *switchboardv1.DeploymentStatus
	for _, d := range list.Msg.GetDeployments() {
		if d.GetName() == "down" {
			down = d
		}
	}
	if down == nil || down.GetBreakerState() != switchboardv1.BreakerState_BREAKER_STATE_OPEN || down.GetProbeTime() == nil ||
		down.GetErrorRate() != 1 || len(down.GetAliases()) != 2 {
		t.Errorf("down %v", down)
	}
	if len(list.Msg.GetAliases()) != 2 || list.Msg.GetAliases()[0].GetAvailable() != 1 {
		t.Errorf("aliases %v", list.Msg.GetAliases())
	}
	// A virtual key may not call it.
	if _, err := admin.ListDeployments(context.Background(), authed(&switchboardv1.ListDeploymentsRequest{}, r.secret)); connect.CodeOf(err) != connect.CodeUnauthenticated && connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Errorf("virtual key: %v", err)
	}
}
