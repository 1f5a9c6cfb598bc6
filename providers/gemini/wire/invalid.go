package wire

import (
	"fmt"
	"strconv"

	"github.com/switchboard-gw/switchboard/llm"
)

// invalid returns the KindInvalidRequest error of a request that cannot be
// expressed in (or read from) the Gemini format. param is the offending
// field's path.
func invalid(param, format string, args ...any) *llm.Error {
	return &llm.Error{Kind: llm.KindInvalidRequest, Param: param, Message: fmt.Sprintf(format, args...)}
}

func indexPath(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
