package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"sort"
	"strings"
)

// knownRequestFields are the JSON names of ConverseRequest's typed fields.
var knownRequestFields = jsonFieldNames(reflect.TypeFor[ConverseRequest]())

func jsonFieldNames(t reflect.Type) map[string]bool {
	names := make(map[string]bool, t.NumField())
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			names[name] = true
		}
	}
	return names
}

// MarshalJSON writes the typed fields, then the entries of Extra at the top
// level. An Extra entry named like a typed field replaces that field.
func (r ConverseRequest) MarshalJSON() ([]byte, error) {
	type plain ConverseRequest
	b, err := json.Marshal(plain(r))
	if err != nil || len(r.Extra) == 0 {
		return b, err
	}
	return spliceMembers(b, r.Extra, knownRequestFields)
}

// spliceMembers adds extra's members to the JSON object b, in sorted key
// order. A member named in typed replaces the member b already has.
func spliceMembers(b []byte, extra map[string]json.RawMessage, typed map[string]bool) ([]byte, error) {
	keys := make([]string, 0, len(extra))
	overrides := false
	for k, v := range extra {
		if !json.Valid(v) {
			return nil, &json.UnsupportedValueError{Str: "extra field " + k + " is not valid JSON"}
		}
		keys = append(keys, k)
		overrides = overrides || typed[k]
	}
	sort.Strings(keys)
	if overrides {
		// Rare: rebuild the object so the typed member is replaced, not duplicated.
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, err
		}
		for _, k := range keys {
			m[k] = extra[k]
		}
		return json.Marshal(m)
	}
	empty := len(bytes.TrimSpace(b)) == 2
	b = b[:len(b)-1]
	for i, k := range keys {
		if i > 0 || !empty {
			b = append(b, ',')
		}
		kb, _ := json.Marshal(k)
		b = append(b, kb...)
		b = append(b, ':')
		b = append(b, extra[k]...)
	}
	return append(b, '}'), nil
}

// DecodeRequest decodes a Converse request body. Top-level members with no
// typed field are kept verbatim in Extra.
//
// Errors are *llm.Error of KindInvalidRequest.
func DecodeRequest(body []byte) (*ConverseRequest, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, invalid(CodeInvalidJSON, "", "request body is empty; expected a JSON object")
	}
	if trimmed[0] != '{' {
		return nil, invalid(CodeInvalidType, "", "request body must be a JSON object, got %s", jsonKind(trimmed))
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		e := invalid(CodeInvalidJSON, "", "invalid JSON: %v", err)
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
		e := invalid(CodeInvalidType, param, "%v", err)
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
