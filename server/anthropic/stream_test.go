package anthropic_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/server/internal/servertest"
)

const streamBody = `{"model":"demo","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Hi"}]}`

func streamDoor(t *testing.T, chunks []llm.Chunk, tail error) *door {
	t.Helper()
	core := &servertest.Core{StreamFunc: func(ctx context.Context, _ *llm.Request) (llm.Stream, error) {
		s := servertest.NewStream(ctx, chunks...)
		s.Err = tail
		return s, nil
	}}
	return newDoor(t, core, core, 0)
}

func TestTextStream(t *testing.T) {
	d := newTestDoor(t)
	resp := d.post(t, "/v1/messages", streamBody)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("status %d, content-type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp.Header.Get("X-Switchboard-Provider") != "sim" || resp.Header.Get("Request-Id") == "" {
		t.Fatalf("headers %v", resp.Header)
	}
	evs := events(t, resp.Body)
	want := []string{"message_start", "content_block_start", "ping", "content_block_delta", "content_block_delta",
		"content_block_stop", "message_delta", "message_stop"}
	if !slices.Equal(names(evs), want) {
		t.Fatalf("events %v, want %v", names(evs), want)
	}
	start := evs[0].data
	if field(start, "message", "id") != "msg_chatcmpl-test" || field(start, "message", "role") != "assistant" ||
		field(start, "message", "stop_reason") != nil || field(start, "message", "usage", "input_tokens") == nil {
		t.Fatalf("message_start %s", evs[0].raw)
	}
	if field(evs[1].data, "content_block", "type") != "text" || field(evs[1].data, "content_block", "text") != "" {
		t.Fatalf("content_block_start %s", evs[1].raw)
	}
	text := field(evs[3].data, "delta", "text").(string) + field(evs[4].data, "delta", "text").(string)
	if text != "hello" || field(evs[3].data, "delta", "type") != "text_delta" {
		t.Fatalf("deltas %s %s", evs[3].raw, evs[4].raw)
	}
	md := evs[6].data
	if field(md, "delta", "stop_reason") != "end_turn" || field(md, "usage", "output_tokens") != float64(2) || field(md, "usage", "input_tokens") != float64(5) {
		t.Fatalf("message_delta %s", evs[6].raw)
	}
}

// Tool calls stream as tool_use blocks whose input arrives as
// input_json_delta fragments; a call without arguments gets one empty
// fragment, and ids are in the client's form.
func TestToolCallStream(t *testing.T) {
	base := llm.Chunk{ID: "chatcmpl-1", Model: "m", Provider: "sim", Deployment: "d"}
	c := func(f func(*llm.Chunk)) llm.Chunk { x := base; f(&x); return x }
	chunks := []llm.Chunk{
		c(func(x *llm.Chunk) { x.Role = llm.RoleAssistant; x.Text = "Checking." }),
		c(func(x *llm.Chunk) {
			x.ToolCalls = []llm.ToolCallDelta{{Index: 0, ID: "call_1", Name: "get_weather", ArgumentsDelta: `{"city":`}}
		}),
		c(func(x *llm.Chunk) { x.ToolCalls = []llm.ToolCallDelta{{Index: 0, ArgumentsDelta: `"Oslo"}`}} }),
		c(func(x *llm.Chunk) { x.ToolCalls = []llm.ToolCallDelta{{Index: 1, ID: "call_2", Name: "get_time"}} }),
		c(func(x *llm.Chunk) { x.FinishReason, x.RawFinishReason = llm.FinishToolCalls, "tool_calls" }),
		c(func(x *llm.Chunk) { x.Usage = &llm.Usage{InputTokens: 9, OutputTokens: 4} }),
	}
	d := streamDoor(t, chunks, nil)
	evs := events(t, d.post(t, "/v1/messages", streamBody).Body)
	want := []string{"message_start", "content_block_start", "ping", "content_block_delta", "content_block_stop",
		"content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
		"content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"}
	if !slices.Equal(names(evs), want) {
		t.Fatalf("events %v, want %v", names(evs), want)
	}
	call := evs[5].data
	if field(call, "index") != float64(1) || field(call, "content_block", "type") != "tool_use" ||
		field(call, "content_block", "id") != "toolu_sb_call_1" || field(call, "content_block", "name") != "get_weather" {
		t.Fatalf("tool_use start %s", evs[5].raw)
	}
	args := field(evs[6].data, "delta", "partial_json").(string) + field(evs[7].data, "delta", "partial_json").(string)
	if args != `{"city":"Oslo"}` || field(evs[6].data, "delta", "type") != "input_json_delta" {
		t.Fatalf("argument deltas %s %s", evs[6].raw, evs[7].raw)
	}
	if field(evs[9].data, "content_block", "id") != "toolu_sb_call_2" || field(evs[10].data, "delta", "partial_json") != "" {
		t.Fatalf("call without arguments %s %s", evs[9].raw, evs[10].raw)
	}
	if field(evs[12].data, "delta", "stop_reason") != "tool_use" || field(evs[12].data, "usage", "output_tokens") != float64(4) {
		t.Fatalf("message_delta %s", evs[12].raw)
	}
	// The stream's own chunks were not changed under it.
	if chunks[1].ToolCalls[0].ID != "call_1" {
		t.Fatalf("the front door rewrote the provider's chunk: %+v", chunks[1].ToolCalls)
	}
}

