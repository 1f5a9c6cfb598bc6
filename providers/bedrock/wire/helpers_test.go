package wire_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"testing"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/bedrock/wire"
)

func asLLMError(t *testing.T, err error) *llm.Error {
	t.Helper()
	var e *llm.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *llm.Error", err, err)
	}
	return e
}

// jsonValue decodes JSON into plain values for comparison.
func jsonValue(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not JSON: %v: %s", err, b)
	}
	return v
}

// sameJSON reports whether two JSON texts hold the same value.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	return reflect.DeepEqual(jsonValue(t, a), jsonValue(t, b))
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decodeRequest decodes a recorded request body.
func decodeRequest(t *testing.T, tr *fixtures.Transcript) *wire.ConverseRequest {
	t.Helper()
	r, err := wire.DecodeRequest(tr.Request.Body)
	if err != nil {
		t.Fatalf("%s: %v", tr.Case, err)
	}
	return r
}

// decodeResponse decodes a recorded unary answer.
func decodeResponse(t *testing.T, tr *fixtures.Transcript) *wire.ConverseResponse {
	t.Helper()
	var r wire.ConverseResponse
	if err := json.Unmarshal(tr.Response.Body, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

// recordedFrame is one decoded frame as the fixture lists it.
type recordedFrame struct {
	Headers map[string]string `json:"headers"`
	Payload json.RawMessage   `json:"payload"`
}

func recordedFrames(t *testing.T, tr *fixtures.Transcript) []recordedFrame {
	t.Helper()
	var frames []recordedFrame
	if err := json.Unmarshal(tr.Response.Body, &frames); err != nil {
		t.Fatal(err)
	}
	return frames
}

// readFrames reads every frame of an event stream, copying each.
func readFrames(t *testing.T, body []byte) []wire.Frame {
	t.Helper()
	fr := wire.NewFrameReader(bytes.NewReader(body))
	var out []wire.Frame
	for {
		f, err := fr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("frame %d: %v", len(out), err)
		}
		out = append(out, wire.Frame{Headers: append([]wire.Header(nil), f.Headers...), Payload: bytes.Clone(f.Payload)})
	}
}

// decodeStream runs an event-stream body through the frame reader and the
// stream decoder, and returns the chunks and the first error.
func decodeStream(body []byte, answerTool string) ([]llm.Chunk, *wire.StreamDecoder, error) {
	fr := wire.NewFrameReader(bytes.NewReader(body))
	d := wire.NewStreamDecoder("bedrock", "model-x", "req-1", answerTool)
	var out []llm.Chunk
	for {
		f, err := fr.Next()
		if errors.Is(err, io.EOF) {
			return out, d, nil
		}
		if err != nil {
			return out, d, err
		}
		if out, err = d.Decode(f, out); err != nil {
			return out, d, err
		}
	}
}

// eventFrame frames an event payload as Bedrock does.
func eventFrame(eventType, payload string) []byte {
	return wire.AppendFrame(nil, wire.EventHeaders(eventType), []byte(payload))
}

func collect(chunks []llm.Chunk) *llm.Response {
	var a llm.Accumulator
	for _, c := range chunks {
		a.Add(c)
	}
	return a.Response()
}

func ptr[T any](v T) *T { return &v }
