package wire_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/providers/openai/wire"
)

// sameAsEncodingJSON checks that the fast decoder gives exactly what
// encoding/json gives: the same value, and an error exactly when it errs.
func sameAsEncodingJSON[T any](t *testing.T, decode func([]byte, *T) error, doc string) {
	t.Helper()
	var fast, slow T
	fastErr := decode([]byte(doc), &fast)
	slowErr := json.Unmarshal([]byte(doc), &slow)
	if (fastErr == nil) != (slowErr == nil) || (fastErr != nil && fastErr.Error() != slowErr.Error()) {
		t.Fatalf("%s\nerror %v, encoding/json %v", doc, fastErr, slowErr)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%s\ndecoded  %+v\nwant     %+v", doc, fast, slow)
	}
}

var chunkDocs = []string{
	// OpenAI's own shapes.
	`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1755137933,"model":"gpt-5-nano","service_tier":"default","system_fingerprint":null,"choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"xyz"}`,
	`{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":" there"},"finish_reason":null}]}`,
	`{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`,
	`{"id":"c","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}`,
	`{"id":"c","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}`,
	`{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"loc"}}]},"finish_reason":null}]}`,
	`{"choices":[{"delta":{"tool_calls":[{"id":"x","function":{"name":"f","arguments":"{}"}}]}}]}`,
	// Vendors: DeepSeek reasoning and cache counters, Azure's empty preamble.
	`{"id":"d","choices":[{"index":0,"delta":{"reasoning_content":"Let me think","content":null}}],"usage":{"prompt_tokens":5,"prompt_cache_hit_tokens":3,"prompt_cache_miss_tokens":2}}`,
	`{"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"}}}]}`,
	`{"error":{"message":"boom","type":"server_error","code":null}}`,
	// Strings: escapes, unicode escapes, surrogates, invalid UTF-8, HTML.
	`{"choices":[{"delta":{"content":"line\nbreak \"quoted\" back\\slash \/ \t tab \u00e9 \ud83d\ude00 \ud800 <b>&amp;</b>"}}]}`,
	"{\"choices\":[{\"delta\":{\"content\":\"bad \xff utf8 \xe2\x82\"}}]}",
	`{"choices":[{"delta":{"content":"é 日本語 😀"}}]}`,
	// nulls, empty values, whitespace, duplicates, unknown nested values.
	" \n{ \"id\" : \"a\" , \"id\":\"b\", \"choices\" : null , \"usage\": {} , \"x\": [1, -2.5e+3, true, false, null, {\"y\": [[]]}, \"s\\u0041\"] }\t",
	`{"id":null,"created":null,"choices":[null,{"index":null,"delta":null,"finish_reason":null}]}`,
	`{"choices":[{"delta":{"tool_calls":null}}],"usage":{"prompt_tokens_details":null,"completion_tokens_details":null}}`,
	`{"choices":[{"delta":{"tool_calls":[null,{"index":null,"function":null}]}}]}`,
	`{}`,
	`{"created":-0}`,
	// Case-folded and non-ASCII keys: encoding/json matches them.
	`{"ID":"upper","Choices":[{"Delta":{"Content":"x"}}]}`,
	`{"choices":[{"delta":{"CONTENT":"x"}}]}`,
	"{\"\u212Aind\":1,\"model\":\"kelvin\"}",
	`{"mod\u0065l":"escaped key"}`,
	// Numbers that are not integers, overflows, leading zeros.
	`{"created":1.5}`,
	`{"created":1e3}`,
	`{"created":99999999999999999999}`,
	`{"created":012}`,
	`{"choices":[{"index":"0"}]}`,
	// Invalid documents.
	``, `null`, `[]`, `"x"`, `{`, `{"id":}`, `{"id":"a",}`, `{"id":"a"} x`, `{"id":"a"}{}`,
	`{"choices":[{"delta":{"content":"unterminated}}]}`, `{"x":tru}`, `{"x":01}`, `{"x":"\q"}`, `{"x":"\u12"}`,
	"{\"x\":\"ctrl \x01 char\"}", `{"x":-}`, `{"x":1.}`, `{"x":1e}`, `{"x":[1,]}`, `{"x":[1 2]}`,
	`{"id":"a" "model":"b"}`,
	// Deep nesting beyond the fast path's limit.
	`{"x":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`,
	// Duplicate keys: encoding/json decodes the second into the first.
	`{"choices":[{"index":0,"delta":{"content":"a"}}],"choices":[{"finish_reason":"stop"}]}`,
	`{"usage":{"prompt_tokens":1},"usage":{"completion_tokens":2}}`,
}