func TestThinkingStream(t *testing.T) {
	base := llm.Chunk{ID: "msg_01abc", Model: "m", Provider: "sim"}
	c := func(f func(*llm.Chunk)) llm.Chunk { x := base; f(&x); return x }
	chunks := []llm.Chunk{
		c(func(x *llm.Chunk) { x.Reasoning = &llm.Reasoning{Text: "Hmm, "} }),
		c(func(x *llm.Chunk) { x.Reasoning = &llm.Reasoning{Text: "yes."} }),
		c(func(x *llm.Chunk) { x.Reasoning = &llm.Reasoning{Signature: "sig"} }),
		c(func(x *llm.Chunk) { x.Text = "Yes." }),
		c(func(x *llm.Chunk) { x.FinishReason = llm.FinishStop }),
	}
	evs := events(t, streamDoor(t, chunks, nil).post(t, "/v1/messages", streamBody).Body)
	want := []string{"message_start", "content_block_start", "ping", "content_block_delta", "content_block_delta", "content_block_delta",
		"content_block_stop", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"}
	if !slices.Equal(names(evs), want) {
		t.Fatalf("events %v, want %v", names(evs), want)
	}
	if field(evs[0].data, "message", "id") != "msg_01abc" || field(evs[1].data, "content_block", "type") != "thinking" {
		t.Fatalf("start %s %s", evs[0].raw, evs[1].raw)
	}
	if field(evs[3].data, "delta", "type") != "thinking_delta" || field(evs[5].data, "delta", "type") != "signature_delta" ||
		field(evs[5].data, "delta", "signature") != "sig" {
		t.Fatalf("thinking deltas %s %s", evs[3].raw, evs[5].raw)
	}
}

// A failure before the first chunk gets its own status, in the JSON error
// shape, with retry-after.
func TestStreamFailsBeforeStarting(t *testing.T) {
	core := &servertest.Core{StreamFunc: func(context.Context, *llm.Request) (llm.Stream, error) {
		return nil, &llm.Error{Kind: llm.KindRateLimited, Message: "slow down", RetryAfter: 1500e6}
	}}
	d := newDoor(t, core, core, 0)
	resp := d.post(t, "/v1/messages", streamBody)
	wantError(t, resp, http.StatusTooManyRequests, "rate_limit_error")
	if resp.Header.Get("Retry-After") != "2" {
		t.Fatalf("retry-after %q", resp.Header.Get("Retry-After"))
	}
}

// A failure after the stream started is an error event, and the stream
// ends without message_stop.
func TestStreamErrorEvent(t *testing.T) {
	d := streamDoor(t, servertest.Chunks("par")[:1], &llm.Error{Kind: llm.KindOverloaded, Provider: "sim", Message: "Overloaded"})
	evs := events(t, d.post(t, "/v1/messages", streamBody).Body)
	last := evs[len(evs)-1]
	if last.name != "error" || field(last.data, "error", "type") != "overloaded_error" || field(last.data, "request_id") == "" {
		t.Fatalf("last event %s (all: %v)", last.raw, names(evs))
	}
	if slices.Contains(names(evs), "message_stop") || slices.Contains(names(evs), "message_delta") {
		t.Fatalf("a cut stream looks complete: %v", names(evs))
	}
}
