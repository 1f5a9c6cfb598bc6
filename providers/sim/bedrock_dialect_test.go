package sim_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/providers/bedrock/wire"
	"github.com/switchboard-gw/switchboard/providers/sim"
)

const (
	bedClaude = "us.anthropic.claude-sonnet-4-6"
	bedNova   = "us.amazon.nova-micro-v1:0"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// shape reduces a JSON value to its structure: object keys, array element
// shapes, and value kinds.
func shape(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if k == "p" {
				continue // padding, random in length
			}
			out[k] = shape(e)
		}
		return out
	case []any:
		if len(x) == 0 {
			return []any{}
		}
		return []any{shape(x[0])}
	case string:
		return "string"
	case float64, json.Number:
		return "number"
	case bool:
		return "bool"
	}
	return "null"
}

// keysSorted reports whether every object in the JSON text has its members
// in alphabetical order, as Bedrock writes them.
func keysSorted(t *testing.T, raw []byte) bool {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	type frame struct {
		object bool
		last   string
		isKey  bool
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return true
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				if len(stack) > 0 && stack[len(stack)-1].object {
					stack[len(stack)-1].isKey = true
				}
				stack = append(stack, frame{object: d == '{', isKey: true})
			default:
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && stack[len(stack)-1].object {
					stack[len(stack)-1].isKey = true
				}
			}
			continue
		}
		top := &stack[len(stack)-1]
		if !top.object {
			continue
		}
		if top.isKey {
			k := tok.(string)
			if top.last != "" && k < top.last {
				return false
			}
			top.last, top.isKey = k, false
		} else {
			top.isKey = true
		}
	}
}

// A Claude answer has the recording's shape: the same members at every
// level (usage with both spellings of the cache counts and
// serverToolUsage), in alphabetical order, with an x-amzn-RequestId.
func TestBedrockUnaryShapeMatchesRecording(t *testing.T) {
	for _, tg := range bedTargets(t, sim.Options{}) {
		t.Run(tg.name, func(t *testing.T) {
			rec := fixtures.Load(t, "bedrock", "converse-basic")
			resp, data := tg.converse(t, bedClaude, false, rec.Request.Body)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" || !uuidPattern.MatchString(resp.Header.Get("X-Amzn-Requestid")) {
				t.Fatalf("%d %v: %s", resp.StatusCode, resp.Header, data)
			}
			var got, want any
			_ = json.Unmarshal(data, &got)
			_ = json.Unmarshal(rec.Response.Body, &want)
			if !reflect.DeepEqual(shape(got), shape(want)) {
				t.Errorf("shape:\n got %v\nwant %v", shape(got), shape(want))
			}
			if !keysSorted(t, data) || !bytes.HasPrefix(data, []byte(`{"metrics":{"latencyMs":`)) {
				t.Errorf("member order: %s", data)
			}
			u := got.(map[string]any)["usage"].(map[string]any)
			if u["totalTokens"].(float64) != u["inputTokens"].(float64)+u["outputTokens"].(float64) || u["inputTokens"].(float64) == 0 {
				t.Errorf("usage = %v", u)
			}
		})
	}
}

// A Nova tool call has the recording's shape: no cache counts in usage, a
// toolUse block {input, name, toolUseId} and stopReason tool_use.
func TestBedrockToolUseShapeMatchesRecording(t *testing.T) {
	tg := bedTarget1(t, sim.Options{})
	rec := fixtures.Load(t, "bedrock", "converse-tool-use")
	var body map[string]any
	_ = json.Unmarshal(rec.Request.Body, &body)
	body["toolConfig"].(map[string]any)["toolChoice"] = map[string]any{"any": map[string]any{}}
	got := tg.ok(t, bedNova, body)
	var want map[string]any
	_ = json.Unmarshal(rec.Response.Body, &want)
	// The recording opens with a text block; a forced call has none.
	wantMsg := want["output"].(map[string]any)["message"].(map[string]any)
	wantMsg["content"] = wantMsg["content"].([]any)[1:]
	if !reflect.DeepEqual(shape(got), shape(want)) {
		t.Errorf("shape:\n got %v\nwant %v", shape(got), shape(want))
	}
	tu := got["output"].(map[string]any)["message"].(map[string]any)["content"].([]any)[0].(map[string]any)["toolUse"].(map[string]any)
	if id := tu["toolUseId"].(string); !strings.HasPrefix(id, "tooluse_") || len(id) != 30 || got["stopReason"] != "tool_use" {
		t.Errorf("tool use = %v, stop %v", tu, got["stopReason"])
	}
	if _, ok := tu["input"].(map[string]any)["country"].(string); !ok {
		t.Errorf("input = %v", tu["input"])
	}
}

