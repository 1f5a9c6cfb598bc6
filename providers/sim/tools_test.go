package sim_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/switchboard-gw/switchboard/providers/sim"
)

// Schemas a model is asked to fill, from the plain to the contrived. Every
// generated value must validate against its schema (with format assertions).
var testSchemas = map[string]string{
	"weather": `{"type":"object","properties":{"location":{"type":"string","description":"The city"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["location"]}`,
	"strict":  `{"type":"object","additionalProperties":false,"properties":{"country":{"type":"string"},"population":{"type":["integer","null"]}},"required":["country","population"]}`,
	"nested": `{"type":"object","properties":{
		"order":{"type":"object","properties":{
			"id":{"type":"string","format":"uuid"},
			"items":{"type":"array","minItems":2,"maxItems":4,"items":{"type":"object","properties":{
				"sku":{"type":"string","minLength":8,"maxLength":12},
				"quantity":{"type":"integer","minimum":1,"maximum":9},
				"price":{"type":"number","exclusiveMinimum":0,"maximum":1000}},"required":["sku","quantity","price"],"additionalProperties":false}},
			"placed_at":{"type":"string","format":"date-time"},
			"contact":{"type":"string","format":"email"},
			"gift":{"type":"boolean"},
			"note":{"type":"null"}},"required":["id","items","placed_at","contact"]}},
		"required":["order"]}`,
	"defs": `{"$defs":{
			"address":{"type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"},"zip":{"type":"string","minLength":5,"maxLength":5}},"required":["street","city","zip"]},
			"person":{"type":"object","properties":{"name":{"type":"string"},"home":{"$ref":"#/$defs/address"},"age":{"type":"integer","minimum":0,"maximum":120}},"required":["name","home","age"]}},
		"type":"object","properties":{"people":{"type":"array","items":{"$ref":"#/$defs/person"},"minItems":1}},"required":["people"]}`,
	"numbers": `{"type":"object","properties":{
		"even":{"type":"integer","multipleOf":2,"minimum":10,"maximum":20},
		"tenths":{"type":"number","multipleOf":0.1,"minimum":0,"maximum":1},
		"open":{"type":"number","exclusiveMinimum":5,"exclusiveMaximum":6},
		"negative":{"type":"integer","maximum":-1}},
		"required":["even","tenths","open","negative"]}`,
	"draft4": `{"$schema":"http://json-schema.org/draft-04/schema#",
		"definitions":{"n":{"type":"integer","minimum":1,"maximum":2,"exclusiveMinimum":true}},
		"type":"object","properties":{"x":{"$ref":"#/definitions/n"},"t":{"type":"array","items":[{"type":"string"},{"type":"boolean"}],"additionalItems":false}},
		"required":["x","t"]}`,
	"choices": `{"type":"object","properties":{
		"mode":{"const":"fast"},
		"shape":{"oneOf":[{"type":"object","properties":{"kind":{"const":"circle"},"r":{"type":"number","minimum":0}},"required":["kind","r"],"additionalProperties":false},{"type":"object","properties":{"kind":{"const":"square"}},"required":["kind"]}]},
		"label":{"anyOf":[{"type":"string","maxLength":3},{"type":"null"}]},
		"combined":{"allOf":[{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]},{"properties":{"b":{"type":"integer"}},"required":["b"]}]},
		"level":{"type":"integer","enum":[1,2,3]}},
		"required":["mode","shape","label","combined","level"]}`,
	"arrays": `{"type":"object","properties":{
		"tags":{"type":"array","items":{"type":"string","enum":["a","b","c"]},"uniqueItems":true,"minItems":2},
		"pair":{"type":"array","prefixItems":[{"type":"string"},{"type":"integer"}],"items":false,"minItems":2},
		"matrix":{"type":"array","items":{"type":"array","items":{"type":"number"},"minItems":2,"maxItems":2}},
		"empty":{"type":"array","maxItems":0}},
		"required":["tags","pair","matrix","empty"]}`,
	"tree":      `{"$defs":{"node":{"type":"object","properties":{"value":{"type":"integer"},"children":{"type":"array","items":{"$ref":"#/$defs/node"}}},"required":["value"]}},"$ref":"#/$defs/node"}`,
	"props":     `{"type":"object","minProperties":3,"additionalProperties":{"type":"integer"},"properties":{"first":{"type":"integer"}},"required":["first","second"]}`,
	"no-params": `{"type":"object","properties":{}}`,
}

func compileSchema(t *testing.T, name, text string) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(name+".json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(name + ".json")
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}

func validate(t *testing.T, s *jsonschema.Schema, what, value string) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(value))
	if err != nil {
		t.Errorf("%s: not JSON: %v\n%s", what, err, value)
		return
	}
	if err := s.Validate(inst); err != nil {
		t.Errorf("%s: %s\ndoes not validate: %v", what, value, err)
	}
}

