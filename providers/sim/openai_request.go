package sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/openai/wire"
)

// Decoding and validating a chat completions request the way the real API
// does: the same checks, in about the same order, answered with the same
// messages, params and codes, so that clients and the gateway meet realistic
// 400s.

// maxRequestBody bounds what the simulator reads.
const maxRequestBody = 32 << 20

// readBody reads the request body into a pooled buffer; the caller returns it
// with putBuf.
func readBody(r *http.Request) (*[]byte, *openAIError) {
	bp := getBuf()
	b := (*bp)[:0]
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Body.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if len(b) > maxRequestBody {
			*bp = b
			putBuf(bp)
			return nil, &openAIError{status: http.StatusRequestEntityTooLarge, typ: "invalid_request_error",
				message: "Request body too large: the limit is " + strconv.Itoa(maxRequestBody) + " bytes."}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			*bp = b
			putBuf(bp)
			return nil, &openAIError{status: http.StatusBadRequest, typ: "invalid_request_error",
				message: "We could not read the body of your request."}
		}
	}
	*bp = b
	return bp, nil
}

const invalidJSONMessage = "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)"

// openAIChatCall is a decoded chat request.
type openAIChatCall struct {
	req          *llm.Request
	stream       bool
	includeUsage bool
	// defaultModel is the model of a body without one (Azure's deployment
	// URLs name the model in the path).
	defaultModel string
}

// decodeOpenAIChat decodes, validates and converts a request body.
func decodeOpenAIChat(body []byte, call *openAIChatCall) *openAIError {
	var wr wire.ChatRequest
	if err := json.Unmarshal(body, &wr); err != nil {
		return decodeError(body, err)
	}
	if wr.Model == "" {
		wr.Model = call.defaultModel
	}
	if e := validateOpenAIChat(&wr); e != nil {
		return e
	}
	call.stream = wr.Stream
	call.includeUsage = wr.StreamOptions != nil && wr.StreamOptions.IncludeUsage
	// The conversion is the wire package's, shared with the shim and the
	// translator. Its checks and llm's are a backstop: the ones above answer
	// first, with the real API's wording.
	req, err := wire.ToCanonicalRequest(&wr, nil)
	if err == nil {
		err = req.Validate()
	}
	if err != nil {
		le := llm.AsError(err)
		return invalidRequest(le.Message, le.Param, le.Code)
	}
	call.req = req
	return nil
}

// decodeError turns a JSON error into the real API's answer: a parse error,
// or "Invalid type for 'messages[0].content'".
func decodeError(body []byte, err error) *openAIError {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return invalidRequest(invalidJSONMessage, "", "")
	}
	if te.Field == "" {
		return invalidRequest(invalidJSONMessage, "", "")
	}
	param := locateField(body, te.Field)
	return invalidRequest(fmt.Sprintf("Invalid type for '%s': expected %s, but got %s instead.", param, expectedType(te), gotType(te.Value)), param, "invalid_type")
}

// locateField turns encoding/json's "messages.content" into the API's
// "messages[2].content" by finding which element fails to decode.
func locateField(body []byte, field string) string {
	head, rest, nested := strings.Cut(field, ".")
	if !nested {
		return field
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return field
	}
	var elems []json.RawMessage
	if json.Unmarshal(top[head], &elems) != nil {
		return field // not an array: the path is already right
	}
	for i, el := range elems {
		var probe any
		switch head {
		case "messages":
			probe = new(wire.Message)
		case "tools":
			probe = new(wire.Tool)
		default:
			return field
		}
		if json.Unmarshal(el, probe) != nil {
			return head + "[" + strconv.Itoa(i) + "]." + rest
		}
	}
	return field
}

