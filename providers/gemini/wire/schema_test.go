package wire_test

import (
	"encoding/json"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/gemini/wire"
)

func TestToOpenAPISchema(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"strips what Gemini rejects",
			`{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"city":{"type":"string","format":"uri"}},"required":["city","ghost"],"additionalProperties":false,"strict":true}`,
			`{"type":"OBJECT","properties":{"city":{"type":"STRING"}},"required":["city"]}`},
		{"inlines $ref and $defs, siblings win",
			`{"type":"object","properties":{"a":{"$ref":"#/$defs/Addr","description":"home"},"b":{"allOf":[{"$ref":"#/definitions/N"}],"title":"B"}},"$defs":{"Addr":{"type":"object","properties":{"zip":{"type":"string"}}}},"definitions":{"N":{"type":"integer","format":"int64"}}}`,
			`{"type":"OBJECT","properties":{"a":{"type":"OBJECT","properties":{"zip":{"type":"STRING"}},"description":"home"},"b":{"type":"INTEGER","format":"int64","title":"B"}}}`},
		{"nullable from a type list and from anyOf null",
			`{"type":"object","properties":{"x":{"type":["string","null"]},"y":{"anyOf":[{"type":"number"},{"type":"null"}]}}}`,
			`{"type":"OBJECT","properties":{"x":{"type":"STRING","nullable":true},"y":{"type":"NUMBER","nullable":true}}}`},
		{"const, oneOf, enums",
			`{"type":"object","properties":{"k":{"const":"fixed"},"u":{"oneOf":[{"type":"string"},{"type":"integer"}]},"e":{"type":"integer","enum":[1,2]},"s":{"enum":["a","b"]}}}`,
			`{"type":"OBJECT","properties":{"k":{"enum":["fixed"],"type":"STRING"},"u":{"anyOf":[{"type":"STRING"},{"type":"INTEGER"}]},"e":{"type":"INTEGER"},"s":{"enum":["a","b"],"type":"STRING"}}}`},
		{"arrays and a multi-type list",
			`{"type":"array","items":{"type":["integer","string"]},"minItems":1,"examples":[[1]]}`,
			`{"type":"ARRAY","items":{"anyOf":[{"type":"INTEGER"},{"type":"STRING"}]},"minItems":1,"example":[1]}`},
	}
	for _, c := range cases {
		got, err := wire.ToOpenAPISchema(json.RawMessage(c.in))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !jsonEqual(t, got, []byte(c.want)) {
			t.Errorf("%s\n got: %s\nwant: %s", c.name, got, c.want)
		}
	}
}

// A recursive schema cannot be inlined: the declaration keeps JSON Schema
// even when the OpenAPI subset is asked for.
func TestRecursiveSchemaStaysJSONSchema(t *testing.T) {
	schema := `{"type":"object","properties":{"children":{"type":"array","items":{"$ref":"#"}}}}`
	req := &llm.Request{Model: "m", Messages: []llm.Message{textMessage(llm.RoleUser, "hi")},
		Tools: []llm.Tool{{Name: "tree", Parameters: json.RawMessage(schema)}, {Name: "flat", Parameters: json.RawMessage(`{"type":"object"}`)}}}
	body := encode(t, req, wire.RequestOptions{OpenAPISchema: true})
	decls := body["tools"].([]any)[0].(map[string]any)["functionDeclarations"].([]any)
	if got := asJSON(t, decls[0]); !jsonEqual(t, []byte(got), []byte(`{"name":"tree","parametersJsonSchema":`+schema+`}`)) {
		t.Errorf("recursive: %s", got)
	}
	if got := asJSON(t, decls[1]); got != `{"name":"flat","parameters":{"type":"OBJECT"}}` {
		t.Errorf("flat: %s", got)
	}
}

func TestToJSONSchema(t *testing.T) {
	in := `{"type":"OBJECT","properties":{"city":{"type":"STRING","description":"The city.","nullable":true},"unit":{"type":"STRING","format":"enum","enum":["C","F"]},"days":{"type":"ARRAY","items":{"type":"INTEGER"}}},"required":["city"],"propertyOrdering":["city","unit","days"]}`
	want := `{"type":"object","properties":{"city":{"type":["string","null"],"description":"The city."},"unit":{"type":"string","enum":["C","F"]},"days":{"type":"array","items":{"type":"integer"}}},"required":["city"],"propertyOrdering":["city","unit","days"]}`
	got, err := wire.ToJSONSchema(json.RawMessage(in))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want { // property order is kept
		t.Fatalf("\n got: %s\nwant: %s", got, want)
	}
}
