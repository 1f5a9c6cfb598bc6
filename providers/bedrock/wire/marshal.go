package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"

	"github.com/switchboard-gw/switchboard/providers/internal/wireutil"
)

// knownRequestFields are the JSON names of ConverseRequest's typed fields.
var knownRequestFields = wireutil.JSONFieldNames(reflect.TypeFor[ConverseRequest]())

// MarshalJSON writes the typed fields, then the entries of Extra at the top
// level. An Extra entry named like a typed field replaces that field.
func (r ConverseRequest) MarshalJSON() ([]byte, error) {
	type plain ConverseRequest
	b, err := json.Marshal(plain(r))
	if err != nil || len(r.Extra) == 0 {
		return b, err
	}
	return wireutil.SpliceMembers(b, r.Extra, knownRequestFields)
}

// DecodeRequest decodes a Converse request body. Top-level members with no
// typed field are kept verbatim in Extra.
//
// Errors are *llm.Error of KindInvalidRequest.
func DecodeRequest(body []byte) (*ConverseRequest, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, wireutil.Invalid(CodeInvalidJSON, "", "request body is empty; expected a JSON object")
	}
	if trimmed[0] != '{' {
		return nil, wireutil.Invalid(CodeInvalidType, "", "request body must be a JSON object, got %s", wireutil.JSONKind(trimmed))
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		e := wireutil.Invalid(CodeInvalidJSON, "", "invalid JSON: %v", err)
		e.Err = err
		return nil, e
	}
	r := new(ConverseRequest)
	if err := json.Unmarshal(body, r); err != nil {
		var te *json.UnmarshalTypeError
		param := ""
		if errors.As(err, &te) {
			param = te.Field
		}
		e := wireutil.Invalid(CodeInvalidType, param, "%v", err)
		e.Err = err
		return nil, e
	}
	for k, v := range members {
		if !knownRequestFields[k] {
			if r.Extra == nil {
				r.Extra = make(map[string]json.RawMessage)
			}
			r.Extra[k] = v
		}
	}
	return r, nil
}
