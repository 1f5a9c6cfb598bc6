package openai_test

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"testing"

	"github.com/switchboard-gw/switchboard/server/internal/servertest"
)

func TestEmbeddings(t *testing.T) {
	s := newShim(t, &servertest.Core{}, 0)
	type list struct {
		Object string `json:"object"`
		Data   []struct {
			Object    string          `json:"object"`
			Index     int             `json:"index"`
			Embedding json.RawMessage `json:"embedding"`
		} `json:"data"`
		Usage struct {
			PromptTokens int `json:"prompt_tokens"`
		} `json:"usage"`
	}
	resp := s.do(t, http.MethodPost, "/v1/embeddings", `{"model":"demo","input":["a","b"]}`)
	b, _ := io.ReadAll(resp.Body)
	var out list
	if resp.StatusCode != 200 || json.Unmarshal(b, &out) != nil || out.Object != "list" || len(out.Data) != 2 || out.Usage.PromptTokens != 2 {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	var vec []float32
	if err := json.Unmarshal(out.Data[1].Embedding, &vec); err != nil || len(vec) != 3 || vec[0] != 1 {
		t.Fatalf("vector %s", out.Data[1].Embedding)
	}
	if resp.Header.Get("X-Switchboard-Provider") != "sim" {
		t.Fatalf("headers %v", resp.Header)
	}

	resp = s.do(t, http.MethodPost, "/v1/embeddings", `{"model":"demo","input":"a","encoding_format":"base64"}`)
	b, _ = io.ReadAll(resp.Body)
	out = list{}
	if err := json.Unmarshal(b, &out); err != nil || len(out.Data) != 1 {
		t.Fatalf("%s", b)
	}
	var s64 string
	if err := json.Unmarshal(out.Data[0].Embedding, &s64); err != nil {
		t.Fatalf("base64 embedding is not a string: %s", out.Data[0].Embedding)
	}
	raw, err := base64.StdEncoding.DecodeString(s64)
	if err != nil || len(raw) != 12 || math.Float32frombits(binary.LittleEndian.Uint32(raw[4:])) != 0.5 {
		t.Fatalf("base64 vector %q", s64)
	}
}

func TestModels(t *testing.T) {
	s := newShim(t, &servertest.Core{}, 0)
	resp := s.do(t, http.MethodGet, "/v1/models", "")
	b, _ := io.ReadAll(resp.Body)
	var out struct {
		Object string `json:"object"`
		Data   []struct {
			ID, Object string
			OwnedBy    string `json:"owned_by"`
		} `json:"data"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(b, &out) != nil || out.Object != "list" || len(out.Data) != 1 || out.Data[0].ID != "demo" || out.Data[0].Object != "model" {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}

	resp = s.do(t, http.MethodGet, "/v1/models/demo", "")
	b, _ = io.ReadAll(resp.Body)
	var one struct{ ID, Object string }
	if resp.StatusCode != 200 || json.Unmarshal(b, &one) != nil || one.ID != "demo" || one.Object != "model" {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	wantError(t, s.do(t, http.MethodGet, "/v1/models/gpt-5", ""), 404, "not_found_error", "model_not_found")
}
