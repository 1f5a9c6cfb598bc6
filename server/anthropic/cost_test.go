package anthropic_test

import (
	"context"
	"io"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/server/anthropic"
	"github.com/switchboard-gw/switchboard/server/internal/servertest"
)

const costHeader = "X-Switchboard-Cost-Usd"

// The Messages front door tells the cost as the shim does: a header on a
// whole message, a trailer at the end of a stream.
func TestMessagesCarryTheirCost(t *testing.T) {
	chunks := servertest.Chunks("Hel", "lo")
	chunks[len(chunks)-1].Cost = &llm.Cost{NanoUSD: 987_654_321}
	core := &servertest.Core{
		CompleteFunc: func(context.Context, *llm.Request) (*llm.Response, error) {
			resp := servertest.Answer("hello")
			resp.Cost = llm.Cost{NanoUSD: 1_234}
			return resp, nil
		},
		StreamFunc: func(ctx context.Context, _ *llm.Request) (llm.Stream, error) {
			return servertest.NewStream(ctx, chunks...), nil
		},
	}
	d := newDoor(t, core, core, 0)
	body := `{"model":"demo","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}`
	resp := d.post(t, anthropic.PathMessages, body)
	if resp.StatusCode != 200 || resp.Header.Get(costHeader) != "0.000001234" {
		t.Fatalf("status %d, cost header %q", resp.StatusCode, resp.Header.Get(costHeader))
	}
	resp = d.post(t, anthropic.PathMessages, `{"model":"demo","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"hi"}]}`)
	if _, announced := resp.Trailer[costHeader]; !announced {
		t.Errorf("the cost trailer is not announced: %v", resp.Trailer)
	}
	if _, err := io.ReadAll(resp.Body); err != nil {
		t.Fatal(err)
	}
	if got := resp.Trailer.Get(costHeader); got != "0.987654321" {
		t.Errorf("trailer %q", got)
	}
}
