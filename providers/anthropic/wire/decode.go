package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/internal/wireutil"
)

// DecodeRequest decodes a Messages request body. The top-level fields with
// no typed field (top_k, service_tier, cache_control, ...) are kept verbatim
// in Extra.
//
// Errors are *llm.Error of KindInvalidRequest: "invalid JSON at offset 17:
// ...", "messages.content: expected a string or an array of content blocks,
// got a number".
func DecodeRequest(body []byte) (*MessagesRequest, error) {
	i := skipSpace(body, 0)
	if i == len(body) {
		return nil, wireutil.Invalid(CodeInvalidJSON, "", "request body is empty; expected a JSON object")
	}
	if body[i] != '{' && json.Valid(body) {
		return nil, wireutil.Invalid(CodeInvalidType, "", "request body must be a JSON object, got %s", wireutil.JSONKind(body[i:]))
	}
	r := new(MessagesRequest)
	if err := json.Unmarshal(body, r); err != nil {
		return nil, describeDecodeError(err)
	}
	r.Extra = scanExtraFields(body)
	return r, nil
}

// describeDecodeError turns an encoding/json error into an InvalidRequest
// error naming the field (by its JSON path without array indexes, which is
// what encoding/json reports).
func describeDecodeError(err error) *llm.Error {
	var syn *json.SyntaxError
	var te *json.UnmarshalTypeError
	var e *llm.Error
	switch {
	case errors.As(err, &syn):
		e = wireutil.Invalid(CodeInvalidJSON, "", "invalid JSON at offset %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &te):
		want := "a different type"
		if te.Type != nil {
			want = expectation(te.Type.String())
		}
		e = wireutil.Invalid(CodeInvalidType, te.Field, "expected %s, got %s", want, describeJSONValue(te.Value))
	default:
		// A custom UnmarshalJSON failed (Content, System, OutputConfig).
		e = wireutil.Invalid(CodeInvalidType, "", "invalid request body: %v", err)
	}
	e.Err = err
	return e
}

func expectation(goType string) string {
	switch {
	case strings.HasSuffix(goType, "wire.Content"), strings.HasSuffix(goType, "wire.System"):
		return "a string or an array of content blocks"
	case goType == "string":
		return "a string"
	case goType == "bool":
		return "a boolean"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return "an integer"
	case strings.HasPrefix(goType, "float"):
		return "a number"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	}
	return "an object"
}

func describeJSONValue(v string) string {
	switch {
	case v == "string":
		return "a string"
	case v == "bool":
		return "a boolean"
	case v == "array":
		return "an array"
	case v == "object":
		return "an object"
	case strings.HasPrefix(v, "number"):
		return "a number"
	}
	return v
}

// scanExtraFields returns the members of the (valid) JSON object body that
// are not typed fields of MessagesRequest, or nil. Values are copied so the
// map outlives the caller's buffer.
func scanExtraFields(body []byte) map[string]json.RawMessage {
	var extra map[string]json.RawMessage
	i := skipSpace(body, 0) + 1
	for {
		i = skipSpace(body, i)
		if i >= len(body) || body[i] == '}' {
			return extra
		}
		if body[i] == ',' {
			i++
			continue
		}
		keyStart := i
		i = skipString(body, i)
		rawKey := body[keyStart:i]
		i = skipSpace(body, i) + 1 // ':'
		i = skipSpace(body, i)
		valStart := i
		i = skipValue(body, i)
		key := string(rawKey[1 : len(rawKey)-1])
		if bytes.IndexByte(rawKey, '\\') >= 0 {
			_ = json.Unmarshal(rawKey, &key)
		}
		if isTypedField(key) {
			continue
		}
		if extra == nil {
			extra = make(map[string]json.RawMessage)
		}
		extra[key] = bytes.Clone(body[valStart:i])
	}
}

// isTypedField reports whether encoding/json decoded key into a typed field;
// it matches names case-insensitively, so "Model" is typed too.
func isTypedField(key string) bool {
	if knownRequestFields[key] {
		return true
	}
	for name := range knownRequestFields {
		if strings.EqualFold(name, key) {
			return true
		}
	}
	return false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the string starting at b[i] == '"'.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}

// skipValue returns the index just past the JSON value starting at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return i
	}
	for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\t' && b[i] != '\n' && b[i] != '\r' {
		i++
	}
	return i
}
