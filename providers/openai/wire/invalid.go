package wire

import (
	"fmt"
	"strconv"

	"github.com/switchboard-gw/switchboard/llm"
)

// Codes of the InvalidRequest errors this package returns, as OpenAI names
// them, so the shim can put them in an OpenAI-shaped error body.
const (
	CodeInvalidJSON      = "invalid_json"
	CodeInvalidType      = "invalid_type"
	CodeInvalidValue     = "invalid_value"
	CodeMissingParameter = "missing_required_parameter"
	CodeUnsupported      = "unsupported_value"
)

// invalid returns an InvalidRequest error about param. The message starts
// with the param path so it reads on its own: "messages[0].role: ...".
func invalid(code, param, format string, args ...any) *llm.Error {
	msg := fmt.Sprintf(format, args...)
	if param != "" {
		msg = param + ": " + msg
	}
	return &llm.Error{Kind: llm.KindInvalidRequest, Code: code, Param: param, Message: msg}
}

func missing(param string) *llm.Error {
	return &llm.Error{Kind: llm.KindInvalidRequest, Code: CodeMissingParameter, Param: param, Message: param + " is required"}
}

// joinPath appends a member name to a param path.
func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// indexPath appends an array index to a param path. (Paths are built on
// the success path too, once per message and part, so this avoids fmt.)
func indexPath(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}