func eventTypes(frames []frameOf) []string {
	var out []string
	for _, f := range frames {
		if n := len(out); n > 0 && out[n-1] == f.headers[":event-type"] && f.headers[":event-type"] == wire.EventContentBlockDelta {
			continue // runs of deltas
		}
		out = append(out, f.headers[":event-type"])
	}
	return out
}

// A streamed text answer is framed like the recording: the same headers on
// every frame, the same event sequence (no contentBlockStart for text,
// messageStop before metadata), the same payload members, each padded
// with a prefix of the alphabet and in alphabetical order.
func TestBedrockStreamShapeMatchesRecording(t *testing.T) {
	rec := fixtures.Load(t, "bedrock", "converseStream-text")
	var recorded []struct {
		Headers map[string]string `json:"headers"`
		Payload map[string]any    `json:"payload"`
	}
	_ = json.Unmarshal(rec.Response.Body, &recorded)
	var want []frameOf
	wantShapes := map[string]any{}
	for _, r := range recorded {
		want = append(want, frameOf{headers: r.Headers, payload: r.Payload})
		wantShapes[r.Headers[":event-type"]] = shape(r.Payload)
	}
	for _, tg := range bedTargets(t, sim.Options{}) {
		t.Run(tg.name, func(t *testing.T) {
			frames, err := tg.streamFrames(t, bedNova, rec.Request.Body)
			if err != nil {
				t.Fatal(err)
			}
			if got, w := eventTypes(frames), eventTypes(want); !reflect.DeepEqual(got, w) {
				t.Fatalf("events %v, want %v", got, w)
			}
			var text strings.Builder
			for i, f := range frames {
				typ := f.headers[":event-type"]
				if len(f.headers) != 3 || f.headers[":content-type"] != "application/json" || f.headers[":message-type"] != "event" {
					t.Errorf("frame %d headers = %v", i, f.headers)
				}
				if !reflect.DeepEqual(shape(f.payload), wantShapes[typ]) {
					t.Errorf("frame %d (%s) = %v, want %v", i, typ, shape(f.payload), wantShapes[typ])
				}
				p, _ := f.payload["p"].(string)
				if p == "" || !strings.HasPrefix("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", p) || !keysSorted(t, f.raw) {
					t.Errorf("frame %d padding or order: %s", i, f.raw)
				}
				if d, ok := f.payload["delta"].(map[string]any); ok {
					text.WriteString(d["text"].(string))
				}
			}
			if !strings.HasPrefix(text.String(), "This is a simulated response.") {
				t.Errorf("text = %q", text.String())
			}
		})
	}
}

// A streamed tool call starts its block with the id and name and streams
// its input in fragments; a call without arguments streams one empty input.
func TestBedrockStreamToolUse(t *testing.T) {
	tg := bedTarget1(t, sim.Options{})
	body := bedUser("Use get_weather for Paris and get_time")
	body["toolConfig"] = map[string]any{"tools": []any{
		map[string]any{"toolSpec": map[string]any{"name": "get_weather", "inputSchema": map[string]any{"json": map[string]any{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}, "required": []any{"city"}}}}},
		map[string]any{"toolSpec": map[string]any{"name": "get_time", "inputSchema": map[string]any{"json": map[string]any{"type": "object", "properties": map[string]any{}}}}},
	}}
	frames, err := tg.streamFrames(t, bedClaude, body)
	if err != nil {
		t.Fatal(err)
	}
	inputs := map[float64]string{}
	starts := map[float64]map[string]any{}
	for _, f := range frames {
		idx, _ := f.payload["contentBlockIndex"].(float64)
		switch f.headers[":event-type"] {
		case wire.EventContentBlockStart:
			starts[idx] = f.payload["start"].(map[string]any)["toolUse"].(map[string]any)
		case wire.EventContentBlockDelta:
			inputs[idx] += f.payload["delta"].(map[string]any)["toolUse"].(map[string]any)["input"].(string)
		case wire.EventMessageStop:
			if f.payload["stopReason"] != "tool_use" {
				t.Errorf("stop = %v", f.payload)
			}
		}
	}
	if len(starts) != 2 || starts[0]["name"] != "get_weather" || starts[1]["name"] != "get_time" || !strings.HasPrefix(starts[1]["toolUseId"].(string), "tooluse_") {
		t.Fatalf("starts = %v", starts)
	}
	if !json.Valid([]byte(inputs[0])) || !strings.Contains(inputs[0], `"city"`) || inputs[1] != "" {
		t.Errorf("inputs = %v", inputs)
	}
}

