package wire_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/providers/openai/wire"
)

// sameRequestAsEncodingJSON checks that DecodeChatRequest, fast path
// included, gives exactly what encoding/json gives: the same request, the
// same extra fields, the same error.
func sameRequestAsEncodingJSON(t *testing.T, doc string) {
	t.Helper()
	got, extra, err := wire.DecodeChatRequest([]byte(doc))
	want, wantErr := wire.DecodeChatRequestWithEncodingJSON([]byte(doc))
	if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
		t.Fatalf("%s\nerror %v, encoding/json %v", doc, err, wantErr)
	}
	if err != nil {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s\ndecoded  %+v\nwant     %+v", doc, got, want)
	}
	if !reflect.DeepEqual(extra, want.Extra) {
		t.Fatalf("%s\nextra %v, want %v", doc, extra, want.Extra)
	}
}

var requestDocs = []string{
	benchRequestBody,
	`{"model":"m","messages":[{"role":"user","content":"hi"}]}`,
	`{"model":"m","messages":[{"role":"system","content":"s"},{"role":"user","content":[{"type":"text","text":"look"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA","detail":"low"}},{"type":"text","text":"x","cache_control":{"type":"ephemeral","ttl":"5m"}},{"type":"input_audio","input_audio":{"data":"..."}}]}]}`,
	`{"model":"m","messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}],"refusal":"no","reasoning_content":"r","function_call":{"name":"g","arguments":"{}"}},{"role":"tool","tool_call_id":"c","name":"f","content":"[]"}]}`,
	`{"model":"m","messages":[],"content":[]}`,
	`{"model":"m","messages":[{"content":[]}],"tools":[],"functions":[{"name":"f","parameters":{"type":"object"}}],"function_call":{"name":"f"}}`,
	`{"model":"m","function_call":"auto","tool_choice":{"type":"function","function":{"name":"f"}},"parallel_tool_calls":false}`,
	`{"model":"m","tool_choice":"required","response_format":{"type":"json_schema","json_schema":{"name":"n","description":"d","schema":{"type":"object","properties":{"a":{"type":"string"}}},"strict":true}}}`,
	`{"model":"m","response_format":{"type":"json_object"},"stop":"\n","seed":-7,"n":2,"user":"u","metadata":{"a":"b","c":"d"},"reasoning_effort":"low"}`,
	`{"model":"m","stop":["a","b"],"temperature":0.7,"top_p":1,"presence_penalty":-1.5e0,"frequency_penalty":2E-1,"max_tokens":5,"max_completion_tokens":9}`,
	`{"model":"m","stream":true,"stream_options":{"include_usage":true},"logit_bias":{"50256":-100},"store":false,"service_tier":"flex","prediction":{"type":"content","content":"x"}}`,
	`{"model":"m","stream":null,"stream_options":null,"stop":null,"metadata":null,"tools":null,"messages":null,"temperature":null,"n":null,"tool_choice":null,"response_format":null,"function_call":null,"functions":null,"parallel_tool_calls":null,"seed":null}`,
	// Escaped and unicode strings, case-folded keys, duplicates.
	`{"model":"m\u00e9","messages":[{"role":"user","content":"a\nb \"q\" \ud83d\ude00"}]}`,
	`{"Model":"m","messages":[]}`,
	`{"model":"m","Stream":true}`,
	`{"model":"m","MESSAGES":[{"role":"user","content":"x"}]}`,
	`{"model":"m","extra_thing":{"Model":1},"another":[1,2]}`,
	`{"model":"m","messages":[{"role":"user","name":"x"}],"messages":[{"role":"assistant"}]}`,
	`{"model":"m","response_format":{"type":"a","json_schema":{"name":"n"}},"response_format":{"type":"b"}}`,
	`{"model":"a","model":"b","x":1,"x":2}`,
	`{"mod\u0065l":"escaped key"}`,
	"{\"model\":\"m\",\"\u212Aey\":1}",
	// Wrong types and odd values: encoding/json's errors.
	`{"model":5}`, `{"model":"m","messages":"hi"}`, `{"model":"m","messages":[{"content":5}]}`,
	`{"model":"m","temperature":"hot"}`, `{"model":"m","temperature":1e400}`, `{"model":"m","max_tokens":1.5}`,
	`{"model":"m","n":99999999999999999999}`, `{"model":"m","stop":[null]}`, `{"model":"m","stop":5}`,
	`{"model":"m","metadata":{"a":null}}`, `{"model":"m","metadata":{"a":1}}`, `{"model":"m","tool_choice":5}`,
	`{"model":"m","stream":"yes"}`, `{"model":"m","stream":nul}`, `{"model":"m","parallel_tool_calls":0}`,
	`{"model":"m","messages":[{"content":[{"type":5}]}]}`, `{"model":"m","tools":[{"function":{"strict":"no"}}]}`,
	// Invalid documents.
	``, ` `, `null`, `[]`, `"x"`, `{`, `{"model":}`, `{"model":"m",}`, `{"model":"m"} x`, `{"model":"m"`,
	`{"model":"m","messages":[{"role":"user","content":"unterminated}]}`,
	`{"model":"m","x":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`,
}

func TestDecodeChatRequestFastPathMatchesEncodingJSON(t *testing.T) {
	for i, doc := range requestDocs {
		t.Run(fmt.Sprint(i), func(t *testing.T) { sameRequestAsEncodingJSON(t, doc) })
	}
}

func FuzzDecodeChatRequest(f *testing.F) {
	for _, doc := range requestDocs {
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc string) { sameRequestAsEncodingJSON(t, doc) })
}
