package sim_test

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"net/http"
	"testing"

	"github.com/switchboard-gw/switchboard/providers/sim"
)

func embed(t *testing.T, tg target, body map[string]any) map[string]any {
	t.Helper()
	resp, data := tg.post(t, "/embeddings", body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, data)
	}
	return decodeObject(t, data)
}

func floats(t *testing.T, v any) []float64 {
	t.Helper()
	var out []float64
	for _, x := range v.([]any) {
		f, err := x.(json.Number).Float64()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	return out
}

func norm(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}

func TestEmbeddings(t *testing.T) {
	tg := memTarget(t, sim.Options{})
	r := embed(t, tg, map[string]any{"model": "sim-embed", "input": []any{"first text", "second text", "first text"}})
	data := r["data"].([]any)
	if len(data) != 3 {
		t.Fatalf("%d embeddings for 3 inputs", len(data))
	}
	vecs := make([][]float64, 3)
	for i := range data {
		if num(t, path(data[i], "index")) != int64(i) || path(data[i], "object") != "embedding" {
			t.Errorf("embedding %d: %v", i, path(data[i], "index"))
		}
		vecs[i] = floats(t, path(data[i], "embedding"))
		if len(vecs[i]) != 1536 {
			t.Errorf("default dimensions %d, want 1536", len(vecs[i]))
		}
		if n := norm(vecs[i]); math.Abs(n-1) > 1e-4 {
			t.Errorf("embedding %d has norm %v", i, n)
		}
	}
	var dot float64
	for k := range vecs[0] {
		dot += vecs[0][k] * vecs[1][k]
		if vecs[0][k] != vecs[2][k] {
			t.Fatalf("the same text got different vectors")
		}
	}
	if math.Abs(dot) > 0.2 {
		t.Errorf("different texts have cosine %v", dot)
	}
	want := int64(sim.CountTokens("first text")*2 + sim.CountTokens("second text"))
	if got := num(t, path(r, "usage.prompt_tokens")); got != want || num(t, path(r, "usage.total_tokens")) != want {
		t.Errorf("usage %v, want %d tokens", r["usage"], want)
	}
	if r["model"] != "sim-embed" {
		t.Errorf("model %v", r["model"])
	}

	// dimensions truncates and renormalizes.
	small := floats(t, path(embed(t, tg, map[string]any{"model": "m", "input": "first text", "dimensions": 256}), "data.0.embedding"))
	if len(small) != 256 || math.Abs(norm(small)-1) > 1e-4 {
		t.Errorf("dimensions=256: got %d values with norm %v", len(small), norm(small))
	}

	// base64 carries the same float32 values, little-endian.
	b64 := embed(t, tg, map[string]any{"model": "m", "input": "first text", "encoding_format": "base64"})
	raw, err := base64.StdEncoding.DecodeString(str(path(b64, "data.0.embedding")))
	if err != nil || len(raw) != 1536*4 {
		t.Fatalf("base64 embedding: %v, %d bytes", err, len(raw))
	}
	for k := 0; k < 1536; k++ {
		f := math.Float32frombits(binary.LittleEndian.Uint32(raw[4*k:]))
		if float32(vecs[0][k]) != f {
			t.Fatalf("component %d: base64 %v, float %v", k, f, vecs[0][k])
		}
	}

	// Token-id input is accepted and counted by ids.
	ids := embed(t, tg, map[string]any{"model": "m", "input": []any{1, 2, 3, 4}})
	if num(t, path(ids, "usage.prompt_tokens")) != 4 {
		t.Errorf("token-id input usage %v", ids["usage"])
	}
}

func TestEmbeddingsErrors(t *testing.T) {
	tg := memTarget(t, sim.Options{})
	cases := []struct {
		body  any
		param any
	}{
		{map[string]any{"model": "m", "input": "x", "encoding_format": "hex"}, "encoding_format"},
		{map[string]any{"model": "m", "input": "x", "dimensions": 0}, "dimensions"},
		{map[string]any{"model": "m"}, "input"},
		{map[string]any{"model": "m", "input": ""}, nil},
		{map[string]any{"model": "m", "input": map[string]any{}}, nil},
		{map[string]any{"input": "x"}, nil},
		{`{"model":`, nil},
	}
	for _, c := range cases {
		resp, data := tg.post(t, "/embeddings", c.body)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%v: status %d", c.body, resp.StatusCode)
			continue
		}
		e := decodeObject(t, data)
		if path(e, "error.type") != "invalid_request_error" || path(e, "error.param") != c.param {
			t.Errorf("%v: %s", c.body, data)
		}
	}
}
