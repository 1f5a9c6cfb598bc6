package wire_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"github.com/switchboard-gw/switchboard/providers/openai/wire"
)

// sameBytesAsMarshal checks that AppendChatRequest writes exactly what
// json.Marshal writes, or fails as it fails.
func sameBytesAsMarshal(t *testing.T, r *wire.ChatRequest) {
	t.Helper()
	want, wantErr := json.Marshal(r)
	got, err := wire.AppendChatRequest([]byte("prefix"), r)
	if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
		t.Fatalf("request %+v\nerror %v, json.Marshal %v", r, err, wantErr)
	}
	if err == nil && !bytes.Equal(got[len("prefix"):], want) {
		t.Fatalf("request %+v\ngot  %s\nwant %s", r, got[len("prefix"):], want)
	}
}

// Every request the decoder accepts, and what the translator makes of it
// for several vendors, is written as json.Marshal writes it.
func TestAppendChatRequestMatchesMarshal(t *testing.T) {
	for i, doc := range requestDocs {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			r, extra, err := wire.DecodeChatRequest([]byte(doc))
			if err != nil {
				return
			}
			sameBytesAsMarshal(t, r)
			canon, err := wire.ToCanonicalRequest(r, extra)
			if err != nil {
				return
			}
			for _, opts := range []wire.RequestOptions{
				{}, {Stream: true}, {MaxTokensField: "max_tokens", OmitStreamUsage: true, OmitReasoningEffort: true, Stream: true},
				{SendCacheControl: true, Provider: "openrouter"},
			} {
				up, err := wire.FromCanonicalRequest(canon, opts)
				if err != nil {
					continue
				}
				sameBytesAsMarshal(t, up)
			}
		})
	}
}

func TestAppendChatRequestOddValues(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, r := range []*wire.ChatRequest{
		{Model: "m", Temperature: f(math.NaN())},
		{Model: "m", TopP: f(math.Inf(1))},
		{Model: "m", Temperature: f(1e-7), TopP: f(1e21), PresencePenalty: f(-0.0), FrequencyPenalty: f(123456789.125)},
		{Model: "m", Temperature: f(5e-324), TopP: f(1.7976931348623157e308)},
		{Model: "<m>&", User: "a\u2028b", Messages: []wire.Message{{Role: "user", Content: &wire.Content{Text: "<script>&amp;\u2029"}}}},
		{Model: "m", Extra: map[string]json.RawMessage{"logit_bias": json.RawMessage(" { \"1\" : -1 , \"s\":\"<a> \u2028\" } ")}},
		{Model: "m", Extra: map[string]json.RawMessage{"bad": json.RawMessage(`{"x":`)}},
		{Model: "m", Extra: map[string]json.RawMessage{"empty": nil}},
		{Model: "m", Extra: map[string]json.RawMessage{"model": json.RawMessage(`"override"`), "z": json.RawMessage(`1`)}},
		{Model: "m", Tools: []wire.Tool{{Type: "function", Function: wire.Function{Name: "f", Parameters: json.RawMessage(`{"type" : "object",  "description":"a < b"}`)}}}},
		{Model: "m", Tools: []wire.Tool{{Type: "function", Function: wire.Function{Name: "f", Parameters: json.RawMessage(`not json`)}}}},
		{Model: "m", Stop: &wire.Stop{}, Metadata: map[string]string{"b": "1", "a": "2", "<": ">"}, N: new(int)},
		{Model: "m", ToolChoice: &wire.ToolChoice{Function: "f"}, FunctionCall: &wire.FunctionChoice{Function: "g"}},
		{},
	} {
		sameBytesAsMarshal(t, r)
	}
}

func FuzzAppendChatRequest(f *testing.F) {
	for _, doc := range requestDocs {
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		r, _, err := wire.DecodeChatRequest([]byte(doc))
		if err != nil {
			return
		}
		sameBytesAsMarshal(t, r)
	})
}
