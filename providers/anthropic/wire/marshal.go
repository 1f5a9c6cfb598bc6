package wire

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
)

// The per-type shapes of a content block, so that each type is written with
// exactly its own fields and with the ones the API requires even when empty
// (a text block's "text": "" at the start of a stream, a tool_use block's
// "input": {}, a thinking block's "signature").
type (
	textBlock struct {
		Type         string        `json:"type"`
		Text         string        `json:"text"`
		CacheControl *CacheControl `json:"cache_control,omitempty"`
	}
	imageBlock struct {
		Type         string        `json:"type"`
		Source       *ImageSource  `json:"source"`
		CacheControl *CacheControl `json:"cache_control,omitempty"`
	}
	toolUseBlock struct {
		Type         string          `json:"type"`
		ID           string          `json:"id"`
		Name         string          `json:"name"`
		Input        json.RawMessage `json:"input"`
		CacheControl *CacheControl   `json:"cache_control,omitempty"`
	}
	toolResultBlock struct {
		Type         string        `json:"type"`
		ToolUseID    string        `json:"tool_use_id"`
		Content      *Content      `json:"content,omitempty"`
		IsError      bool          `json:"is_error,omitempty"`
		CacheControl *CacheControl `json:"cache_control,omitempty"`
	}
	thinkingBlock struct {
		Type      string `json:"type"`
		Thinking  string `json:"thinking"`
		Signature string `json:"signature"`
	}
	redactedThinkingBlock struct {
		Type string `json:"type"`
		Data string `json:"data"`
	}
)

var emptyObject = json.RawMessage(`{}`)

// MarshalJSON writes the fields of the block's type only.
func (b ContentBlock) MarshalJSON() ([]byte, error) {
	switch b.Type {
	case BlockText:
		return json.Marshal(textBlock{b.Type, b.Text, b.CacheControl})
	case BlockImage:
		return json.Marshal(imageBlock{b.Type, b.Source, b.CacheControl})
	case BlockToolUse:
		input := b.Input
		if len(input) == 0 {
			input = emptyObject
		}
		return json.Marshal(toolUseBlock{b.Type, b.ID, b.Name, input, b.CacheControl})
	case BlockToolResult:
		return json.Marshal(toolResultBlock{b.Type, b.ToolUseID, b.Content, b.IsError, b.CacheControl})
	case BlockThinking:
		return json.Marshal(thinkingBlock{b.Type, b.Thinking, b.Signature})
	case BlockRedactedThinking:
		return json.Marshal(redactedThinkingBlock{b.Type, b.Data})
	}
	type plain ContentBlock // no methods: no recursion
	return json.Marshal(plain(b))
}

// knownRequestFields are the JSON names of MessagesRequest's typed fields.
var knownRequestFields = jsonFieldNames(reflect.TypeFor[MessagesRequest]())

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
func (r MessagesRequest) MarshalJSON() ([]byte, error) {
	type plain MessagesRequest
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
	// Common: splice the members in before the closing brace.
	empty := len(b) == 2
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

var outputConfigFields = map[string]bool{"format": true}

// MarshalJSON writes Format and the Extra members.
func (c OutputConfig) MarshalJSON() ([]byte, error) {
	type plain OutputConfig
	b, err := json.Marshal(plain(c))
	if err != nil || len(c.Extra) == 0 {
		return b, err
	}
	return spliceMembers(b, c.Extra, outputConfigFields)
}

// UnmarshalJSON reads Format and keeps every other member in Extra.
func (c *OutputConfig) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*c = OutputConfig{}
	if f, ok := m["format"]; ok {
		delete(m, "format")
		if string(f) != "null" {
			c.Format = new(OutputFormat)
			if err := json.Unmarshal(f, c.Format); err != nil {
				return err
			}
		}
	}
	if len(m) > 0 {
		c.Extra = m
	}
	return nil
}
