package sim

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/openai/wire"
)

// POST /v1/embeddings: one deterministic unit vector per input, as a JSON
// array of floats or, with encoding_format "base64", as base64 of
// little-endian float32s.

// maxEmbeddingInputs is the real API's limit on inputs per request.
const maxEmbeddingInputs = 2048

const invalidInputMessage = "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference."

func (s *Server) openAIEmbeddings(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	s.served.requests.Add(1)
	if r.Method != http.MethodPost {
		s.fail(w, invalidURL(r), start)
		return
	}
	if !s.openAIAuthorized(w, r, start) {
		s.served.errors.Add(1)
		return
	}
	s.embeddings(w, r, start, nil)
}

// embeddings answers an authorized embeddings request, in OpenAI's dialect
// or, with az set, in Azure OpenAI's.
func (s *Server) embeddings(w http.ResponseWriter, r *http.Request, start time.Time, az *azureCall) {
	fail := s.fail
	if az != nil {
		fail = s.azureFailer(az)
	}
	bp, e := readBody(r)
	if e != nil {
		fail(w, e, start)
		return
	}
	var req wire.EmbeddingRequest
	err := json.Unmarshal(*bp, &req)
	putBuf(bp)
	if err != nil {
		fail(w, decodeError(nil, err), start)
		return
	}
	if az != nil && az.deployment != "" {
		req.Model = az.deployment
	}
	inputs, tokens, e := validateEmbeddings(&req)
	if e != nil {
		fail(w, e, start)
		return
	}
	fault, err := s.requestFault(r, nil)
	if err != nil {
		fail(w, directiveError(err, ""), start)
		return
	}
	if fault.Status != 0 {
		if az != nil {
			s.azureFail(w, az, azureFaultError(&fault, az, req.Model, tokens), start)
			return
		}
		s.fail(w, faultError(&fault, req.Model, tokens), start)
		return
	}
	if !sleep(r.Context(), effective(s.opts.Latency, fault.Latency)) {
		s.served.errors.Add(1)
		return
	}
	if fault.Disconnect {
		s.served.errors.Add(1)
		panic(http.ErrAbortHandler)
	}
	dims := defaultEmbeddingDims
	if req.Dimensions != nil {
		dims = int(*req.Dimensions)
	}
	b := appendEmbeddings(make([]byte, 0, 64+len(inputs)*dims*12), &req, inputs, dims, tokens)
	if fault.Malformed {
		b = b[:len(b)/2]
		s.served.errors.Add(1)
	}
	if az != nil {
		s.writeAzureJSON(w, az, b, start)
	} else {
		s.writeJSON(w, b, start)
	}
	s.countUsage(&llm.Usage{InputTokens: tokens}, 0)
}

// validateEmbeddings reads the input (a string, an array of strings, an
// array of token ids, or an array of such arrays) and checks the options.
// Token ids are embedded as the text of their numbers.
func validateEmbeddings(req *wire.EmbeddingRequest) (inputs []string, tokens int64, e *openAIError) {
	if req.Model == "" {
		return nil, 0, invalidRequest("you must provide a model parameter", "", "")
	}
	if len(req.Input) == 0 || string(req.Input) == "null" {
		return nil, 0, invalidRequest("Missing required parameter: 'input'.", "input", "missing_required_parameter")
	}
	var one string
	var many []string
	var ids []int64
	var idLists [][]int64
	switch {
	case json.Unmarshal(req.Input, &one) == nil:
		inputs = []string{one}
	case json.Unmarshal(req.Input, &many) == nil:
		inputs = many
	case json.Unmarshal(req.Input, &ids) == nil:
		inputs = []string{idsText(ids)}
		tokens = int64(len(ids))
	case json.Unmarshal(req.Input, &idLists) == nil:
		for _, l := range idLists {
			inputs = append(inputs, idsText(l))
			tokens += int64(len(l))
		}
	default:
		return nil, 0, invalidRequest(invalidInputMessage, "", "")
	}
	if len(inputs) == 0 || len(inputs) > maxEmbeddingInputs {
		return nil, 0, invalidRequest(invalidInputMessage, "", "")
	}
	for _, in := range inputs {
		if in == "" {
			return nil, 0, invalidRequest(invalidInputMessage, "", "")
		}
	}
	if tokens == 0 {
		for _, in := range inputs {
			tokens += int64(CountTokens(in))
		}
	}
	switch req.EncodingFormat {
	case "", "float", "base64":
	default:
		return nil, 0, invalidRequest(fmt.Sprintf("Invalid value: '%s'. Supported values are: 'float' and 'base64'.", req.EncodingFormat), "encoding_format", "invalid_value")
	}
	if d := req.Dimensions; d != nil {
		if *d < 1 {
			return nil, 0, invalidRequest(fmt.Sprintf("Invalid 'dimensions': integer below minimum value. Expected a value >= 1, but got %d instead.", *d), "dimensions", "integer_below_min_value")
		}
		if *d > maxEmbeddingDims {
			return nil, 0, invalidRequest(fmt.Sprintf("Invalid 'dimensions': integer above maximum value. Expected a value <= %d, but got %d instead.", maxEmbeddingDims, *d), "dimensions", "integer_above_max_value")
		}
	}
	return inputs, tokens, nil
}

func idsText(ids []int64) string {
	b := make([]byte, 0, len(ids)*6)
	for i, id := range ids {
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(b)
}

// appendEmbeddings writes the list object with the keys in the real order.
func appendEmbeddings(b []byte, req *wire.EmbeddingRequest, inputs []string, dims int, tokens int64) []byte {
	vec := make([]float32, dims)
	var raw []byte
	b = append(b, "{\n  \"object\": \"list\",\n  \"data\": ["...)
	for i, in := range inputs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n    {\n      \"object\": \"embedding\",\n      \"index\": "...)
		b = appendInt(b, int64(i))
		b = append(b, ",\n      \"embedding\": "...)
		embedInto(vec, in)
		if req.EncodingFormat == "base64" {
			raw = raw[:0]
			for _, v := range vec {
				raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(v))
			}
			b = append(b, '"')
			b = base64.StdEncoding.AppendEncode(b, raw)
			b = append(b, '"')
		} else {
			b = append(b, '[')
			for k, v := range vec {
				if k > 0 {
					b = append(b, ',')
				}
				b = strconv.AppendFloat(b, float64(v), 'g', -1, 32)
			}
			b = append(b, ']')
		}
		b = append(b, "\n    }"...)
	}
	b = append(b, "\n  ],\n  \"model\": "...)
	b = appendString(b, req.Model)
	b = append(b, ",\n  \"usage\": {\n    \"prompt_tokens\": "...)
	b = appendInt(b, tokens)
	b = append(b, ",\n    \"total_tokens\": "...)
	b = appendInt(b, tokens)
	return append(b, "\n  }\n}\n"...)
}