func tool(name, schema string) map[string]any {
	return map[string]any{"type": "function", "function": map[string]any{"name": name, "description": "test tool", "parameters": json.RawMessage(schema)}}
}

func forced(name string) map[string]any {
	return map[string]any{"type": "function", "function": map[string]any{"name": name}}
}

func TestForcedToolCallArgumentsValidate(t *testing.T) {
	tg := memTarget(t, sim.Options{})
	for name, text := range testSchemas {
		s := compileSchema(t, name, text)
		// Different prompts draw different values from the same schema.
		for i := 0; i < 25; i++ {
			u := tg.chat(t, map[string]any{
				"model": "m", "messages": userMsg(fmt.Sprintf("Request number %d.", i)),
				"tools":       []any{tool("other", `{"type":"object"}`), tool("fill_"+strings.ReplaceAll(name, "-", "_"), text)},
				"tool_choice": forced("fill_" + strings.ReplaceAll(name, "-", "_")),
			})
			if f := path(u, "choices.0.finish_reason"); f != "tool_calls" {
				t.Fatalf("%s: finish_reason %v", name, f)
			}
			validate(t, s, name, str(path(u, "choices.0.message.tool_calls.0.function.arguments")))
		}
	}
}

func TestJSONSchemaResponseValidates(t *testing.T) {
	tg := memTarget(t, sim.Options{})
	for name, text := range testSchemas {
		s := compileSchema(t, name, text)
		for i := 0; i < 10; i++ {
			body := map[string]any{
				"model": "m", "messages": userMsg(fmt.Sprintf("Fill it, attempt %d.", i)),
				"response_format": map[string]any{"type": "json_schema", "json_schema": map[string]any{"name": "out", "strict": true, "schema": json.RawMessage(text)}},
			}
			u := tg.chat(t, body)
			content := str(path(u, "choices.0.message.content"))
			validate(t, s, name, content)
			if i == 0 {
				chunks, _ := tg.streamChat(t, body)
				if got := accumulate(t, chunks).content[0]; got != content {
					t.Errorf("%s: streamed %q, unary %q", name, got, content)
				}
			}
		}
	}
}

func TestJSONObjectResponse(t *testing.T) {
	tg := memTarget(t, sim.Options{})
	u := tg.chat(t, map[string]any{"model": "m", "messages": userMsg("Reply in json please."), "response_format": map[string]any{"type": "json_object"}})
	var obj map[string]any
	if err := json.Unmarshal([]byte(str(path(u, "choices.0.message.content"))), &obj); err != nil || len(obj) == 0 {
		t.Errorf("json_object answer is not a JSON object: %v %v", err, path(u, "choices.0.message.content"))
	}
}

var callID = regexp.MustCompile(`^call_[0-9A-Za-z]{24}$`)

func TestAutoToolChoiceFollowsMentions(t *testing.T) {
	tg := memTarget(t, sim.Options{})
	tools := []any{tool("get_weather", testSchemas["weather"]), tool("get_time", `{"type":"object","properties":{"zone":{"type":"string"}},"required":["zone"]}`)}
	names := func(u map[string]any) []string {
		var out []string
		calls, _ := path(u, "choices.0.message.tool_calls").([]any)
		for _, c := range calls {
			out = append(out, str(path(c, "function.name")))
			if id := str(path(c, "id")); !callID.MatchString(id) || path(c, "type") != "function" {
				t.Errorf("call id %q type %v", id, path(c, "type"))
			}
		}
		return out
	}
	cases := []struct {
		prompt   string
		parallel any
		want     string
	}{
		{"Use get_time, then get_weather.", nil, "get_time,get_weather"},
		{"Use get_time, then get_weather.", false, "get_time"},
		{"What is the weather?", nil, ""},
		{"Is get_weathers a tool?", nil, ""}, // not the name as a word
	}
	for _, c := range cases {
		body := map[string]any{"model": "m", "messages": userMsg(c.prompt), "tools": tools}
		if c.parallel != nil {
			body["parallel_tool_calls"] = c.parallel
		}
		u := tg.chat(t, body)
		if got := strings.Join(names(u), ","); got != c.want {
			t.Errorf("%q (parallel %v): calls %q, want %q", c.prompt, c.parallel, got, c.want)
		}
		wantFinish := "tool_calls"
		if c.want == "" {
			wantFinish = "stop"
		}
		if f := path(u, "choices.0.finish_reason"); f != wantFinish {
			t.Errorf("%q: finish_reason %v, want %s", c.prompt, f, wantFinish)
		}
	}
	// required without a mention calls the first tool; none never calls.
	u := tg.chat(t, map[string]any{"model": "m", "messages": userMsg("Go."), "tools": tools, "tool_choice": "required"})
	if got := strings.Join(names(u), ","); got != "get_weather" {
		t.Errorf("required: calls %q", got)
	}
	u = tg.chat(t, map[string]any{"model": "m", "messages": userMsg("Use get_time."), "tools": tools, "tool_choice": "none"})
	if got := names(u); len(got) != 0 {
		t.Errorf("none: calls %v", got)
	}
	// Ids are deterministic: the same request, the same ids.
	a := tg.chat(t, map[string]any{"model": "m", "messages": userMsg("Use get_time."), "tools": tools})
	b := tg.chat(t, map[string]any{"model": "m", "messages": userMsg("Use get_time."), "tools": tools})
	if path(a, "choices.0.message.tool_calls.0.id") != path(b, "choices.0.message.tool_calls.0.id") {
		t.Errorf("call ids differ between identical requests")
	}
}

