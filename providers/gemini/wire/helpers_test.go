package wire_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/gemini/wire"
	"github.com/switchboard-gw/switchboard/providers/internal/sse"
)

func asLLMError(t *testing.T, err error) *llm.Error {
	t.Helper()
	var e *llm.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *llm.Error", err, err)
	}
	return e
}

// jsonEqual compares two JSON texts by value.
func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("not JSON: %v: %s", err, a)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("not JSON: %v: %s", err, b)
	}
	return reflect.DeepEqual(x, y)
}

func decodeMap(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not a JSON object: %v: %s", err, b)
	}
	return m
}

// decodeSSE runs a raw SSE body through the shared reader and the stream
// decoder and returns the chunks, including the final usage chunk.
func decodeSSE(t *testing.T, body string) ([]llm.Chunk, error) {
	t.Helper()
	r := sse.NewReader(strings.NewReader(body))
	d := wire.StreamDecoder{Provider: "gemini"}
	var out []llm.Chunk
	for {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			c, ok, err := d.Finish()
			if err != nil {
				return out, err
			}
			if ok {
				out = append(out, c)
			}
			return out, nil
		}
		if err != nil {
			t.Fatal(err)
		}
		var resp wire.GenerateContentResponse
		if err := json.Unmarshal(ev.Data, &resp); err != nil {
			t.Fatalf("chunk is not JSON: %v: %q", err, ev.Data)
		}
		if out, err = d.Decode(&resp, out); err != nil {
			return out, err
		}
	}
}

func collect(chunks []llm.Chunk) *llm.Response {
	var a llm.Accumulator
	for _, c := range chunks {
		a.Add(c)
	}
	return a.Response()
}

func compact(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		t.Fatalf("not JSON: %v: %s", err, s)
	}
	return b.String()
}

func textMessage(role llm.Role, text string) llm.Message {
	return llm.Message{Role: role, Parts: []llm.Part{llm.TextPart(text)}}
}
