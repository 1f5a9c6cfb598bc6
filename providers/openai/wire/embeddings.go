package wire

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"strconv"

	"github.com/switchboard-gw/switchboard/llm"
)

// Embedding encodings (encoding_format).
const (
	EncodingFloat  = "float"
	EncodingBase64 = "base64"
)

// ToCanonicalEmbedRequest validates a client's embeddings request. input is
// a string or an array of strings; token arrays (arrays of integers) are
// rejected because not every provider behind the gateway can take them.
func ToCanonicalEmbedRequest(r *EmbeddingRequest) (*llm.EmbedRequest, error) {
	if r.Model == "" {
		return nil, missing("model")
	}
	switch r.EncodingFormat {
	case "", EncodingFloat, EncodingBase64:
	default:
		return nil, invalid(CodeInvalidValue, "encoding_format", `must be "float" or "base64", got %q`, r.EncodingFormat)
	}
	if r.Dimensions != nil && *r.Dimensions < 1 {
		return nil, invalid(CodeInvalidValue, "dimensions", "must be at least 1, got %d", *r.Dimensions)
	}
	inputs, err := embedInputs(r.Input)
	if err != nil {
		return nil, err
	}
	return &llm.EmbedRequest{Model: r.Model, Inputs: inputs, Dimensions: r.Dimensions, User: r.User}, nil
}

func embedInputs(raw json.RawMessage) ([]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, missing("input")
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, invalid(CodeInvalidType, "input", "invalid string")
		}
		if s == "" {
			return nil, invalid(CodeInvalidValue, "input", "must not be empty")
		}
		return []string{s}, nil
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, invalid(CodeInvalidType, "input", "expected a string or an array of strings")
		}
		if len(items) == 0 {
			return nil, invalid(CodeInvalidValue, "input", "must contain at least one string")
		}
		out := make([]string, len(items))
		for i, it := range items {
			switch k := jsonKind(it); k {
			case "a string":
				if err := json.Unmarshal(it, &out[i]); err != nil {
					return nil, invalid(CodeInvalidType, indexPath("input", i), "invalid string")
				}
				if out[i] == "" {
					return nil, invalid(CodeInvalidValue, indexPath("input", i), "must not be empty")
				}
			case "a number", "an array":
				return nil, invalid(CodeUnsupported, "input", "token array input is not supported; send text")
			default:
				return nil, invalid(CodeInvalidType, indexPath("input", i), "expected a string, got %s", k)
			}
		}
		return out, nil
	}
	return nil, invalid(CodeInvalidType, "input", "expected a string or an array of strings, got %s", jsonKind(raw))
}

// FromCanonicalEmbedRequest writes the upstream embeddings body. One input
// is sent as a plain string, several as an array of strings.
// encodingFormat "base64" makes the upstream answer smaller and faster to
// decode; "" leaves the upstream default (float), for vendors without base64.
func FromCanonicalEmbedRequest(r *llm.EmbedRequest, encodingFormat string) (*EmbeddingRequest, error) {
	var v any = r.Inputs
	if len(r.Inputs) == 1 {
		v = r.Inputs[0]
	}
	input, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return &EmbeddingRequest{Model: r.Model, Input: input, EncodingFormat: encodingFormat, Dimensions: r.Dimensions, User: r.User}, nil
}

// ToCanonicalEmbedResponse converts an upstream list of embeddings, float
// arrays or base64 little-endian float32s, into vectors in input order.
func ToCanonicalEmbedResponse(r *EmbeddingResponse) (*llm.EmbedResponse, error) {
	out := &llm.EmbedResponse{Model: r.Model, Embeddings: make([][]float32, len(r.Data))}
	byIndex := indexesArePermutation(r.Data)
	for i := range r.Data {
		d := &r.Data[i]
		vec, err := decodeVector(d.Embedding)
		if err != nil {
			return nil, &llm.Error{Kind: llm.KindUpstream, Message: "the provider returned a malformed embedding", Err: err}
		}
		pos := i
		if byIndex {
			pos = d.Index
		}
		out.Embeddings[pos] = vec
	}
	if r.Usage != nil {
		out.Usage.InputTokens = r.Usage.PromptTokens
	}
	return out, nil
}

// indexesArePermutation reports whether the items' index fields number them
// 0..n-1. Some compatible servers omit index (all zero); their items are
// taken in order.
func indexesArePermutation(data []Embedding) bool {
	seen := make([]bool, len(data))
	for i := range data {
		k := data[i].Index
		if k < 0 || k >= len(data) || seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}

func decodeVector(raw json.RawMessage) ([]float32, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, err
		}
		if len(b)%4 != 0 {
			return nil, strconv.ErrSyntax
		}
		vec := make([]float32, len(b)/4)
		for i := range vec {
			vec[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[i*4:]))
		}
		return vec, nil
	}
	var vec []float32
	err := json.Unmarshal(raw, &vec)
	return vec, err
}

// FromCanonicalEmbedResponse writes embeddings as OpenAI's list object, with
// vectors as float arrays or, for encodingFormat "base64", as base64
// little-endian float32s.
func FromCanonicalEmbedResponse(r *llm.EmbedResponse, encodingFormat string) *EmbeddingResponse {
	out := &EmbeddingResponse{
		Object: "list",
		Data:   make([]Embedding, len(r.Embeddings)),
		Model:  r.Model,
		Usage:  &EmbeddingUsage{PromptTokens: r.Usage.InputTokens, TotalTokens: r.Usage.InputTokens},
	}
	for i, vec := range r.Embeddings {
		out.Data[i] = Embedding{Object: "embedding", Index: i, Embedding: encodeVector(vec, encodingFormat)}
	}
	return out
}

func encodeVector(vec []float32, encodingFormat string) json.RawMessage {
	if encodingFormat == EncodingBase64 {
		raw := make([]byte, 4*len(vec))
		for i, f := range vec {
			binary.LittleEndian.PutUint32(raw[i*4:], math.Float32bits(f))
		}
		b := make([]byte, 0, base64.StdEncoding.EncodedLen(len(raw))+2)
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, raw)
		return append(b, '"')
	}
	b := make([]byte, 0, len(vec)*12+2)
	b = append(b, '[')
	for i, f := range vec {
		if i > 0 {
			b = append(b, ',')
		}
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			b = append(b, '0') // not representable in JSON; never produced by a model
			continue
		}
		b = strconv.AppendFloat(b, float64(f), 'g', -1, 32)
	}
	return append(b, ']')
}