var responseDocs = []string{
	`{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hello!","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11},"service_tier":"default","system_fingerprint":"fp"}`,
	`{
  "id": "pretty",
  "choices": [
    {
      "index": 0,
      "message": {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{\"a\":1}"}}]},
      "finish_reason": "tool_calls"
    }
  ]
}`,
	`{"choices":[{"message":{"content":[{"type":"text","text":"parts"}]}}]}`,
	`{"choices":[{"message":{"function_call":{"name":"legacy","arguments":"{}"},"reasoning_content":"hmm","name":"n","tool_call_id":"t"}}]}`,
	`{"choices":[{"message":{"function_call":null},"finish_reason":null}]}`,
	`{"error":{"message":"quota","code":402}}`,
	`{"choices":[{"message":{"content":5}}]}`,
	`{"Choices":[]}`, `{"choices":[}`, `[]`,
}

func TestDecodeChatChunkMatchesEncodingJSON(t *testing.T) {
	for i, doc := range chunkDocs {
		t.Run(fmt.Sprint(i), func(t *testing.T) { sameAsEncodingJSON(t, wire.DecodeChatChunk, doc) })
	}
}

func TestDecodeChatResponseMatchesEncodingJSON(t *testing.T) {
	for i, doc := range append(responseDocs, chunkDocs...) {
		t.Run(fmt.Sprint(i), func(t *testing.T) { sameAsEncodingJSON(t, wire.DecodeChatResponse, doc) })
	}
}

// Every recorded OpenAI chunk and completion decodes as encoding/json
// decodes it.
func TestFastDecodersOnRecordedTraffic(t *testing.T) {
	for _, name := range fixtures.List(t, "openai") {
		tr := fixtures.Load(t, "openai", name)
		if tr.Response.IsSSE() {
			for _, data := range sseData(t, tr.Response.BodyText()) {
				if data != "[DONE]" {
					sameAsEncodingJSON(t, wire.DecodeChatChunk, data)
				}
			}
			continue
		}
		if strings.HasPrefix(name, "chat") {
			sameAsEncodingJSON(t, wire.DecodeChatResponse, string(tr.Response.RawBody()))
		}
	}
}

// A reused target, cleared as the provider's stream clears it, decodes like
// a fresh one.
func TestDecodeChatChunkIntoAClearedTarget(t *testing.T) {
	var c wire.ChatChunk
	for _, doc := range chunkDocs[:8] {
		cs := c.Choices[:cap(c.Choices)]
		clear(cs)
		c = wire.ChatChunk{Choices: cs[:0]}
		if err := wire.DecodeChatChunk([]byte(doc), &c); err != nil {
			t.Fatal(err)
		}
		var fresh wire.ChatChunk
		if err := json.Unmarshal([]byte(doc), &fresh); err != nil {
			t.Fatal(err)
		}
		if len(fresh.Choices) == 0 && len(c.Choices) == 0 {
			c.Choices, fresh.Choices = nil, nil // [] into a reused backing array keeps it
		}
		if !reflect.DeepEqual(c, fresh) {
			t.Fatalf("%s\nreused %+v\nfresh  %+v", doc, c, fresh)
		}
	}
}

func FuzzDecodeChatChunk(f *testing.F) {
	for _, doc := range chunkDocs {
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc string) { sameAsEncodingJSON(t, wire.DecodeChatChunk, doc) })
}

func FuzzDecodeChatResponse(f *testing.F) {
	for _, doc := range responseDocs {
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc string) { sameAsEncodingJSON(t, wire.DecodeChatResponse, doc) })
}
