package routeheader_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/server/internal/routeheader"
)

func TestHeaders(t *testing.T) {
	h := http.Header{}
	routeheader.Set(h, &llm.Route{Alias: "chat", Rule: "hard", Attempts: []llm.Attempt{
		{Deployment: "a", Reason: llm.AttemptFirst, Outcome: llm.OutcomeFailed, ErrorKind: llm.KindOverloaded, Status: 503, Latency: 2 * time.Millisecond},
		{Deployment: "b,x", Reason: llm.AttemptFailover, Outcome: llm.OutcomeStreaming, Key: 1, Latency: 11 * time.Millisecond, TTFT: 9 * time.Millisecond},
	}})
	want := "a;reason=first;outcome=failed;kind=overloaded;status=503;ms=2, b_x;reason=failover;outcome=streaming;key=1;ms=11;ttft_ms=9"
	if got := h.Get(routeheader.Attempts); got != want {
		t.Errorf("attempts\n got %s\nwant %s", got, want)
	}
	if h.Get(routeheader.Alias) != "chat" || h.Get(routeheader.Rule) != "hard" {
		t.Errorf("headers %v", h)
	}
	h = http.Header{}
	routeheader.Set(h, nil)
	if len(h) != 0 {
		t.Errorf("nil route wrote %v", h)
	}
}
