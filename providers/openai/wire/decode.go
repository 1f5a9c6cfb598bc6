package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"

	"github.com/switchboard-gw/switchboard/llm"
)

// DecodeChatRequest decodes a client's chat-completions request body. The
// map holds the top-level fields ChatRequest has no typed field for
// (logit_bias, logprobs, store, service_tier, prediction, ...), verbatim, so
// they can be forwarded as provider options; it is nil when there are none
// and is also stored in the returned request's Extra.
//
// Errors are *llm.Error of KindInvalidRequest naming the offending field:
// "invalid JSON at offset 17: ...", "temperature: expected a number, got a
// string", "messages[0].content: expected a string or an array of content
// parts, got a number".
//
// The success path is one pass of a hand-written scanner for the usual
// request (or, for anything it is not sure of, one encoding/json pass plus a
// byte scan of the top level for extra fields); the slower work of locating
// a type error runs only when decoding has already failed.
func DecodeChatRequest(body []byte) (*ChatRequest, map[string]json.RawMessage, error) {
	if err := checkObject(body); err != nil {
		return nil, nil, err
	}
	// The usual request takes the hand-written fast path (request_decode.go),
	// which gives what encoding/json gives or steps aside.
	r, ok := decodeChatRequestFast(body)
	if !ok {
		var err error
		if r, err = decodeChatRequestSlow(body); err != nil {
			return nil, nil, err
		}
	}
	return r, r.Extra, nil
}

// decodeChatRequestSlow decodes with encoding/json, for every body the fast
// path leaves (and as the reference the fast path is tested against).
func decodeChatRequestSlow(body []byte) (*ChatRequest, error) {
	r := new(ChatRequest)
	if err := json.Unmarshal(body, r); err != nil {
		return nil, describeDecodeError(body, reflect.TypeFor[ChatRequest](), err)
	}
	r.Extra = scanExtraFields(body)
	return r, nil
}

// DecodeEmbeddingRequest decodes a client's embeddings request body, with
// the same error reporting as DecodeChatRequest.
func DecodeEmbeddingRequest(body []byte) (*EmbeddingRequest, error) {
	if err := checkObject(body); err != nil {
		return nil, err
	}
	r := new(EmbeddingRequest)
	if err := json.Unmarshal(body, r); err != nil {
		return nil, describeDecodeError(body, reflect.TypeFor[EmbeddingRequest](), err)
	}
	return r, nil
}

// checkObject rejects bodies that are empty or not a JSON object before
// encoding/json gives a less helpful answer.
func checkObject(body []byte) error {
	i := skipSpace(body, 0)
	if i == len(body) {
		return invalid(CodeInvalidJSON, "", "request body is empty; expected a JSON object")
	}
	if body[i] != '{' {
		if json.Valid(body) {
			return invalid(CodeInvalidType, "", "request body must be a JSON object, got %s", jsonKind(body[i:]))
		}
	}
	return nil
}

// describeDecodeError turns an encoding/json error into a friendly
// InvalidRequest error. Syntax errors carry their byte offset; type errors
// are located precisely by re-walking the body against t.
func describeDecodeError(body []byte, t reflect.Type, err error) *llm.Error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		e := invalid(CodeInvalidJSON, "", "invalid JSON at offset %d: %s", syn.Offset, syn.Error())
		e.Err = err
		return e
	}
	if e := locate(body, t, ""); e != nil {
		e.Err = err
		return e
	}
	// Not expected: locate re-derives every error encoding/json can report.
	return &llm.Error{Kind: llm.KindInvalidRequest, Code: CodeInvalidType, Message: "invalid request body", Err: err}
}

// expecter is implemented by the wire types with a custom JSON form, so the
// error names the forms they accept.
type expecter interface{ jsonExpectation() string }

func (*Content) jsonExpectation() string { return "a string or an array of content parts" }
func (*Stop) jsonExpectation() string    { return "a string or an array of strings" }
func (*ToolChoice) jsonExpectation() string {
	return `"none", "auto", "required" or {"type": "function", "function": {"name": ...}}`
}
func (*FunctionChoice) jsonExpectation() string { return `"none", "auto" or {"name": ...}` }

