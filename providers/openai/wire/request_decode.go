package wire

import (
	"encoding/json"
	"strconv"
)

// decodeChatRequestFast decodes a client's request with the scanner. It
// returns false, having decided nothing, whenever the body is not plainly
// valid (then DecodeChatRequest decodes it with encoding/json, which reports
// the error), so the result is always what encoding/json would give. The
// unknown top-level fields are collected into Extra as scanExtraFields
// collects them.
func decodeChatRequestFast(body []byte) (*ChatRequest, bool) {
	r := new(ChatRequest)
	s := scanner{data: body}
	if s.chatRequest(r) != nil || s.end() != nil {
		return nil, false
	}
	return r, true
}

func (s *scanner) chatRequest(r *ChatRequest) error {
	return s.object(func(key []byte) error {
		switch string(key) {
		case "model":
			return s.stringValue(&r.Model)
		case "messages":
			return s.messages(&r.Messages)
		case "tools":
			return s.tools(&r.Tools)
		case "tool_choice":
			return s.toolChoice(&r.ToolChoice)
		case "parallel_tool_calls":
			return s.boolPointer(&r.ParallelToolCalls)
		case "response_format":
			return s.responseFormat(&r.ResponseFormat)
		case "temperature":
			return s.floatPointer(&r.Temperature)
		case "top_p":
			return s.floatPointer(&r.TopP)
		case "presence_penalty":
			return s.floatPointer(&r.PresencePenalty)
		case "frequency_penalty":
			return s.floatPointer(&r.FrequencyPenalty)
		case "max_tokens":
			return s.int64Pointer(&r.MaxTokens)
		case "max_completion_tokens":
			return s.int64Pointer(&r.MaxCompletionTokens)
		case "seed":
			return s.int64Pointer(&r.Seed)
		case "n":
			if s.null() {
				r.N = nil
				return nil
			}
			v, err := s.integer()
			if err != nil {
				return err
			}
			n := int(v)
			r.N = &n
			return nil
		case "stop":
			return s.stop(&r.Stop)
		case "user":
			return s.stringValue(&r.User)
		case "metadata":
			return s.stringMap(&r.Metadata)
		case "reasoning_effort":
			return s.stringValue(&r.ReasoningEffort)
		case "stream":
			return s.boolValue(&r.Stream)
		case "stream_options":
			if s.null() {
				r.StreamOptions = nil
				return nil
			}
			o := new(StreamOptions)
			r.StreamOptions = o
			return s.object(func(key []byte) error {
				if string(key) == "include_usage" {
					return s.boolValue(&o.IncludeUsage)
				}
				return s.unknownMember(key, streamOptionsFields)
			})
		case "functions":
			return s.functions(&r.Functions)
		case "function_call":
			return s.functionChoice(&r.FunctionCall)
		}
		// Not a typed field: an extra, kept verbatim, unless encoding/json
		// would match it to a field case-insensitively (unknownMember then
		// takes the slow path).
		start := s.pos
		if err := s.unknownMember(key, requestFields); err != nil {
			return err
		}
		raw := s.data[start:s.pos]
		for len(raw) > 0 && isSpace(raw[0]) {
			raw = raw[1:]
		}
		if r.Extra == nil {
			r.Extra = make(map[string]json.RawMessage)
		}
		r.Extra[string(key)] = append(json.RawMessage(nil), raw...)
		return nil
	})
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

var (
	requestFields          = sortedRequestFields()
	streamOptionsFields    = []string{"include_usage"}
	toolFields             = []string{"type", "function"}
	functionFields         = []string{"name", "description", "parameters", "strict"}
	contentPartFields      = []string{"type", "text", "image_url", "refusal", "cache_control"}
	imageURLFields         = []string{"url", "detail"}
	cacheControlFields     = []string{"type", "ttl"}
	responseFormatFields   = []string{"type", "json_schema"}
	jsonSchemaFields       = []string{"name", "description", "schema", "strict"}
	toolChoiceObjectFields = []string{"type", "function"}
	nameOnlyFields         = []string{"name"}
)

func sortedRequestFields() []string {
	out := make([]string, 0, len(knownRequestFields))
	for name := range knownRequestFields {
		out = append(out, name)
	}
	return out
}

func (s *scanner) messages(dst *[]Message) error { return sliceOf(s, dst, s.message) }

// content reads a message's content: null, a string, or an array of parts
// (Content.UnmarshalJSON's forms).
func (s *scanner) content(dst **Content) error {
	switch s.peek() {
	case 'n':
		if !s.null() {
			return errSlowPath
		}
		*dst = nil
		return nil
	case '"':
		text, err := s.str()
		if err != nil {
			return err
		}
		*dst = &Content{Text: text}
		return nil
	case '[':
		parts := []ContentPart{}
		err := s.array(func() error {
			parts = append(parts, ContentPart{})
			return s.contentPart(&parts[len(parts)-1])
		})
		*dst = &Content{Parts: parts}
		return err
	}
	return errSlowPath
}

func (s *scanner) contentPart(p *ContentPart) error {
	if s.null() {
		return nil
	}
	return s.object(func(key []byte) error {
		switch string(key) {
		case "type":
			return s.stringValue(&p.Type)
		case "text":
			return s.stringValue(&p.Text)
		case "refusal":
			return s.stringValue(&p.Refusal)
		case "image_url":
			if s.null() {
				p.ImageURL = nil
				return nil
			}
			u := new(ImageURL)
			p.ImageURL = u
			return s.object(func(key []byte) error {
				switch string(key) {
				case "url":
					return s.stringValue(&u.URL)
				case "detail":
					return s.stringValue(&u.Detail)
				}
				return s.unknownMember(key, imageURLFields)
			})
		case "cache_control":
			if s.null() {
				p.CacheControl = nil
				return nil
			}
			c := new(CacheControl)
			p.CacheControl = c
			return s.object(func(key []byte) error {
				switch string(key) {
				case "type":
					return s.stringValue(&c.Type)
				case "ttl":
					return s.stringValue(&c.TTL)
				}
				return s.unknownMember(key, cacheControlFields)
			})
		}
		return s.unknownMember(key, contentPartFields)
	})
}

func (s *scanner) tools(dst *[]Tool) error { return sliceOf(s, dst, s.tool) }

func (s *scanner) tool(t *Tool) error {
	if s.null() {
		return nil
	}
	return s.object(func(key []byte) error {
		switch string(key) {
		case "type":
			return s.stringValue(&t.Type)
		case "function":
			return s.function(&t.Function)
		}
		return s.unknownMember(key, toolFields)
	})
}

func (s *scanner) functions(dst *[]Function) error { return sliceOf(s, dst, s.function) }

func (s *scanner) function(f *Function) error {
	if s.null() {
		return nil
	}
	return s.object(func(key []byte) error {
		switch string(key) {
		case "name":
			return s.stringValue(&f.Name)
		case "description":
			return s.stringValue(&f.Description)
		case "parameters":
			var err error
			f.Parameters, err = s.raw()
			return err
		case "strict":
			return s.boolPointer(&f.Strict)
		}
		return s.unknownMember(key, functionFields)
	})
}

// toolChoice reads ToolChoice's string or object form.
func (s *scanner) toolChoice(dst **ToolChoice) error {
	switch s.peek() {
	case 'n':
		if !s.null() {
			return errSlowPath
		}
		*dst = nil
		return nil
	case '"':
		mode, err := s.str()
		if err != nil {
			return err
		}
		*dst = &ToolChoice{Mode: mode}
		return nil
	case '{':
		t := new(ToolChoice)
		*dst = t
		return s.object(func(key []byte) error {
			switch string(key) {
			case "type":
				return s.stringValue(&t.Mode)
			case "function":
				return s.nameObject(&t.Function)
			}
			return s.unknownMember(key, toolChoiceObjectFields)
		})
	}
	return errSlowPath
}

// functionChoice reads FunctionChoice's string or object form.
func (s *scanner) functionChoice(dst **FunctionChoice) error {
	switch s.peek() {
	case 'n':
		if !s.null() {
			return errSlowPath
		}
		*dst = nil
		return nil
	case '"':
		mode, err := s.str()
		if err != nil {
			return err
		}
		*dst = &FunctionChoice{Mode: mode}
		return nil
	case '{':
		f := new(FunctionChoice)
		*dst = f
		return s.nameObjectMembers(&f.Function)
	}
	return errSlowPath
}

// nameObject reads {"name": ...} into name; null leaves it.
func (s *scanner) nameObject(name *string) error {
	if s.null() {
		return nil
	}
	return s.nameObjectMembers(name)
}

func (s *scanner) nameObjectMembers(name *string) error {
	return s.object(func(key []byte) error {
		if string(key) == "name" {
			return s.stringValue(name)
		}
		return s.unknownMember(key, nameOnlyFields)
	})
}

func (s *scanner) responseFormat(dst **ResponseFormat) error {
	if s.null() {
		*dst = nil
		return nil
	}
	f := new(ResponseFormat)
	*dst = f
	return s.object(func(key []byte) error {
		switch string(key) {
		case "type":
			return s.stringValue(&f.Type)
		case "json_schema":
			if s.null() {
				f.JSONSchema = nil
				return nil
			}
			js := new(JSONSchema)
			f.JSONSchema = js
			return s.object(func(key []byte) error {
				switch string(key) {
				case "name":
					return s.stringValue(&js.Name)
				case "description":
					return s.stringValue(&js.Description)
				case "schema":
					var err error
					js.Schema, err = s.raw()
					return err
				case "strict":
					return s.boolPointer(&js.Strict)
				}
				return s.unknownMember(key, jsonSchemaFields)
			})
		}
		return s.unknownMember(key, responseFormatFields)
	})
}

// stop reads Stop's string or array-of-strings form (null elements are
// left to the slow path).
func (s *scanner) stop(dst **Stop) error {
	switch s.peek() {
	case 'n':
		if !s.null() {
			return errSlowPath
		}
		*dst = nil
		return nil
	case '"':
		one, err := s.str()
		if err != nil {
			return err
		}
		*dst = &Stop{Values: []string{one}}
		return nil
	case '[':
		values := []string{}
		err := s.array(func() error {
			v, err := s.str()
			values = append(values, v)
			return err
		})
		*dst = &Stop{Values: values}
		return err
	}
	return errSlowPath
}

// stringMap reads an object of strings (null values take the slow path).
func (s *scanner) stringMap(dst *map[string]string) error {
	if s.null() {
		*dst = nil
		return nil
	}
	if *dst == nil {
		*dst = map[string]string{}
	}
	m := *dst
	return s.object(func(key []byte) error {
		v, err := s.str()
		if err != nil {
			return err
		}
		m[string(key)] = v
		return nil
	})
}

// boolValue reads true or false; null leaves *dst unchanged.
func (s *scanner) boolValue(dst *bool) error {
	switch s.peek() {
	case 't':
		if err := s.literal("true"); err != nil {
			return err
		}
		*dst = true
		return nil
	case 'f':
		if err := s.literal("false"); err != nil {
			return err
		}
		*dst = false
		return nil
	case 'n':
		return s.literal("null")
	}
	return errSlowPath
}

func (s *scanner) boolPointer(dst **bool) error {
	if s.null() {
		*dst = nil
		return nil
	}
	var v bool
	if err := s.boolValue(&v); err != nil {
		return err
	}
	*dst = &v
	return nil
}

func (s *scanner) int64Pointer(dst **int64) error {
	if s.null() {
		*dst = nil
		return nil
	}
	v, err := s.integer()
	if err != nil {
		return err
	}
	*dst = &v
	return nil
}

// floatPointer reads a number as encoding/json does (strconv.ParseFloat of
// the literal); out-of-range values take the slow path, which reports them.
func (s *scanner) floatPointer(dst **float64) error {
	if s.null() {
		*dst = nil
		return nil
	}
	s.skipSpace()
	start := s.pos
	if s.pos >= len(s.data) || (s.data[s.pos] != '-' && (s.data[s.pos] < '0' || s.data[s.pos] > '9')) {
		return errSlowPath
	}
	if err := s.number(); err != nil {
		return err
	}
	v, err := strconv.ParseFloat(string(s.data[start:s.pos]), 64)
	if err != nil {
		return errSlowPath
	}
	*dst = &v
	return nil
}
