package openai_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/server/internal/servertest"
)

const costHeader = "X-Switchboard-Cost-Usd"

func TestUnaryAnswersCarryTheirCost(t *testing.T) {
	core := &servertest.Core{CompleteFunc: func(ctx context.Context, req *llm.Request) (*llm.Response, error) {
		resp := servertest.Answer("hello")
		resp.Cost = llm.Cost{NanoUSD: 123_450}
		return resp, nil
	}}
	s := newShim(t, core, 0)
	resp := s.do(t, http.MethodPost, "/v1/chat/completions", `{"model":"demo","messages":[{"role":"user","content":"hi"}]}`)
	if resp.StatusCode != 200 || resp.Header.Get(costHeader) != "0.000123450" {
		t.Fatalf("status %d, cost header %q", resp.StatusCode, resp.Header.Get(costHeader))
	}
}

// A stream's cost is known at its end: it is in the include_usage chunk
// (an extra "switchboard" object) and in an HTTP trailer.
func TestStreamsCarryTheirCostAtTheEnd(t *testing.T) {
	chunks := servertest.Chunks("Hel", "lo")
	chunks[len(chunks)-1].Cost = &llm.Cost{NanoUSD: 2_000_000_007, Estimated: true}
	core := &servertest.Core{StreamFunc: func(ctx context.Context, _ *llm.Request) (llm.Stream, error) {
		return servertest.NewStream(ctx, chunks...), nil
	}}
	s := newShim(t, core, 0)
	for _, includeUsage := range []bool{true, false} {
		body := `{"model":"demo","stream":true,"messages":[{"role":"user","content":"hi"}]}`
		if includeUsage {
			body = `{"model":"demo","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}`
		}
		resp := s.do(t, http.MethodPost, "/v1/chat/completions", body)
		// Go's client lists the announced trailers before the body is read.
		if _, announced := resp.Trailer[costHeader]; !announced {
			t.Errorf("include_usage=%v: the cost trailer is not announced: %v", includeUsage, resp.Trailer)
		}
		raw, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if got := resp.Trailer.Get(costHeader); got != "2.000000007" {
			t.Errorf("include_usage=%v: trailer %q (trailers %v)", includeUsage, got, resp.Trailer)
		}
		var last map[string]json.RawMessage
		for _, line := range strings.Split(string(raw), "\n") {
			if data, ok := strings.CutPrefix(line, "data: "); ok && data != "[DONE]" {
				last = nil
				if err := json.Unmarshal([]byte(data), &last); err != nil {
					t.Fatalf("%s: %v", data, err)
				}
			}
		}
		ext, ok := last["switchboard"]
		if includeUsage != ok {
			t.Fatalf("include_usage=%v: last chunk %s", includeUsage, raw)
		}
		if ok && string(ext) != `{"cost_usd":"2.000000007","estimated":true}` {
			t.Errorf("extension %s", ext)
		}
	}
}

// A stream that breaks after output still tells what it cost.
func TestBrokenStreamsTellTheirCostInTheTrailer(t *testing.T) {
	core := &servertest.Core{StreamFunc: func(ctx context.Context, _ *llm.Request) (llm.Stream, error) {
		st := servertest.NewStream(ctx, servertest.Chunks("Hel")[0])
		st.Err = &llm.RouteError{Err: &llm.Error{Kind: llm.KindUpstream, Message: "cut"}, Cost: &llm.Cost{NanoUSD: 42, Estimated: true}}
		return st, nil
	}}
	s := newShim(t, core, 0)
	resp := s.do(t, http.MethodPost, "/v1/chat/completions", `{"model":"demo","stream":true,"messages":[{"role":"user","content":"hi"}]}`)
	if _, err := io.ReadAll(resp.Body); err != nil {
		t.Fatal(err)
	}
	if got := resp.Trailer.Get(costHeader); got != "0.000000042" {
		t.Errorf("trailer %q", got)
	}
}