func errorType(resp *http.Response) string {
	typ, _, _ := strings.Cut(resp.Header.Get("X-Amzn-Errortype"), ":")
	return typ
}

// The signature is checked as AWS checks it, against the AWS SDK's signer.
func TestBedrockSignatureChecks(t *testing.T) {
	body := bedBody(t, bedUser("hi"))
	path := modelPath(bedClaude, "converse")
	for _, tg := range bedTargets(t, sim.Options{}) {
		t.Run(tg.name, func(t *testing.T) {
			for _, tc := range []struct {
				name    string
				tamper  func(*http.Request)
				status  int
				typ     string
				message string
			}{
				{"signed", nil, 200, "", ""},
				{"no authorization", func(r *http.Request) { r.Header.Del("Authorization") }, 403, "MissingAuthenticationTokenException", "Missing Authentication Token"},
				{"not sigv4", func(r *http.Request) { r.Header.Set("Authorization", "Bearer abc") }, 403, "IncompleteSignatureException", ""},
				{"no signature", func(r *http.Request) {
					r.Header.Set("Authorization", strings.Split(r.Header.Get("Authorization"), ", Signature=")[0])
				}, 403, "IncompleteSignatureException", "requires 'Signature' parameter"},
				{"other service", func(r *http.Request) {
					r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/bedrock/", "/s3/", 1))
				}, 403, "InvalidSignatureException", "correct service: 'bedrock'"},
				{"other body", func(r *http.Request) {
					b := bedBody(t, bedUser("hello"))
					r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
				}, 403, "InvalidSignatureException", "does not match"},
				{"other header value", func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }, 403, "InvalidSignatureException", "does not match"},
				{"no date", func(r *http.Request) { r.Header.Del("X-Amz-Date") }, 403, "IncompleteSignatureException", "X-Amz-Date"},
			} {
				resp, data := tg.do(t, tg.request(t, path, body, tc.tamper))
				if resp.StatusCode != tc.status || errorType(resp) != tc.typ || !strings.Contains(string(data), tc.message) {
					t.Errorf("%s: %d %s %s", tc.name, resp.StatusCode, errorType(resp), data)
				}
			}
			old := tg
			old.now = time.Now().Add(-6 * time.Minute)
			if resp, data := old.do(t, old.request(t, path, body, nil)); resp.StatusCode != 403 || !strings.Contains(string(data), "Signature expired") {
				t.Errorf("expired: %d %s", resp.StatusCode, data)
			}
			other := tg
			other.key.AccessKeyID = "AKIDOTHER"
			if resp, data := other.do(t, other.request(t, path, body, nil)); resp.StatusCode != 403 || errorType(resp) != "UnrecognizedClientException" {
				t.Errorf("unknown key: %d %s", resp.StatusCode, data)
			}
		})
	}
	// With a session token configured, requests must carry it; without
	// credentials configured, any well-formed signature passes.
	withToken := bedrockKey
	withToken.SessionToken = "session-token"
	tg := bedTarget1(t, sim.Options{AWS: &withToken})
	tg.key.SessionToken = ""
	if resp, _ := tg.do(t, tg.request(t, path, body, nil)); resp.StatusCode != 403 || errorType(resp) != "UnrecognizedClientException" {
		t.Errorf("missing session token: %d", resp.StatusCode)
	}
	tg.key.SessionToken = "session-token"
	if resp, data := tg.do(t, tg.request(t, path, body, nil)); resp.StatusCode != 200 {
		t.Errorf("with session token: %d %s", resp.StatusCode, data)
	}
	open := sim.New(sim.Options{})
	anyKey := bedTarget{name: "open", srv: open, client: &http.Client{Transport: open.Transport()}, base: "http://x", key: tg.key}
	anyKey.key.AccessKeyID, anyKey.key.SecretAccessKey = "AKIDANY", "anything"
	if resp, data := anyKey.do(t, anyKey.request(t, path, body, nil)); resp.StatusCode != 200 {
		t.Errorf("open simulator: %d %s", resp.StatusCode, data)
	}
	if resp, _ := anyKey.do(t, anyKey.request(t, path, body, func(r *http.Request) { r.Header.Del("Authorization") })); resp.StatusCode != 403 {
		t.Errorf("open simulator without a signature: %d", resp.StatusCode)
	}
}

