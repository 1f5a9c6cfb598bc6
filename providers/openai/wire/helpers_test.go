package wire_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/openai/wire"
)

// sseData returns the data payloads of a raw SSE body, in order. It is
// deliberately simpler than the provider's reader: the fixtures' streams are
// single-line "data:" events.
func sseData(t testing.TB, body string) []string {
	t.Helper()
	var out []string
	for _, ev := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n\n") {
		for _, line := range strings.Split(ev, "\n") {
			if d, ok := strings.CutPrefix(line, "data:"); ok {
				out = append(out, strings.TrimSpace(d))
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no data events in stream body")
	}
	return out
}

// accumulate decodes the data payloads of an OpenAI stream and folds them
// with llm.Accumulator, returning the result and how many canonical chunks
// carried usage.
func accumulate(t *testing.T, events []string) (*llm.Response, int) {
	t.Helper()
	var acc llm.Accumulator
	usageChunks := 0
	var dst []llm.Chunk
	for _, data := range events {
		if data == "[DONE]" {
			continue
		}
		var c wire.ChatChunk
		if err := json.Unmarshal([]byte(data), &c); err != nil {
			t.Fatalf("decode chunk %q: %v", data, err)
		}
		dst = wire.ToCanonicalChunks(&c, dst[:0])
		for _, cc := range dst {
			if cc.Usage != nil {
				usageChunks++
			}
			acc.Add(cc)
		}
	}
	return acc.Response(), usageChunks
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

// asLLMError asserts err is an *llm.Error and returns it.
func asLLMError(t *testing.T, err error) *llm.Error {
	t.Helper()
	var e *llm.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *llm.Error", err, err)
	}
	return e
}

func ptr[T any](v T) *T { return &v }
