package wire

import (
	"encoding/json"
	"reflect"

	"github.com/switchboard-gw/switchboard/providers/internal/wireutil"
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
var knownRequestFields = wireutil.JSONFieldNames(reflect.TypeFor[MessagesRequest]())

// MarshalJSON writes the typed fields, then the entries of Extra at the top
// level. An Extra entry named like a typed field replaces that field.
func (r MessagesRequest) MarshalJSON() ([]byte, error) {
	type plain MessagesRequest
	b, err := json.Marshal(plain(r))
	if err != nil || len(r.Extra) == 0 {
		return b, err
	}
	return wireutil.SpliceMembers(b, r.Extra, knownRequestFields)
}

var outputConfigFields = map[string]bool{"format": true}

// MarshalJSON writes Format and the Extra members.
func (c OutputConfig) MarshalJSON() ([]byte, error) {
	type plain OutputConfig
	b, err := json.Marshal(plain(c))
	if err != nil || len(c.Extra) == 0 {
		return b, err
	}
	return wireutil.SpliceMembers(b, c.Extra, outputConfigFields)
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