// The checks that catch translator bugs, answered with Bedrock's words.
func TestBedrockValidation(t *testing.T) {
	tg := bedTarget1(t, sim.Options{})
	tool := map[string]any{"tools": []any{map[string]any{"toolSpec": map[string]any{"name": "f", "inputSchema": map[string]any{"json": map[string]any{"type": "object"}}}}}}
	msg := func(role string, blocks ...any) map[string]any {
		return map[string]any{"role": role, "content": blocks}
	}
	text := func(s string) any { return map[string]any{"text": s} }
	use := map[string]any{"toolUse": map[string]any{"toolUseId": "tooluse_1", "name": "f", "input": map[string]any{}}}
	result := func(id string) any {
		return map[string]any{"toolResult": map[string]any{"toolUseId": id, "content": []any{map[string]any{"text": "ok"}}}}
	}
	for _, tc := range []struct {
		model, message string
		body           map[string]any
	}{
		{bedClaude, "A conversation must start with a user message", map[string]any{"messages": []any{msg("assistant", text("hi"))}}},
		{bedClaude, "must alternate between user and assistant", map[string]any{"messages": []any{msg("user", text("a")), msg("user", text("b"))}}},
		{bedClaude, "The text field in the ContentBlock object at messages.0.content.1 is blank", map[string]any{"messages": []any{msg("user", text("a"), text(" "))}}},
		{bedClaude, "The content field in the Message object at messages.0 is empty", map[string]any{"messages": []any{msg("user")}}},
		{bedClaude, "The toolConfig field must be defined", map[string]any{"messages": []any{msg("user", text("a")), msg("assistant", use), msg("user", result("tooluse_1"))}}},
		{bedClaude, "Expected toolResult blocks at messages.2.content for the following Ids: tooluse_1",
			map[string]any{"toolConfig": tool, "messages": []any{msg("user", text("a")), msg("assistant", use), msg("user", text("b"))}}},
		{bedClaude, "exceeds the number of toolUse blocks",
			map[string]any{"toolConfig": tool, "messages": []any{msg("user", text("a")), msg("assistant", text("b")), msg("user", result("tooluse_9"))}}},
		{bedClaude, "'inferenceConfig.temperature' failed to satisfy constraint", map[string]any{"messages": []any{msg("user", text("a"))}, "inferenceConfig": map[string]any{"temperature": 1.5}}},
		{bedNova, "extraneous key [thinking] is not permitted", map[string]any{"messages": []any{msg("user", text("a"))},
			"additionalModelRequestFields": map[string]any{"thinking": map[string]any{"type": "enabled", "budget_tokens": 2000}}}},
		{bedClaude, "`max_tokens` must be greater than `thinking.budget_tokens`", map[string]any{"messages": []any{msg("user", text("a"))},
			"additionalModelRequestFields": map[string]any{"thinking": map[string]any{"type": "enabled", "budget_tokens": 8000}}}},
		{bedClaude, "Invalid `signature` in `thinking` block", map[string]any{"messages": []any{msg("user", text("a")),
			msg("assistant", map[string]any{"reasoningContent": map[string]any{"reasoningText": map[string]any{"text": "t", "signature": "forged"}}}, text("b")), msg("user", text("c"))}}},
		{bedClaude, "document blocks are not supported", map[string]any{"messages": []any{msg("user", map[string]any{"document": map[string]any{"name": "d", "format": "txt", "source": map[string]any{"bytes": "eA=="}}})}}},
		{bedClaude, "Invalid simulator directive", map[string]any{"messages": []any{msg("user", text("hi [[sim status=999]]"))}}},
	} {
		resp, data := tg.converse(t, tc.model, false, tc.body)
		if resp.StatusCode != 400 || errorType(resp) != "ValidationException" || !strings.Contains(string(data), tc.message) {
			t.Errorf("%s: %d %s %s", tc.message, resp.StatusCode, errorType(resp), data)
		}
	}
	for _, path := range []string{"/model/x/invoke", "/model/converse", "/model/a/b/converse"} {
		if resp, _ := tg.do(t, tg.request(t, path, []byte(`{}`), nil)); resp.StatusCode != 404 {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
}

// Status faults answer with Bedrock's errors: the type in x-amzn-ErrorType,
// only a message in the body.
func TestBedrockStatusFaults(t *testing.T) {
	tg := bedTarget1(t, sim.Options{})
	for _, tc := range []struct {
		directive string
		status    int
		typ, body string
	}{
		{"status=429 retry_after=2", 429, "ThrottlingException", `{"message":"Too many requests, please wait before trying again."}`},
		{"status=503", 503, "ServiceUnavailableException", `{"message":"Bedrock is unable to process your request."}`},
		{"status=400 code=context_length_exceeded", 400, "ValidationException", `{"message":"Input is too long for requested model."}`},
		{"status=429 code=ModelNotReadyException", 429, "ModelNotReadyException", `{"message":"Model is not ready to serve inference requests. Try your request again."}`},
		{"status=500", 500, "InternalServerException", `{"message":"The system encountered an unexpected error during processing. Try your request again."}`},
	} {
		for _, stream := range []bool{false, true} {
			resp, data := tg.converse(t, bedClaude, stream, bedUser("hi [[sim "+tc.directive+"]]"))
			if resp.StatusCode != tc.status || errorType(resp) != tc.typ || string(data) != tc.body || resp.Header.Get("Content-Type") != "application/json" {
				t.Errorf("%s: %d %s %s", tc.directive, resp.StatusCode, resp.Header, data)
			}
			if tc.status == 429 && tc.typ == "ThrottlingException" && resp.Header.Get("Retry-After") != "2" {
				t.Errorf("Retry-After = %q", resp.Header.Get("Retry-After"))
			}
		}
	}
}

// Stream faults: an exception frame, a frame with a wrong checksum, a cut.
func TestBedrockStreamFaults(t *testing.T) {
	for _, tg := range bedTargets(t, sim.Options{}) {
		t.Run(tg.name, func(t *testing.T) {
			frames, err := tg.streamFrames(t, bedClaude, bedUser("hi [[sim error_after=2 code=throttlingException]]"))
			if err != nil || len(frames) != 3 {
				t.Fatalf("%d frames, %v", len(frames), err)
			}
			last := frames[2]
			if last.headers[":message-type"] != "exception" || last.headers[":exception-type"] != "throttlingException" || last.payload["message"] != "Too many requests, please wait before trying again." {
				t.Errorf("exception frame = %+v", last)
			}
			frames, err = tg.streamFrames(t, bedClaude, bedUser("hi [[sim error_after=1]]"))
			if err != nil || frames[len(frames)-1].headers[":exception-type"] != "modelStreamErrorException" {
				t.Errorf("default exception: %+v %v", frames, err)
			}
			frames, err = tg.streamFrames(t, bedClaude, bedUser("hi [[sim malformed_after=1]]"))
			if !errors.Is(err, wire.ErrMessageChecksum) || len(frames) != 1 {
				t.Errorf("malformed: %d frames, %v", len(frames), err)
			}
		})
	}
	tg := bedTarget1(t, sim.Options{})
	resp, err := tg.client.Do(tg.request(t, modelPath(bedClaude, "converse-stream"), bedBody(t, bedUser("hi [[sim disconnect_after=2]]")), nil))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	fr := wire.NewFrameReader(resp.Body)
	n := 0
	for ; ; n++ {
		if _, err = fr.Next(); err != nil {
			break
		}
	}
	if n != 2 || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("disconnect: %d frames, %v", n, err)
	}
}

// Served counts Bedrock requests like every dialect's.
func TestBedrockServedTotals(t *testing.T) {
	tg := bedTarget1(t, sim.Options{})
	tg.ok(t, bedClaude, bedUser("hello [[sim cached=3]]"))
	tg.converse(t, bedClaude, false, bedUser("hi [[sim status=503]]"))
	if _, err := tg.streamFrames(t, bedClaude, bedUser("hello")); err != nil {
		t.Fatal(err)
	}
	got := tg.srv.Served()
	if got.Requests != 3 || got.Errors != 1 || got.PromptTokens == 0 || got.CompletionTokens == 0 || got.CachedTokens != 3 {
		t.Errorf("served = %+v", got)
	}
}
