package wireutil

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sort"
	"strings"
)

// JSONFieldNames returns the JSON names of the struct type t's fields, the
// members that are typed rather than kept in an Extra map.
func JSONFieldNames(t reflect.Type) map[string]bool {
	names := make(map[string]bool, t.NumField())
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			names[name] = true
		}
	}
	return names
}

// SpliceMembers adds extra's members to the JSON object b, in sorted key
// order. A member named in typed replaces the member b already has.
func SpliceMembers(b []byte, extra map[string]json.RawMessage, typed map[string]bool) ([]byte, error) {
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
	// Common: splice the members in before the closing brace. "{}" may
	// come indented from a custom marshaller, so spaces do not count.
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