func expectedType(te *json.UnmarshalTypeError) string {
	if te.Type == nil {
		return "a valid value"
	}
	switch te.Type.Kind().String() {
	case "string":
		return "a string"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a decimal"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return "a valid value"
}

func gotType(v string) string {
	switch {
	case v == "string":
		return "a string"
	case v == "bool":
		return "a boolean"
	case v == "array":
		return "an array"
	case v == "object":
		return "an object"
	case strings.HasPrefix(v, "number"):
		if strings.ContainsAny(v, ".eE") {
			return "a decimal"
		}
		return "an integer"
	}
	return v
}

var validRoles = map[string]bool{"system": true, "developer": true, "user": true, "assistant": true, "tool": true, "function": true}

func validateOpenAIChat(r *wire.ChatRequest) *openAIError {
	if r.Model == "" {
		return invalidRequest("you must provide a model parameter", "", "")
	}
	if r.Messages == nil {
		return invalidRequest("Missing required parameter: 'messages'.", "messages", "missing_required_parameter")
	}
	if len(r.Messages) == 0 {
		return invalidRequest("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", "messages", "empty_array")
	}
	for i := range r.Messages {
		if e := validateMessage(&r.Messages[i], i); e != nil {
			return e
		}
	}
	for i := range r.Tools {
		t := &r.Tools[i]
		if t.Type != "function" {
			return invalidRequest(fmt.Sprintf("Invalid value: '%s'. Supported values are: 'function' and 'custom'.", t.Type), fmt.Sprintf("tools[%d].type", i), "invalid_value")
		}
		if !validFunctionName(t.Function.Name) {
			return invalidRequest(fmt.Sprintf("Invalid 'tools[%d].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.", i), fmt.Sprintf("tools[%d].function.name", i), "invalid_value")
		}
	}
	if tc := r.ToolChoice; tc != nil {
		if len(r.Tools) == 0 {
			return invalidRequest("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", "tool_choice", "")
		}
		switch {
		case tc.Function != "":
			if !hasWireTool(r.Tools, tc.Function) {
				return invalidRequest(fmt.Sprintf("Invalid value for 'tool_choice': function '%s' is not one of the provided tools.", tc.Function), "tool_choice", "invalid_value")
			}
		case tc.Mode != "none" && tc.Mode != "auto" && tc.Mode != "required":
			return invalidRequest(fmt.Sprintf("Invalid value: '%s'. Supported values are: 'none', 'auto', and 'required'.", tc.Mode), "tool_choice", "invalid_value")
		}
	}
	if e := checkIntMin("max_tokens", r.MaxTokens, 1); e != nil {
		return e
	}
	if e := checkIntMin("max_completion_tokens", r.MaxCompletionTokens, 1); e != nil {
		return e
	}
	if r.N != nil {
		n := int64(*r.N)
		if e := checkIntMin("n", &n, 1); e != nil {
			return e
		}
		if n > 128 {
			return invalidRequest(fmt.Sprintf("Invalid 'n': integer above maximum value. Expected a value <= 128, but got %d instead.", n), "n", "integer_above_max_value")
		}
	}
	if e := checkRange("temperature", r.Temperature, 0, 2); e != nil {
		return e
	}
	if e := checkRange("top_p", r.TopP, 0, 1); e != nil {
		return e
	}
	if e := checkRange("presence_penalty", r.PresencePenalty, -2, 2); e != nil {
		return e
	}
	if e := checkRange("frequency_penalty", r.FrequencyPenalty, -2, 2); e != nil {
		return e
	}
	if r.Stop != nil && len(r.Stop.Values) > 4 {
		return invalidRequest(fmt.Sprintf("Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length %d instead.", len(r.Stop.Values)), "stop", "array_above_max_length")
	}
	if rf := r.ResponseFormat; rf != nil {
		switch rf.Type {
		case "text":
		case "json_object":
			if !mentionsJSON(r.Messages) {
				return invalidRequest("'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.", "messages", "")
			}
		case "json_schema":
			if rf.JSONSchema == nil {
				return invalidRequest("Missing required parameter: 'response_format.json_schema'.", "response_format.json_schema", "missing_required_parameter")
			}
			if rf.JSONSchema.Name == "" {
				return invalidRequest("Missing required parameter: 'response_format.json_schema.name'.", "response_format.json_schema.name", "missing_required_parameter")
			}
		default:
			return invalidRequest(fmt.Sprintf("Invalid value: '%s'. Supported values are: 'json_object', 'json_schema', and 'text'.", rf.Type), "response_format.type", "invalid_value")
		}
	}
	if r.StreamOptions != nil && !r.Stream {
		return invalidRequest("The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options", "")
	}
	return nil
}

func validateMessage(m *wire.Message, i int) *openAIError {
	at := func(field string) string { return fmt.Sprintf("messages[%d].%s", i, field) }
	if m.Role == "" {
		return invalidRequest(fmt.Sprintf("Missing required parameter: '%s'.", at("role")), at("role"), "missing_required_parameter")
	}
	if !validRoles[m.Role] {
		return invalidRequest(fmt.Sprintf("Invalid value: '%s'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.", m.Role), at("role"), "invalid_value")
	}
	switch m.Role {
	case "system", "developer", "user", "tool":
		if m.Content == nil {
			return invalidRequest("Invalid value for 'content': expected a string, got null.", fmt.Sprintf("messages.[%d].content", i), "")
		}
	case "assistant":
		if m.Content == nil && len(m.ToolCalls) == 0 && m.FunctionCall == nil && m.Refusal == nil {
			return invalidRequest("Invalid value for 'content': expected a string, got null.", fmt.Sprintf("messages.[%d].content", i), "")
		}
	}
	if m.Role == "tool" && m.ToolCallID == "" {
		return invalidRequest("Missing parameter 'tool_call_id': messages with role 'tool' must have a 'tool_call_id'.", at("tool_call_id"), "")
	}
	if m.Content != nil {
		for j := range m.Content.Parts {
			switch t := m.Content.Parts[j].Type; t {
			case "text", "image_url", "input_audio", "file", "refusal":
			default:
				return invalidRequest(fmt.Sprintf("Invalid value: '%s'. Supported values are: 'text', 'image_url', 'input_audio', 'refusal', 'audio', and 'file'.", t),
					fmt.Sprintf("messages[%d].content[%d].type", i, j), "invalid_value")
			}
		}
	}
	return nil
}

func validFunctionName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !isWordByte(name[i]) {
			return false
		}
	}
	return true
}

