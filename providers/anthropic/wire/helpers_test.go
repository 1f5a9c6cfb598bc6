package wire_test

import (
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/anthropic/wire"
	"github.com/switchboard-gw/switchboard/providers/internal/sse"
)

// decodeStream runs a raw SSE body through the SSE reader and a
// StreamDecoder, and returns the chunks, the accumulated response, whether
// message_stop arrived, and the first error.
func decodeStream(t testing.TB, body, answerTool string) ([]llm.Chunk, *llm.Response, bool, error) {
	t.Helper()
	r := sse.NewReader(strings.NewReader(body))
	d := wire.NewStreamDecoder("anthropic", answerTool)
	var acc llm.Accumulator
	var all, dst []llm.Chunk
	for {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			return all, acc.Response(), d.Done(), nil
		}
		if err != nil {
			t.Fatalf("sse: %v", err)
		}
		dst, err = d.Decode(ev.Data, dst[:0])
		for _, c := range dst {
			all = append(all, c)
			acc.Add(c)
		}
		if err != nil {
			return all, acc.Response(), d.Done(), err
		}
	}
}

// jsonEqual reports whether two JSON texts hold the same value.
func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("unmarshal %s: %v", a, err)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("unmarshal %s: %v", b, err)
	}
	return reflect.DeepEqual(va, vb)
}

func asLLMError(t *testing.T, err error) *llm.Error {
	t.Helper()
	var e *llm.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *llm.Error", err, err)
	}
	return e
}

func mustMarshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decodeMap(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not a JSON object: %v: %s", err, b)
	}
	return m
}

func user(text string) llm.Message {
	return llm.Message{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart(text)}}
}

func ptr[T any](v T) *T { return &v }

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
