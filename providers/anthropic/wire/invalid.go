package wire

import "github.com/switchboard-gw/switchboard/providers/internal/wireutil"

// Codes of the InvalidRequest errors this package returns. They are the
// other wire packages' (shared through wireutil), so every transport shows
// the same code for the same mistake.
const (
	CodeInvalidJSON      = wireutil.CodeInvalidJSON
	CodeInvalidType      = wireutil.CodeInvalidType
	CodeInvalidValue     = wireutil.CodeInvalidValue
	CodeMissingParameter = wireutil.CodeMissingParameter
	CodeUnsupported      = wireutil.CodeUnsupported
)
