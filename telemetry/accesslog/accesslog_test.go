package accesslog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/telemetry/accesslog"
	"github.com/switchboard-gw/switchboard/telemetry/call"
)

func jsonLogger(buf *bytes.Buffer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: level}))
}

func records(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		out = append(out, m)
	}
	return out
}

func served() *call.Record {
	rec := &call.Record{Start: time.Now().Add(-time.Second), RequestID: "req_x", Transport: "openai", Method: "POST", Path: "/v1/chat/completions"}
	rec.NoteRequest(&auth.Principal{KeyID: "key_1", TeamID: "team_1"}, &llm.Request{Model: "fast"}, true)
	rec.FirstToken = rec.Start.Add(200 * time.Millisecond)
	rec.NoteResponse(&llm.Response{Model: "m", Provider: "p", Deployment: "d", Usage: llm.Usage{InputTokens: 3, OutputTokens: 4},
		Route: &llm.Route{Alias: "fast", Attempts: []llm.Attempt{{Number: 1}}}}, nil)
	rec.NoteStatus(200, "")
	rec.AddCost(1, 2_000_000)
	return rec
}

func TestOneRecordPerRequestWithItsFields(t *testing.T) {
	var buf bytes.Buffer
	l := accesslog.New(jsonLogger(&buf, slog.LevelInfo), 1)
	l.Log(context.Background(), served())
	recs := records(t, &buf)
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	r := recs[0]
	want := map[string]any{
		"msg": "access", "level": "INFO", "request_id": "req_x", "transport": "openai", "status": float64(200), "outcome": "ok",
		"key_id": "key_1", "team_id": "team_1", "model": "fast", "alias": "fast", "deployment": "d", "provider": "p",
		"stream": true, "attempts": float64(1), "input_tokens": float64(3), "output_tokens": float64(4), "cost_usd": 0.002,
		"ttft_ms": float64(200),
	}
	for k, v := range want {
		if r[k] != v {
			t.Errorf("%s = %v, want %v", k, r[k], v)
		}
	}
	if d, _ := r["duration_ms"].(float64); d < 999 {
		t.Errorf("duration_ms %v", r["duration_ms"])
	}
}

// Sampling thins successes only: every failure is logged.
func TestSamplingKeepsEveryFailure(t *testing.T) {
	var buf bytes.Buffer
	l := accesslog.New(jsonLogger(&buf, slog.LevelInfo), 0)
	for range 50 {
		l.Log(context.Background(), served())
	}
	failed := served()
	failed.Err = &llm.Error{Kind: llm.KindRateLimited}
	l.Log(context.Background(), failed)
	recs := records(t, &buf)
	if len(recs) != 1 || recs[0]["outcome"] != "rate_limited" {
		t.Fatalf("records %v", recs)
	}
}

func TestNoRecordBelowInfoOrWithoutALogger(t *testing.T) {
	var buf bytes.Buffer
	accesslog.New(jsonLogger(&buf, slog.LevelWarn), 1).Log(context.Background(), served())
	if buf.Len() != 0 {
		t.Fatal("logged below the logger's level")
	}
	var none *accesslog.Logger = accesslog.New(nil, 1)
	if none != nil {
		t.Fatal("a logger without a destination")
	}
	none.Log(context.Background(), served())
}
