package wireutil

import (
	"fmt"

	"github.com/switchboard-gw/switchboard/llm"
)

// Codes of the InvalidRequest errors the wire packages return. They match
// the OpenAI wire package's, so every transport shows the same code for the
// same mistake.
const (
	CodeInvalidJSON      = "invalid_json"
	CodeInvalidType      = "invalid_type"
	CodeInvalidValue     = "invalid_value"
	CodeMissingParameter = "missing_required_parameter"
	CodeUnsupported      = "unsupported_value"
)

// Invalid returns an InvalidRequest error about param. The message starts
// with the param path so it reads on its own.
func Invalid(code, param, format string, args ...any) *llm.Error {
	msg := fmt.Sprintf(format, args...)
	if param != "" {
		msg = param + ": " + msg
	}
	return &llm.Error{Kind: llm.KindInvalidRequest, Code: code, Param: param, Message: msg}
}

// Missing returns the InvalidRequest error of a required field left out.
func Missing(param string) *llm.Error {
	return &llm.Error{Kind: llm.KindInvalidRequest, Code: CodeMissingParameter, Param: param, Message: param + ": field required"}
}

// JoinPath names the member name of the object at path ("a.b").
func JoinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// IndexPath names element i of the array at path ("a[2]").
func IndexPath(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// JSONKind names the kind of the JSON value starting raw.
func JSONKind(raw []byte) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}