func hasWireTool(tools []wire.Tool, name string) bool {
	for i := range tools {
		if tools[i].Function.Name == name {
			return true
		}
	}
	return false
}

func checkIntMin(param string, v *int64, lo int64) *openAIError {
	if v != nil && *v < lo {
		return invalidRequest(fmt.Sprintf("Invalid '%s': integer below minimum value. Expected a value >= %d, but got %d instead.", param, lo, *v), param, "integer_below_min_value")
	}
	return nil
}

func checkRange(param string, v *float64, lo, hi float64) *openAIError {
	if v == nil {
		return nil
	}
	f := strconv.FormatFloat(*v, 'g', -1, 64)
	if *v < lo {
		return invalidRequest(fmt.Sprintf("Invalid '%s': decimal below minimum value. Expected a value >= %g, but got %s instead.", param, lo, f), param, "decimal_below_min_value")
	}
	if *v > hi {
		return invalidRequest(fmt.Sprintf("Invalid '%s': decimal above maximum value. Expected a value <= %g, but got %s instead.", param, hi, f), param, "decimal_above_max_value")
	}
	return nil
}

// mentionsJSON is the real API's precondition for json_object mode.
func mentionsJSON(msgs []wire.Message) bool {
	for i := range msgs {
		c := msgs[i].Content
		if c == nil {
			continue
		}
		if containsFold(c.Text, "json") {
			return true
		}
		for j := range c.Parts {
			if containsFold(c.Parts[j].Text, "json") {
				return true
			}
		}
	}
	return false
}

func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}
