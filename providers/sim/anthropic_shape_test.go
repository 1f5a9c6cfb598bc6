package sim_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/providers/sim"
)

// The Anthropic dialect must send what the real API sends: recorded
// requests are replayed against it and the answers compared key by key
// with the recordings. The simulator writes the newest shape the
// recordings show, so keys that only newer recordings have are allowed.
var anthNewerKeys = []string{"stop_details", "usage.inference_geo", "content[].caller", "content[].caller.type"}

func TestAnthropicUnaryShapeMatchesRecordings(t *testing.T) {
	tg := newAnthTarget(sim.Options{})
	for _, name := range []string{"messages-basic", "messages-cache-write-and-read", "messages-tool-use", "messages-tool-result-followup"} {
		tr := fixtures.Load(t, "anthropic", name)
		resp, data := tg.messages(t, string(tr.Request.Body))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", name, resp.StatusCode, data)
		}
		got, want := decodeObject(t, data), decodeObject(t, tr.Response.Body)
		// Tool arguments are generated data: optional members may appear.
		sameKeys(t, name, got, want, append(anthNewerKeys, "content[].input.unit")...)
		if keys := topKeyOrder(t, string(data)); strings.Join(keys, ",") != "model,id,type,role,content,stop_reason,stop_sequence,stop_details,usage" {
			t.Errorf("%s: key order %v", name, keys)
		}
		if path(got, "stop_reason") != path(want, "stop_reason") || path(got, "content.0.type") != path(want, "content.0.type") {
			t.Errorf("%s: stop_reason %v content %v, recorded %v %v", name,
				path(got, "stop_reason"), path(got, "content.0.type"), path(want, "stop_reason"), path(want, "content.0.type"))
		}
		if id := str(got["id"]); !strings.HasPrefix(id, "msg_01") || len(id) != len("msg_013PpkaYgnUGGRvrYJ9XExPo") {
			t.Errorf("%s: id %q", name, id)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" || resp.Header.Get("Request-Id") == "" ||
			resp.Header.Get("Anthropic-Ratelimit-Requests-Limit") == "" {
			t.Errorf("%s: headers %v", name, resp.Header)
		}
		if name == "messages-tool-use" {
			if id := str(path(got, "content.0.id")); !strings.HasPrefix(id, "toolu_01") || len(id) != len("toolu_01AoUFM2koNLsFscK6xjnLPo") {
				t.Errorf("tool_use id %q", id)
			}
			if path(got, "content.0.name") != "get_weather" || path(got, "content.0.input.location") == nil {
				t.Errorf("tool_use = %v", path(got, "content.0"))
			}
		}
	}
}

// eventKind names an event by what it carries, so recorded and simulated
// events of the same kind can be compared.
func eventKind(ev anthEvent) string {
	switch ev.name {
	case "content_block_start":
		return ev.name + "/" + str(path(ev.data, "content_block.type"))
	case "content_block_delta":
		return ev.name + "/" + str(path(ev.data, "delta.type"))
	}
	return ev.name
}

func TestAnthropicStreamShapeMatchesRecordings(t *testing.T) {
	tg := newAnthTarget(sim.Options{})
	for _, name := range []string{"messages-stream-text", "messages-stream-parallel-tool-use-empty-input"} {
		tr := fixtures.Load(t, "anthropic", name)
		recorded := anthEvents(t, tr.Response.BodyText())
		body := decodeObject(t, tr.Request.Body)
		if name == "messages-stream-parallel-tool-use-empty-input" {
			// The recorded prompt does not name the tool, and the model called
			// it twice: name it and a twin, so that the simulator calls both.
			tools := body["tools"].([]any)
			twin := map[string]any{}
			for k, v := range tools[0].(map[string]any) {
				twin[k] = v
			}
			twin["name"] = "pelican_name_generator_twin"
			body["tools"] = append(tools, twin)
			body["messages"] = anthUser("Two names for a pet pelican: use pelican_name_generator and pelican_name_generator_twin")
		}
		resp, data := tg.messages(t, body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", name, resp.StatusCode, data)
		}
		if ct := resp.Header.Get("Content-Type"); ct != tr.Response.Headers["content-type"] || resp.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("%s: content-type %q cache-control %q", name, ct, resp.Header.Get("Cache-Control"))
		}
		events := anthEvents(t, string(data))
		byKind := map[string]anthEvent{}
		for _, ev := range recorded {
			if _, ok := byKind[eventKind(ev)]; !ok {
				byKind[eventKind(ev)] = ev
			}
		}
		var kinds, recKinds []string
		padded := 0
		for i, ev := range events {
			k := eventKind(ev)
			kinds = append(kinds, k)
			want, ok := byKind[k]
			if !ok {
				t.Errorf("%s: event %d is %s, which the recording does not have", name, i, k)
				continue
			}
			sameKeys(t, name+" "+k, ev.data, want.data, "message.stop_details", "message.usage.inference_geo",
				"delta.stop_details", "content_block.caller", "content_block.caller.type")
			if k == "ping" && ev.raw != `{"type": "ping"}` {
				t.Errorf("ping written %q", ev.raw)
			}
			if strings.HasSuffix(ev.raw, " }") {
				padded++
			}
		}
		for _, ev := range recorded {
			recKinds = append(recKinds, eventKind(ev))
		}
		if compress(kinds) != compress(recKinds) {
			t.Errorf("%s: event sequence\n %s\nrecorded\n %s", name, compress(kinds), compress(recKinds))
		}
		if padded == 0 {
			t.Errorf("%s: no data line is padded like the real API's", name)
		}
		if out := num(t, path(events[0].data, "message.usage.output_tokens")); out < 1 {
			t.Errorf("%s: message_start output_tokens %d, the real API sends a non-zero count", name, out)
		}
		last := events[len(events)-2].data
		for _, f := range []string{"input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "output_tokens"} {
			if path(last, "usage."+f) == nil {
				t.Errorf("%s: message_delta usage lacks %s", name, f)
			}
		}
	}
}

