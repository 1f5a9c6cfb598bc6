package wire

import (
	"fmt"

	"github.com/switchboard-gw/switchboard/llm"
)

// Codes of the InvalidRequest errors this package returns. They match the
// other wire packages', so every transport shows the same code for the same
// mistake.
const (
	CodeInvalidJSON      = "invalid_json"
	CodeInvalidType      = "invalid_type"
	CodeInvalidValue     = "invalid_value"
	CodeMissingParameter = "missing_required_parameter"
	CodeUnsupported      = "unsupported_value"
)

// invalid returns an InvalidRequest error about param. The message starts
// with the param path so it reads on its own.
func invalid(code, param, format string, args ...any) *llm.Error {
	msg := fmt.Sprintf(format, args...)
	if param != "" {
		msg = param + ": " + msg
	}
	return &llm.Error{Kind: llm.KindInvalidRequest, Code: code, Param: param, Message: msg}
}

func missing(param string) *llm.Error {
	return &llm.Error{Kind: llm.KindInvalidRequest, Code: CodeMissingParameter, Param: param, Message: param + ": field required"}
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func indexPath(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// jsonKind names the kind of the JSON value starting raw.
func jsonKind(raw []byte) string {
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
