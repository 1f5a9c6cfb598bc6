package wire

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
)

// AppendChatRequest appends the JSON body of r to dst: exactly the bytes of
// json.Marshal(r) (ChatRequest.MarshalJSON, HTML escaping on, raw values
// compacted), without reflection. The rare requests it does not write
// itself (an extra field overriding a typed one, a value encoding/json
// refuses) are handed to json.Marshal, so the result and the errors are
// always json.Marshal's. It is the provider's request encoder.
func AppendChatRequest(dst []byte, r *ChatRequest) ([]byte, error) {
	if out, ok := appendChatRequest(dst, r); ok {
		return out, nil
	}
	b, err := json.Marshal(r)
	if err != nil {
		return dst, err
	}
	return append(dst, b...), nil
}

// jsonWriter appends wire values as encoding/json writes them; ok turns
// false at the first thing it leaves to encoding/json. html selects
// json.Marshal's HTML escaping (on for request bodies, as json.Marshal
// does; off for the shim's answers, as its encoder is set).
type jsonWriter struct {
	b    []byte
	ok   bool
	html bool
}

func appendChatRequest(dst []byte, r *ChatRequest) ([]byte, bool) {
	for k := range r.Extra {
		if knownRequestFields[k] {
			return dst, false // the rebuild-and-replace case of MarshalJSON
		}
	}
	w := jsonWriter{b: dst, ok: true, html: true}
	w.b = append(w.b, '{')
	first := true
	w.key("model", &first)
	w.str(r.Model)
	w.key("messages", &first)
	if r.Messages == nil {
		w.b = append(w.b, "null"...)
	} else {
		w.b = append(w.b, '[')
		for i := range r.Messages {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.message(&r.Messages[i])
		}
		w.b = append(w.b, ']')
	}
	if len(r.Tools) > 0 {
		w.key("tools", &first)
		w.b = append(w.b, '[')
		for i := range r.Tools {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			t := &r.Tools[i]
			w.b = append(w.b, `{"type":`...)
			w.str(t.Type)
			w.b = append(w.b, `,"function":`...)
			w.function(&t.Function)
			w.b = append(w.b, '}')
		}
		w.b = append(w.b, ']')
	}
	if t := r.ToolChoice; t != nil {
		w.key("tool_choice", &first)
		if t.Function != "" {
			w.b = append(w.b, `{"type":"function","function":{"name":`...)
			w.str(t.Function)
			w.b = append(w.b, '}', '}')
		} else {
			w.str(t.Mode)
		}
	}
	if r.ParallelToolCalls != nil {
		w.key("parallel_tool_calls", &first)
		w.b = strconv.AppendBool(w.b, *r.ParallelToolCalls)
	}
	if f := r.ResponseFormat; f != nil {
		w.key("response_format", &first)
		w.b = append(w.b, `{"type":`...)
		w.str(f.Type)
		if s := f.JSONSchema; s != nil {
			w.b = append(w.b, `,"json_schema":{"name":`...)
			w.str(s.Name)
			if s.Description != "" {
				w.b = append(w.b, `,"description":`...)
				w.str(s.Description)
			}
			if len(s.Schema) > 0 {
				w.b = append(w.b, `,"schema":`...)
				w.raw(s.Schema)
			}
			if s.Strict != nil {
				w.b = append(w.b, `,"strict":`...)
				w.b = strconv.AppendBool(w.b, *s.Strict)
			}
			w.b = append(w.b, '}')
		}
		w.b = append(w.b, '}')
	}
	w.float(r.Temperature, "temperature", &first)
	w.float(r.TopP, "top_p", &first)
	w.integer(r.MaxTokens, "max_tokens", &first)
	w.integer(r.MaxCompletionTokens, "max_completion_tokens", &first)
	if r.Stop != nil {
		w.key("stop", &first)
		w.strings(r.Stop.Values)
	}
	w.integer(r.Seed, "seed", &first)
	w.float(r.PresencePenalty, "presence_penalty", &first)
	w.float(r.FrequencyPenalty, "frequency_penalty", &first)
	if r.N != nil {
		w.key("n", &first)
		w.b = strconv.AppendInt(w.b, int64(*r.N), 10)
	}
	if r.User != "" {
		w.key("user", &first)
		w.str(r.User)
	}
	if len(r.Metadata) > 0 {
		w.key("metadata", &first)
		keys := make([]string, 0, len(r.Metadata))
		for k := range r.Metadata {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		w.b = append(w.b, '{')
		for i, k := range keys {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.str(k)
			w.b = append(w.b, ':')
			w.str(r.Metadata[k])
		}
		w.b = append(w.b, '}')
	}
	if r.ReasoningEffort != "" {
		w.key("reasoning_effort", &first)
		w.str(r.ReasoningEffort)
	}
	if r.Stream {
		w.key("stream", &first)
		w.b = append(w.b, "true"...)
	}
	if r.StreamOptions != nil {
		w.key("stream_options", &first)
		w.b = append(w.b, `{"include_usage":`...)
		w.b = strconv.AppendBool(w.b, r.StreamOptions.IncludeUsage)
		w.b = append(w.b, '}')
	}
	if len(r.Functions) > 0 {
		w.key("functions", &first)
		w.b = append(w.b, '[')
		for i := range r.Functions {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.function(&r.Functions[i])
		}
		w.b = append(w.b, ']')
	}
	if f := r.FunctionCall; f != nil {
		w.key("function_call", &first)
		if f.Function != "" {
			w.b = append(w.b, `{"name":`...)
			w.str(f.Function)
			w.b = append(w.b, '}')
		} else {
			w.str(f.Mode)
		}
	}
	if len(r.Extra) > 0 {
		keys := make([]string, 0, len(r.Extra))
		for k := range r.Extra {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			w.b = append(w.b, ',')
			w.str(k)
			w.b = append(w.b, ':')
			w.raw(r.Extra[k])
		}
	}
	w.b = append(w.b, '}')
	return w.b, w.ok
}

func (w *jsonWriter) key(name string, first *bool) { w.b = appendKey(w.b, name, first) }

func (w *jsonWriter) str(s string) {
	if w.html {
		w.b = appendJSONStringHTML(w.b, s)
	} else {
		w.b = appendJSONString(w.b, s)
	}
}

func (w *jsonWriter) strings(values []string) {
	if values == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = append(w.b, '[')
	for i, v := range values {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.str(v)
	}
	w.b = append(w.b, ']')
}

func (w *jsonWriter) integer(v *int64, name string, first *bool) {
	if v != nil {
		w.key(name, first)
		w.b = strconv.AppendInt(w.b, *v, 10)
	}
}

// float writes a number as encoding/json does (ES6 formatting); NaN and
// infinities, which it refuses, are left to it.
func (w *jsonWriter) float(v *float64, name string, first *bool) {
	if v == nil {
		return
	}
	f := *v
	if math.IsInf(f, 0) || math.IsNaN(f) {
		w.ok = false
		return
	}
	w.key(name, first)
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	w.b = strconv.AppendFloat(w.b, f, format, -1, 64)
	if format == 'e' {
		if n := len(w.b); n >= 4 && w.b[n-4] == 'e' && w.b[n-3] == '-' && w.b[n-2] == '0' {
			w.b[n-2] = w.b[n-1]
			w.b = w.b[:n-1]
		}
	}
}

// raw writes a raw JSON value compacted (and HTML-escaped when html is
// set), as encoding/json writes a json.RawMessage; invalid JSON is left to
// it.
func (w *jsonWriter) raw(v json.RawMessage) {
	if len(v) == 0 || !json.Valid(v) {
		w.ok = false
		return
	}
	w.b = appendCompact(w.b, v, w.html)
}

func (w *jsonWriter) message(m *Message) {
	w.b = append(w.b, `{"role":`...)
	w.str(m.Role)
	w.b = append(w.b, `,"content":`...)
	// Content.MarshalJSON uses json.Marshal, so content is HTML-escaped
	// even where the rest is not (the shim's answers).
	html := w.html
	w.html = true
	switch c := m.Content; {
	case c == nil:
		w.b = append(w.b, "null"...)
	case c.Parts != nil:
		w.b = append(w.b, '[')
		for i := range c.Parts {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.contentPart(&c.Parts[i])
		}
		w.b = append(w.b, ']')
	default:
		w.str(c.Text)
	}
	w.html = html
	if m.Name != "" {
		w.b = append(w.b, `,"name":`...)
		w.str(m.Name)
	}
	if len(m.ToolCalls) > 0 {
		w.b = append(w.b, `,"tool_calls":[`...)
		for i := range m.ToolCalls {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.toolCall(&m.ToolCalls[i])
		}
		w.b = append(w.b, ']')
	}
	if m.ToolCallID != "" {
		w.b = append(w.b, `,"tool_call_id":`...)
		w.str(m.ToolCallID)
	}
	if m.Refusal != nil {
		w.b = append(w.b, `,"refusal":`...)
		w.str(*m.Refusal)
	}
	if m.ReasoningContent != nil {
		w.b = append(w.b, `,"reasoning_content":`...)
		w.str(*m.ReasoningContent)
	}
	if m.FunctionCall != nil {
		w.b = append(w.b, `,"function_call":`...)
		w.functionCall(m.FunctionCall)
	}
	w.b = append(w.b, '}')
}

func (w *jsonWriter) contentPart(p *ContentPart) {
	w.b = append(w.b, `{"type":`...)
	w.str(p.Type)
	if p.Text != "" {
		w.b = append(w.b, `,"text":`...)
		w.str(p.Text)
	}
	if u := p.ImageURL; u != nil {
		w.b = append(w.b, `,"image_url":{"url":`...)
		w.str(u.URL)
		if u.Detail != "" {
			w.b = append(w.b, `,"detail":`...)
			w.str(u.Detail)
		}
		w.b = append(w.b, '}')
	}
	if p.Refusal != "" {
		w.b = append(w.b, `,"refusal":`...)
		w.str(p.Refusal)
	}
	if c := p.CacheControl; c != nil {
		w.b = append(w.b, `,"cache_control":{"type":`...)
		w.str(c.Type)
		if c.TTL != "" {
			w.b = append(w.b, `,"ttl":`...)
			w.str(c.TTL)
		}
		w.b = append(w.b, '}')
	}
	w.b = append(w.b, '}')
}

func (w *jsonWriter) toolCall(t *ToolCall) {
	first := true
	w.b = append(w.b, '{')
	if t.Index != nil {
		w.key("index", &first)
		w.b = strconv.AppendInt(w.b, int64(*t.Index), 10)
	}
	if t.ID != "" {
		w.key("id", &first)
		w.str(t.ID)
	}
	if t.Type != "" {
		w.key("type", &first)
		w.str(t.Type)
	}
	w.key("function", &first)
	w.functionCall(&t.Function)
	w.b = append(w.b, '}')
}

func (w *jsonWriter) functionCall(f *FunctionCall) {
	w.b = append(w.b, '{')
	if f.Name != "" {
		w.b = append(w.b, `"name":`...)
		w.str(f.Name)
		w.b = append(w.b, ',')
	}
	w.b = append(w.b, `"arguments":`...)
	w.str(f.Arguments)
	w.b = append(w.b, '}')
}

func (w *jsonWriter) function(f *Function) {
	w.b = append(w.b, `{"name":`...)
	w.str(f.Name)
	if f.Description != "" {
		w.b = append(w.b, `,"description":`...)
		w.str(f.Description)
	}
	if len(f.Parameters) > 0 {
		w.b = append(w.b, `,"parameters":`...)
		w.raw(f.Parameters)
	}
	if f.Strict != nil {
		w.b = append(w.b, `,"strict":`...)
		w.b = strconv.AppendBool(w.b, *f.Strict)
	}
	w.b = append(w.b, '}')
}

// appendJSONStringHTML appends s as encoding/json writes strings by default,
// with <, > and & escaped as well (see appendJSONString).
func appendJSONStringHTML(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	start := len(dst)
	dst = appendJSONString(dst, s)
	// The common string has none of the three: nothing more to do.
	body := dst[start:]
	needs := false
	for _, c := range body {
		if c == '<' || c == '>' || c == '&' {
			needs = true
			break
		}
	}
	if !needs {
		return dst
	}
	escaped := make([]byte, 0, len(body)+16)
	for _, c := range body {
		if c == '<' || c == '>' || c == '&' {
			escaped = append(escaped, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			continue
		}
		escaped = append(escaped, c)
	}
	return append(dst[:start], escaped...)
}

// appendCompact appends the valid JSON v without insignificant whitespace
// and, when html is set, with <, >, & and U+2028/U+2029 escaped:
// encoding/json's compact.
func appendCompact(dst, v []byte, html bool) []byte {
	const hex = "0123456789abcdef"
	inString, escaped := false, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case !html:
		case c == '<' || c == '>' || c == '&':
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			continue
		case c == 0xE2 && i+2 < len(v) && v[i+1] == 0x80 && v[i+2]&^1 == 0xA8:
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[v[i+2]&0xF])
			i += 2
			continue
		}
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			dst = append(dst, c)
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '"':
			inString = true
		}
		dst = append(dst, c)
	}
	return dst
}
