package gemini_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/gemini/wire"
)

// recordedRequest is the canonical form of a transcript's request, so the
// provider re-enacts the recorded exchange.
func recordedRequest(t *testing.T, tr *fixtures.Transcript) *llm.Request {
	t.Helper()
	wr, err := wire.DecodeRequest(tr.Request.Body)
	if err != nil {
		t.Fatal(err)
	}
	model := strings.TrimPrefix(tr.Request.Path, "/v1beta/models/")
	model, _, _ = strings.Cut(model, ":")
	req, err := wire.ToCanonicalRequest(model, wr)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestCompleteReplaysFixtures(t *testing.T) {
	cases := []struct {
		name  string
		text  string
		call  string
		usage llm.Usage
	}{
		{"generateContent-basic", "Hello! How can I help you today?", "", llm.Usage{InputTokens: 3, OutputTokens: 213, ReasoningTokens: 204}},
		{"generateContent-function-call-cached-content", "", "generate_report", llm.Usage{InputTokens: 557, CachedInputTokens: 330, OutputTokens: 143, ReasoningTokens: 70}},
		{"generateContent-function-response-followup", "The result of 15 * 8 is 120", "", llm.Usage{InputTokens: 191, OutputTokens: 14}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := fixtures.Load(t, "gemini", c.name)
			u := newUpstream(t, replay(tr))
			p := newProvider(t, u.URL+"/v1beta")
			req := recordedRequest(t, tr)
			resp, err := p.Complete(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			ch := resp.Choices[0]
			if resp.Provider != "gemini" || ch.Message.Text() != c.text || resp.Usage != c.usage {
				t.Errorf("response = %+v", resp)
			}
			if c.call != "" {
				if len(ch.Message.ToolCalls) != 1 || ch.Message.ToolCalls[0].Name != c.call || ch.FinishReason != llm.FinishToolCalls ||
					!wire.IsGeneratedCallID(ch.Message.ToolCalls[0].ID) || ch.Message.ToolCalls[0].Signature == "" {
					t.Errorf("calls = %+v, finish %q", ch.Message.ToolCalls, ch.FinishReason)
				}
			}
			got := u.last(t)
			if got.Method != "POST" || got.Path != tr.Request.Path || got.RawQuery != "" {
				t.Errorf("called %s %s?%s, recorded %s", got.Method, got.Path, got.RawQuery, tr.Request.Path)
			}
			if got.Header.Get("X-Goog-Api-Key") != testKey || got.Header.Get("Content-Type") != "application/json" || got.Header.Get("Authorization") != "" {
				t.Errorf("headers = %v", got.Header)
			}
			// The body the provider sent says what the recording said.
			sent, err := wire.DecodeRequest(got.Body)
			if err != nil {
				t.Fatal(err)
			}
			again, err := wire.ToCanonicalRequest(req.Model, sent)
			if err != nil {
				t.Fatal(err)
			}
			if len(again.Messages) != len(req.Messages) || len(again.Tools) != len(req.Tools) {
				t.Errorf("sent %d messages %d tools, recorded %d and %d", len(again.Messages), len(again.Tools), len(req.Messages), len(req.Tools))
			}
		})
	}
}

func TestStreamReplaysFixtures(t *testing.T) {
	t.Run("streamGenerateContent-sse-text", func(t *testing.T) {
		tr := fixtures.Load(t, "gemini", "streamGenerateContent-sse-text")
		u := newUpstream(t, replay(tr))
		p := newProvider(t, u.URL+"/v1beta")
		s, err := p.Stream(context.Background(), recordedRequest(t, tr))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := llm.Collect(s)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Choices[0].Message.Text() != "The capital of France is Paris.\n" || resp.Choices[0].FinishReason != llm.FinishStop ||
			resp.Usage != (llm.Usage{InputTokens: 13, OutputTokens: 8}) || resp.Provider != "gemini" {
			t.Errorf("response = %+v", resp)
		}
		got := u.last(t)
		if got.Path != "/v1beta/models/gemini-2.0-flash-exp:streamGenerateContent" || got.RawQuery != "alt=sse" {
			t.Errorf("called %s?%s", got.Path, got.RawQuery)
		}
	})
	t.Run("streamGenerateContent-sse-function-call", func(t *testing.T) {
		tr := fixtures.Load(t, "gemini", "streamGenerateContent-sse-function-call")
		u := newUpstream(t, replay(tr))
		p := newProvider(t, u.URL+"/v1beta")
		s, err := p.Stream(context.Background(), recordedRequest(t, tr))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := llm.Collect(s)
		if err != nil {
			t.Fatal(err)
		}
		calls := resp.Choices[0].Message.ToolCalls
		if len(calls) != 1 || calls[0].Name != "get_current_temperature" || calls[0].Arguments != `{"city":"San Francisco"}` ||
			calls[0].ID != wire.CallID("get_current_temperature", []byte(calls[0].Arguments), 0, 0) || resp.Choices[0].FinishReason != llm.FinishToolCalls {
			t.Errorf("response = %+v", resp)
		}
		var sent map[string]any
		if err := json.Unmarshal(u.last(t).Body, &sent); err != nil || sent["tools"] == nil {
			t.Errorf("sent %s", u.last(t).Body)
		}
	})
}

func TestErrorFixtures(t *testing.T) {
	cases := []struct {
		name string
		kind llm.Kind
	}{
		{"error-400-api-key-invalid", llm.KindUnauthenticated},
		{"error-503-overloaded", llm.KindOverloaded},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := fixtures.Load(t, "gemini", c.name)
			u := newUpstream(t, replay(tr))
			p := newProvider(t, u.URL+"/v1beta")
			req := userRequest("gemini-2.0-flash-exp", "What is the capital of Japan?")
			_, err := p.Complete(context.Background(), req)
			if e := asLLMError(t, err); e.Kind != c.kind || e.Status != tr.Response.Status || e.Provider != "gemini" {
				t.Errorf("Complete: %+v", e)
			}
			// The key error to an alt=sse request is JSON labelled
			// text/event-stream: Stream must read the status first.
			s, err := p.Stream(context.Background(), req)
			if s != nil {
				t.Fatal("Stream returned a stream for an error status")
			}
			e := asLLMError(t, err)
			if e.Kind != c.kind || strings.Contains(e.Error(), testKey) || strings.Contains(e.Err.Error(), testKey) {
				t.Errorf("Stream: %+v", e)
			}
		})
	}
}