var (
	expecterType   = reflect.TypeFor[expecter]()
	rawMessageType = reflect.TypeFor[json.RawMessage]()
	contentType    = reflect.TypeFor[Content]()
	partsType      = reflect.TypeFor[[]ContentPart]()
)

// locate finds the first value in raw (document order) that does not decode
// into t and describes it. It returns nil when raw decodes.
func locate(raw []byte, t reflect.Type, path string) *llm.Error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" || t == rawMessageType {
		return nil
	}
	if reflect.PointerTo(t).Implements(expecterType) {
		if json.Unmarshal(raw, reflect.New(t).Interface()) == nil {
			return nil
		}
		if t == contentType && raw[0] == '[' {
			if e := locate(raw, partsType, path); e != nil {
				return e
			}
		}
		return typeMismatch(path, reflect.New(t).Interface().(expecter).jsonExpectation(), raw)
	}
	switch t.Kind() {
	case reflect.Pointer:
		return locate(raw, t.Elem(), path)
	case reflect.Struct:
		if raw[0] != '{' {
			return typeMismatch(path, "an object", raw)
		}
		var failed *llm.Error
		eachMember(raw, func(key string, val []byte) bool {
			if f, ok := fieldByJSONName(t, key); ok {
				failed = locate(val, f.Type, joinPath(path, key))
			}
			return failed == nil
		})
		return failed
	case reflect.Slice:
		if raw[0] != '[' {
			return typeMismatch(path, "an array", raw)
		}
		var failed *llm.Error
		eachElement(raw, func(i int, val []byte) bool {
			failed = locate(val, t.Elem(), indexPath(path, i))
			return failed == nil
		})
		return failed
	case reflect.Map:
		if raw[0] != '{' {
			return typeMismatch(path, "an object", raw)
		}
		var failed *llm.Error
		eachMember(raw, func(key string, val []byte) bool {
			failed = locate(val, t.Elem(), joinPath(path, key))
			return failed == nil
		})
		return failed
	}
	if json.Unmarshal(raw, reflect.New(t).Interface()) == nil {
		return nil
	}
	return typeMismatch(path, scalarExpectation(t.Kind()), raw)
}

func scalarExpectation(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "a different type"
}

func typeMismatch(path, want string, raw []byte) *llm.Error {
	got := jsonKind(raw)
	if got == "a number" && strings.HasPrefix(want, "an integer") {
		got = "the number " + string(raw)
	}
	if path == "" {
		return invalid(CodeInvalidType, "", "request body must be %s, got %s", want, got)
	}
	return invalid(CodeInvalidType, path, "expected %s, got %s", want, got)
}

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

// fieldByJSONName finds the struct field encoding/json would decode key into.
func fieldByJSONName(t reflect.Type, key string) (reflect.StructField, bool) {
	var fold reflect.StructField
	found := false
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if name == key {
			return f, true
		}
		if !found && strings.EqualFold(name, key) {
			fold, found = f, true
		}
	}
	return fold, found
}

// eachMember calls fn for each member of the valid JSON object raw, in order,
// until fn returns false.
func eachMember(raw []byte, fn func(key string, val []byte) bool) {
	i := skipSpace(raw, 0) + 1
	for {
		i = skipSpace(raw, i)
		if i >= len(raw) || raw[i] == '}' {
			return
		}
		if raw[i] == ',' {
			i++
			continue
		}
		ks := i
		i = skipString(raw, i)
		var key string
		if json.Unmarshal(raw[ks:i], &key) != nil {
			return
		}
		i = skipSpace(raw, i) + 1
		i = skipSpace(raw, i)
		vs := i
		i = skipValue(raw, i)
		if !fn(key, raw[vs:i]) {
			return
		}
	}
}

// eachElement calls fn for each element of the valid JSON array raw, in
// order, until fn returns false.
func eachElement(raw []byte, fn func(i int, val []byte) bool) {
	i := skipSpace(raw, 0) + 1
	for n := 0; ; n++ {
		i = skipSpace(raw, i)
		if i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
		if i >= len(raw) || raw[i] == ']' {
			return
		}
		vs := i
		i = skipValue(raw, i)
		if !fn(n, raw[vs:i]) {
			return
		}
	}
}
