package wire

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sort"
	"strings"
)

// knownRequestFields are the JSON names of ChatRequest's typed fields. A
// top-level field outside this set is "extra": kept verbatim and forwarded.
var knownRequestFields = jsonFieldNames(reflect.TypeFor[ChatRequest]())

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

// isKnownRequestField reports whether encoding/json decoded key into a typed
// field. encoding/json matches names case-insensitively, so "Model" is known
// too; treating it as extra would send it upstream a second time.
func isKnownRequestField(key string) bool {
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

// MarshalJSON writes the typed fields, then the entries of Extra at the top
// level. An Extra entry named like a typed field replaces that field (Extra
// is the explicit escape hatch, so it wins).
func (r ChatRequest) MarshalJSON() ([]byte, error) {
	type plain ChatRequest // no methods: no recursion
	b, err := json.Marshal(plain(r))
	if err != nil || len(r.Extra) == 0 {
		return b, err
	}
	keys := make([]string, 0, len(r.Extra))
	overrides := false
	for k := range r.Extra {
		keys = append(keys, k)
		overrides = overrides || knownRequestFields[k]
	}
	sort.Strings(keys)
	if overrides {
		// Rare: rebuild the object so the typed field is replaced, not duplicated.
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, err
		}
		for _, k := range keys {
			m[k] = r.Extra[k]
		}
		return json.Marshal(m)
	}
	// Common: splice the extra members in before the closing brace.
	b = b[:len(b)-1]
	for _, k := range keys {
		v := r.Extra[k]
		if !json.Valid(v) {
			return nil, &json.UnsupportedValueError{Str: "extra field " + k + " is not valid JSON"}
		}
		kb, _ := json.Marshal(k)
		b = append(b, ',')
		b = append(b, kb...)
		b = append(b, ':')
		b = append(b, v...)
	}
	return append(b, '}'), nil
}

// scanExtraFields returns the top-level members of the JSON object body whose
// names are not typed fields of ChatRequest, or nil when there are none. body
// must be valid JSON (json.Unmarshal has already checked it). Values are
// copied so the map outlives the caller's buffer.
func scanExtraFields(body []byte) map[string]json.RawMessage {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return nil
	}
	i++
	var extra map[string]json.RawMessage
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
		i = skipSpace(body, i)
		i++ // ':'
		i = skipSpace(body, i)
		valStart := i
		i = skipValue(body, i)
		key := string(rawKey[1 : len(rawKey)-1])
		if bytes.IndexByte(rawKey, '\\') >= 0 {
			_ = json.Unmarshal(rawKey, &key)
		}
		if isKnownRequestField(key) {
			continue
		}
		if extra == nil {
			extra = make(map[string]json.RawMessage)
		}
		extra[key] = bytes.Clone(body[valStart:i])
	}
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
	default: // number, true, false, null
		for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\t' && b[i] != '\n' && b[i] != '\r' {
			i++
		}
		return i
	}
}
