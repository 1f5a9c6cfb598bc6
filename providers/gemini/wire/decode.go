package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// DecodeRequest reads a generateContent body the way the Gemini API does:
// field names in lowerCamelCase or in the proto's snake_case (Google's SDKs
// send both, e.g. parameters_json_schema), and unknown fields refused with
// Gemini's wording. Errors are *llm.Error of KindInvalidRequest.
func DecodeRequest(body []byte) (*GenerateContentRequest, error) {
	var r GenerateContentRequest
	if err := decodeStrict(body, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// DecodeEmbedRequest reads an embedContent body.
func DecodeEmbedRequest(body []byte) (*EmbedContentRequest, error) {
	var r EmbedContentRequest
	if err := decodeStrict(body, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// DecodeBatchEmbedRequest reads a batchEmbedContents body.
func DecodeBatchEmbedRequest(body []byte) (*BatchEmbedContentsRequest, error) {
	var r BatchEmbedContentsRequest
	if err := decodeStrict(body, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

func decodeStrict(body []byte, dst any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return invalid("", "Invalid JSON payload received. Expected an object.")
	}
	if snakeKey.Match(body) {
		root, err := parseNode(body)
		if err != nil {
			return invalid("", "Invalid JSON payload received. %s", syntaxMessage(err))
		}
		camelizeKeys(root, modeMessage)
		body = root.bytes()
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return invalid("", "Invalid JSON payload received. Unexpected data after the JSON object.")
	}
	return nil
}

// snakeKey finds an object member whose name has an underscore.
var snakeKey = regexp.MustCompile(`"[A-Za-z0-9]*_[A-Za-z0-9_]*"\s*:`)

var unknownField = regexp.MustCompile(`^json: unknown field "(.*)"$`)

func decodeError(err error) error {
	if m := unknownField.FindStringSubmatch(err.Error()); m != nil {
		return invalid(m[1], "Invalid JSON payload received. Unknown name %q: Cannot find field.", m[1])
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := snakePath(te.Field)
		return invalid(field, "Invalid value at '%s' (%s), %s", field, protoType(te), te.Value)
	}
	return invalid("", "Invalid JSON payload received. %s", syntaxMessage(err))
}

func syntaxMessage(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("Unexpected token at offset %d.", se.Offset)
	}
	return "Unexpected end of input."
}

func protoType(te *json.UnmarshalTypeError) string {
	if te.Type == nil {
		return "TYPE_MESSAGE"
	}
	switch te.Type.Kind().String() {
	case "string":
		return "TYPE_STRING"
	case "bool":
		return "TYPE_BOOL"
	case "int", "int32", "int64":
		return "TYPE_INT32"
	case "float32", "float64":
		return "TYPE_FLOAT"
	case "slice":
		return "TYPE_REPEATED"
	}
	return "TYPE_MESSAGE"
}

// snakePath writes a Go decoder path ("generationConfig.temperature") the
// way Google's errors name fields ("generation_config.temperature").
func snakePath(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c >= 'A' && c <= 'Z' {
			b.WriteByte('_')
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// camelizeMode says how the members of an object are named.
type camelizeMode uint8

const (
	modeMessage camelizeMode = iota // a proto message: snake_case names become lowerCamelCase
	modeSchema                      // an OpenAPI Schema message
	modeNames                       // a map keyed by user names (schema properties): kept
	modeFree                        // a google.protobuf.Struct (args, response): kept verbatim
)

// freeFormFields hold JSON whose member names belong to the user.
var freeFormFields = map[string]camelizeMode{
	"args": modeFree, "response": modeFree, "labels": modeFree, "partMetadata": modeFree,
	"parametersJsonSchema": modeFree, "responseJsonSchema": modeFree, "metadata": modeFree,
	"parameters": modeSchema, "responseSchema": modeSchema,
}

func camelizeKeys(n *node, mode camelizeMode) {
	switch n.kind {
	case 'a':
		for _, it := range n.items {
			camelizeKeys(it, mode)
		}
		return
	case 'o':
	default:
		return
	}
	for i, k := range n.keys {
		v := n.vals[i]
		switch mode {
		case modeFree:
			return
		case modeNames:
			camelizeKeys(v, modeSchema)
			continue
		}
		k = camelCase(k)
		n.keys[i] = k
		childMode := modeMessage
		if mode == modeSchema {
			switch k {
			case "properties":
				childMode = modeNames
			case "example", "default", "enum":
				childMode = modeFree
			default:
				childMode = modeSchema
			}
		} else if m, ok := freeFormFields[k]; ok {
			childMode = m
		}
		if childMode != modeFree {
			camelizeKeys(v, childMode)
		}
	}
}

func camelCase(s string) string {
	if strings.IndexByte(s, '_') < 0 {
		return s
	}
	var b strings.Builder
	up := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' {
			up = b.Len() > 0
			continue
		}
		if up && c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		up = false
		b.WriteByte(c)
	}
	return b.String()
}

// compactJSON returns raw without insignificant whitespace.
func compactJSON(raw []byte) []byte {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return raw
	}
	return b.Bytes()
}
