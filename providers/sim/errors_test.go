package sim_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/providers/sim"
)

func TestInvalidRequests(t *testing.T) {
	tg := memTarget(t, sim.Options{})
	tools := []any{tool("get_weather", testSchemas["weather"])}
	cases := []struct {
		name  string
		body  any
		param any // nil: JSON null
		code  any
	}{
		{"invalid JSON", `{"model": "m", "messages": [`, nil, nil},
		{"not an object", `[1, 2]`, nil, nil},
		{"empty body", ``, nil, nil},
		{"missing model", map[string]any{"messages": userMsg("hi")}, nil, nil},
		{"missing messages", map[string]any{"model": "m"}, "messages", "missing_required_parameter"},
		{"empty messages", map[string]any{"model": "m", "messages": []any{}}, "messages", "empty_array"},
		{"messages not an array", map[string]any{"model": "m", "messages": "hi"}, "messages", "invalid_type"},
		{"content a number", map[string]any{"model": "m", "messages": []any{map[string]any{"role": "user", "content": "a"}, map[string]any{"role": "user", "content": 5}}}, "messages[1].content", "invalid_type"},
		{"max_tokens a string", map[string]any{"model": "m", "messages": userMsg("hi"), "max_tokens": "ten"}, "max_tokens", "invalid_type"},
		{"temperature a string", map[string]any{"model": "m", "messages": userMsg("hi"), "temperature": "hot"}, "temperature", "invalid_type"},
		{"unknown role", map[string]any{"model": "m", "messages": []any{map[string]any{"role": "robot", "content": "hi"}}}, "messages[0].role", "invalid_value"},
		{"user content null", map[string]any{"model": "m", "messages": []any{map[string]any{"role": "user"}}}, "messages.[0].content", nil},
		{"tool without id", map[string]any{"model": "m", "messages": []any{map[string]any{"role": "tool", "content": "x"}}}, "messages[0].tool_call_id", nil},
		{"n zero", map[string]any{"model": "m", "messages": userMsg("hi"), "n": 0}, "n", "integer_below_min_value"},
		{"max_tokens zero", map[string]any{"model": "m", "messages": userMsg("hi"), "max_tokens": 0}, "max_tokens", "integer_below_min_value"},
		{"temperature high", map[string]any{"model": "m", "messages": userMsg("hi"), "temperature": 3}, "temperature", "decimal_above_max_value"},
		{"five stops", map[string]any{"model": "m", "messages": userMsg("hi"), "stop": []any{"a", "b", "c", "d", "e"}}, "stop", "array_above_max_length"},
		{"json_object without json", map[string]any{"model": "m", "messages": userMsg("hi"), "response_format": map[string]any{"type": "json_object"}}, "messages", nil},
		{"unknown response_format", map[string]any{"model": "m", "messages": userMsg("hi"), "response_format": map[string]any{"type": "xml"}}, "response_format.type", "invalid_value"},
		{"tool_choice without tools", map[string]any{"model": "m", "messages": userMsg("hi"), "tool_choice": "required"}, "tool_choice", nil},
		{"tool_choice unknown function", map[string]any{"model": "m", "messages": userMsg("hi"), "tools": tools, "tool_choice": forced("nope")}, "tool_choice", "invalid_value"},
		{"bad tool name", map[string]any{"model": "m", "messages": userMsg("hi"), "tools": []any{tool("has space", `{}`)}}, "tools[0].function.name", "invalid_value"},
		{"stream_options without stream", map[string]any{"model": "m", "messages": userMsg("hi"), "stream_options": map[string]any{"include_usage": true}}, "stream_options", nil},
		{"bad directive", map[string]any{"model": "m", "messages": userMsg("hi [[sim stauts=500]]")}, "messages", "invalid_sim_directive"},
		{"unterminated directive", map[string]any{"model": "m", "messages": userMsg("hi [[sim status=500")}, "messages", "invalid_sim_directive"},
	}
	for _, c := range cases {
		resp, data := tg.post(t, "/chat/completions", c.body)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d: %s", c.name, resp.StatusCode, data)
			continue
		}
		e := decodeObject(t, data)
		sameKeys(t, c.name, e, map[string]any{"error": map[string]any{"message": "", "type": "", "param": nil, "code": nil}})
		if path(e, "error.type") != "invalid_request_error" || path(e, "error.param") != c.param || path(e, "error.code") != c.code {
			t.Errorf("%s: got type %v param %v code %v, want param %v code %v\n%s", c.name,
				path(e, "error.type"), path(e, "error.param"), path(e, "error.code"), c.param, c.code, data)
		}
		if str(path(e, "error.message")) == "" {
			t.Errorf("%s: empty message", c.name)
		}
	}

	// Wrong paths and methods get the real API's "Invalid URL".
	for _, req := range [][2]string{{http.MethodGet, "/chat/completions"}, {http.MethodPost, "/nothing/here"}, {http.MethodDelete, "/models"}} {
		resp, data, err := tg.do(t, req[0], req[1], nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(data), "Invalid URL ("+req[0]) {
			t.Errorf("%s %s: %d %s", req[0], req[1], resp.StatusCode, data)
		}
	}
}
