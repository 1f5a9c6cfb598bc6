package wire_test

import (
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/gemini/wire"
)

func TestDecodeRequestAcceptsSnakeCase(t *testing.T) {
	body := `{"contents":[{"role":"user","parts":[{"text":"hi"},{"inline_data":{"mime_type":"image/png","data":"iVBORw=="}}]}],
	  "system_instruction":{"parts":[{"text":"be brief"}]},
	  "tools":[{"function_declarations":[{"name":"get_weather","parameters":{"type":"OBJECT","properties":{"user_id":{"type":"STRING"}},"property_ordering":["user_id"]}}]}],
	  "tool_config":{"function_calling_config":{"mode":"ANY","allowed_function_names":["get_weather"]}},
	  "generation_config":{"max_output_tokens":50,"response_mime_type":"text/plain","thinking_config":{"thinking_budget":64,"include_thoughts":true}}}`
	r, err := wire.DecodeRequest([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	canon, err := wire.ToCanonicalRequest("models/sim", r)
	if err != nil {
		t.Fatal(err)
	}
	if canon.Model != "sim" || canon.Messages[0].Text() != "be brief" || canon.Messages[1].Parts[1].Image.MediaType != "image/png" {
		t.Errorf("messages = %+v", canon.Messages)
	}
	if canon.ToolChoice == nil || canon.ToolChoice.Mode != llm.ToolChoiceFunction || canon.ToolChoice.Name != "get_weather" {
		t.Errorf("tool choice = %+v", canon.ToolChoice)
	}
	// Property names are the user's: user_id stays; the schema's own
	// property_ordering is a field name and becomes propertyOrdering.
	if got := string(canon.Tools[0].Parameters); got != `{"type":"object","properties":{"user_id":{"type":"string"}},"propertyOrdering":["user_id"]}` {
		t.Errorf("parameters = %s", got)
	}
	if *canon.MaxTokens != 50 || canon.Reasoning == nil || canon.Reasoning.BudgetTokens != 64 {
		t.Errorf("generation = %+v %+v", canon.MaxTokens, canon.Reasoning)
	}
}

func TestDecodeRequestErrors(t *testing.T) {
	cases := []struct{ body, message, param string }{
		{`{"contents":[],"temperature":1}`, `Invalid JSON payload received. Unknown name "temperature": Cannot find field.`, "temperature"},
		{`{"contents":[{"parts":[{"text":1}]}]}`, `Invalid value at 'contents.parts.text' (TYPE_STRING), number`, "contents.parts.text"},
		{`{"contents":`, "Invalid JSON payload received.", ""},
		{`[]`, "Invalid JSON payload received. Expected an object.", ""},
	}
	for _, c := range cases {
		_, err := wire.DecodeRequest([]byte(c.body))
		e := asLLMError(t, err)
		if e.Kind != llm.KindInvalidRequest || !strings.HasPrefix(e.Message, c.message) || e.Param != c.param {
			t.Errorf("%s: got %q (param %q)", c.body, e.Message, e.Param)
		}
	}
}

func TestToCanonicalRequestValidation(t *testing.T) {
	cases := []struct{ body, param string }{
		{`{"contents":[]}`, "contents"},
		{`{"contents":[{"role":"user","parts":[]}]}`, "contents[0].parts"},
		{`{"contents":[{"role":"system","parts":[{"text":"x"}]}]}`, "contents[0].role"},
		{`{"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"temperature":3}}`, "generation_config.temperature"},
		{`{"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"candidateCount":9}}`, "generation_config.candidate_count"},
		{`{"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"responseSchema":{"type":"OBJECT"}}}`, "generation_config.response_mime_type"},
		{`{"contents":[{"parts":[{"text":"x"}]}],"toolConfig":{"functionCallingConfig":{"mode":"ANY"}}}`, "tool_config.function_calling_config.mode"},
		{`{"contents":[{"parts":[{"text":"x"}]}],"tools":[{"functionDeclarations":[{"name":"f"}]}],"toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["g"]}}}`, "tool_config.function_calling_config.allowed_function_names"},
		{`{"contents":[{"parts":[{"inlineData":{"mimeType":"image/png","data":"***"}}]}]}`, "contents[0].parts[0].inline_data.data"},
	}
	for _, c := range cases {
		r, err := wire.DecodeRequest([]byte(c.body))
		if err != nil {
			t.Fatalf("%s: %v", c.body, err)
		}
		_, err = wire.ToCanonicalRequest("m", r)
		if e := asLLMError(t, err); e.Kind != llm.KindInvalidRequest || e.Param != c.param {
			t.Errorf("%s: got %+v, want param %q", c.body, e, c.param)
		}
	}
}

func TestToCanonicalResponseFormatsAndThinking(t *testing.T) {
	cases := []struct {
		gc     string
		format llm.ResponseFormatType
		schema string
		reason *llm.ReasoningConfig
	}{
		{`{"responseMimeType":"application/json"}`, llm.ResponseFormatJSONObject, "", nil},
		{`{"responseMimeType":"application/json","responseSchema":{"type":"OBJECT","properties":{"a":{"type":"INTEGER"}}}}`, llm.ResponseFormatJSONSchema, `{"type":"object","properties":{"a":{"type":"integer"}}}`, nil},
		{`{"responseMimeType":"application/json","responseJsonSchema":{"type": "object"}}`, llm.ResponseFormatJSONSchema, `{"type":"object"}`, nil},
		{`{"thinkingConfig":{"thinkingBudget":-1}}`, "", "", &llm.ReasoningConfig{Effort: "medium"}},
		{`{"thinkingConfig":{"thinkingBudget":0}}`, "", "", nil},
		{`{"thinkingConfig":{"thinkingLevel":"HIGH"}}`, "", "", &llm.ReasoningConfig{Effort: "high"}},
	}
	for _, c := range cases {
		r, err := wire.DecodeRequest([]byte(`{"contents":[{"parts":[{"text":"x"}]}],"generationConfig":` + c.gc + `}`))
		if err != nil {
			t.Fatal(err)
		}
		canon, err := wire.ToCanonicalRequest("m", r)
		if err != nil {
			t.Fatalf("%s: %v", c.gc, err)
		}
		var format llm.ResponseFormatType
		schema := ""
		if canon.ResponseFormat != nil {
			format, schema = canon.ResponseFormat.Type, string(canon.ResponseFormat.Schema)
		}
		if format != c.format || schema != c.schema {
			t.Errorf("%s: format %q schema %s", c.gc, format, schema)
		}
		if (canon.Reasoning == nil) != (c.reason == nil) || (c.reason != nil && *canon.Reasoning != *c.reason) {
			t.Errorf("%s: reasoning %+v", c.gc, canon.Reasoning)
		}
	}
}

func TestEmbedRequests(t *testing.T) {
	dims := int64(256)
	r := wire.FromCanonicalEmbedRequest(&llm.EmbedRequest{Model: "gemini-embedding-001", Inputs: []string{"a", "b"}, Dimensions: &dims})
	if len(r.Requests) != 2 || r.Requests[1].Model != "models/gemini-embedding-001" || *r.Requests[1].Content.Parts[0].Text != "b" || *r.Requests[0].OutputDimensionality != 256 {
		t.Fatalf("batch = %+v", r)
	}
	back, err := wire.ToCanonicalEmbedRequest("gemini-embedding-001", r)
	if err != nil || len(back.Inputs) != 2 || back.Inputs[1] != "b" || *back.Dimensions != 256 {
		t.Fatalf("back = %+v, %v", back, err)
	}
	r.Requests[1].Model = "models/other"
	if _, err := wire.ToCanonicalEmbedRequest("gemini-embedding-001", r); asLLMError(t, err).Param != "requests[1].model" {
		t.Errorf("a request for another model must be refused: %v", err)
	}
}