func TestAnthropicToolWithoutParametersStreamsOneEmptyPartialJSON(t *testing.T) {
	tg := newAnthTarget(sim.Options{})
	resp, data := tg.messages(t, map[string]any{
		"model": "claude-haiku-4-5", "max_tokens": 100, "stream": true,
		"tools": []any{
			map[string]any{"name": "pelican_name_generator", "description": "", "input_schema": map[string]any{"type": "object", "properties": map[string]any{}}},
			map[string]any{"name": "get_time", "input_schema": map[string]any{"type": "object", "properties": map[string]any{}}},
		},
		"messages": anthUser("call pelican_name_generator and get_time"),
	})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", resp.StatusCode, data)
	}
	var deltas []string
	starts := 0
	for _, ev := range anthEvents(t, string(data)) {
		switch eventKind(ev) {
		case "content_block_delta/input_json_delta":
			deltas = append(deltas, ev.raw)
			if path(ev.data, "delta.partial_json") != "" {
				t.Errorf("partial_json %v, want \"\"", path(ev.data, "delta.partial_json"))
			}
		case "content_block_start/tool_use":
			starts++
			if in, _ := path(ev.data, "content_block.input").(map[string]any); in == nil || len(in) != 0 {
				t.Errorf("tool_use start input %v, want {}", path(ev.data, "content_block.input"))
			}
		case "message_delta":
			if path(ev.data, "delta.stop_reason") != "tool_use" {
				t.Errorf("stop_reason %v", path(ev.data, "delta.stop_reason"))
			}
		}
	}
	if starts != 2 || len(deltas) != 2 {
		t.Fatalf("%d tool_use blocks with %d input_json_delta events, want 2 and 2 (one each)", starts, len(deltas))
	}
}

func TestAnthropicErrorShapesMatchRecordings(t *testing.T) {
	tg := newAnthTarget(sim.Options{APIKey: "sk-ant-sim-0123456789"})
	cases := []struct {
		fixture string
		key     string
		fault   string
	}{
		{"error-401-authentication", "sk-ant-wrong", ""},
		{"error-529-overloaded", "sk-ant-sim-0123456789", "status=529"},
		{"error-400-invalid-request", "sk-ant-sim-0123456789", "status=400"},
	}
	for _, c := range cases {
		tr := fixtures.Load(t, "anthropic", c.fixture)
		h := anthHeaders()
		h.Set("X-Api-Key", c.key)
		if c.fault != "" {
			h.Set("X-Sim-Fault", c.fault)
		}
		resp, data := tg.send(t, http.MethodPost, "/v1/messages", map[string]any{"model": "claude-x", "max_tokens": 10, "messages": anthUser("hi")}, h)
		if resp.StatusCode != tr.Response.Status {
			t.Errorf("%s: status %d, recorded %d", c.fixture, resp.StatusCode, tr.Response.Status)
		}
		got, want := decodeObject(t, data), decodeObject(t, tr.Response.Body)
		sameKeys(t, c.fixture, got, want, "request_id")
		if path(got, "error.type") != path(want, "error.type") {
			t.Errorf("%s: error.type %v, recorded %v", c.fixture, path(got, "error.type"), path(want, "error.type"))
		}
		if c.fixture != "error-400-invalid-request" && path(got, "error.message") != path(want, "error.message") {
			t.Errorf("%s: message %v, recorded %v", c.fixture, path(got, "error.message"), path(want, "error.message"))
		}
		if c.fixture == "error-529-overloaded" {
			if resp.Header.Get("X-Should-Retry") != "true" || resp.Header.Get("Retry-After") != "" {
				t.Errorf("529 headers: %v", resp.Header)
			}
			if resp.Header.Get("Content-Length") != "" && !strings.HasPrefix(string(data), `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}`) {
				t.Errorf("529 body %s", data)
			}
		}
	}
}