func TestAnswerAfterToolResults(t *testing.T) {
	tg := memTarget(t, sim.Options{})
	tools := []any{tool("get_weather", testSchemas["weather"])}
	first := tg.chat(t, map[string]any{"model": "m", "messages": userMsg("Call get_weather for Paris."), "tools": tools})
	msg := path(first, "choices.0.message").(map[string]any)
	id := str(path(msg, "tool_calls.0.id"))
	msgs := append(userMsg("Call get_weather for Paris."), msg, map[string]any{"role": "tool", "tool_call_id": id, "content": `{"temperature": 21, "sky": "clear"}`})
	u := tg.chat(t, map[string]any{"model": "m", "messages": msgs, "tools": tools})
	content := str(path(u, "choices.0.message.content"))
	if path(u, "choices.0.finish_reason") != "stop" || path(u, "choices.0.message.tool_calls") != nil {
		t.Fatalf("after tool results: %v", u["choices"])
	}
	for _, want := range []string{"get_weather", `"temperature": 21`} {
		if !strings.Contains(content, want) {
			t.Errorf("answer %q does not mention %q", content, want)
		}
	}
}

func TestToolCallStreamDeltas(t *testing.T) {
	tg := memTarget(t, sim.Options{})
	chunks, _ := tg.streamChat(t, map[string]any{"model": "m", "messages": userMsg("Use get_weather and get_time."),
		"tools": []any{tool("get_weather", testSchemas["weather"]), tool("get_time", `{"type":"object","properties":{"zone":{"type":"string"}}}`)}})
	first := path(chunks[0], "choices.0.delta").(map[string]any)
	if first["role"] != "assistant" || first["content"] != nil {
		t.Errorf("first delta %v", first)
	}
	if _, ok := first["content"]; !ok {
		t.Errorf("first delta lacks \"content\": null")
	}
	head := path(first, "tool_calls.0").(map[string]any)
	if head["id"] == nil || head["type"] != "function" || path(head, "function.name") != "get_weather" || path(head, "function.arguments") != "" {
		t.Errorf("first call header %v", head)
	}
	heads := 0
	for _, c := range chunks[1:] {
		tc, ok := path(c, "choices.0.delta.tool_calls.0").(map[string]any)
		if !ok {
			continue
		}
		if tc["id"] != nil {
			heads++
			if path(tc, "index") != json.Number("1") || path(tc, "function.name") != "get_time" {
				t.Errorf("second call header %v", tc)
			}
			continue
		}
		if len(tc) != 2 || len(tc["function"].(map[string]any)) != 1 {
			t.Errorf("argument delta carries more than index and arguments: %v", tc)
		}
	}
	if heads != 1 {
		t.Errorf("%d later call headers, want 1", heads)
	}
	last := chunks[len(chunks)-1]
	if path(last, "choices.0.finish_reason") != "tool_calls" || len(path(last, "choices.0.delta").(map[string]any)) != 0 {
		t.Errorf("finish chunk %v", last)
	}
}

func TestToolCallCutByMaxTokens(t *testing.T) {
	tg := memTarget(t, sim.Options{})
	u := tg.chat(t, map[string]any{"model": "m", "messages": userMsg("Go."), "max_tokens": 6,
		"tools": []any{tool("get_weather", testSchemas["weather"])}, "tool_choice": "required"})
	if path(u, "choices.0.finish_reason") != "length" {
		t.Errorf("finish_reason %v", path(u, "choices.0.finish_reason"))
	}
	args := str(path(u, "choices.0.message.tool_calls.0.function.arguments"))
	if json.Valid([]byte(args)) {
		t.Errorf("cut arguments %q are still valid JSON", args)
	}
	if c := num(t, path(u, "usage.completion_tokens")); c != 6 {
		t.Errorf("completion_tokens %d, want 6", c)
	}
}
