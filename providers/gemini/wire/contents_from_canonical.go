package wire

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"mime"
	"net/url"
	"path"
	"strings"

	"github.com/switchboard-gw/switchboard/llm"
)

// Gemini roles.
const (
	RoleUser  = "user"
	RoleModel = "model"
)

// contentsFromCanonical converts the conversation: system messages into the
// system instruction, the rest into contents (see the package
// documentation for the mapping of tool calls and results).
func contentsFromCanonical(msgs []llm.Message) (*Content, []Content, error) {
	var system *Content
	contents := make([]Content, 0, len(msgs))
	// callNames maps each call id seen so far to its function name: the
	// nearest preceding assistant message wins, since later ones overwrite.
	var callNames map[string]string
	// results is the open group of function responses: consecutive tool
	// messages share one user content, their images after the responses.
	var results, resultMedia []Part
	flush := func() {
		if len(results) > 0 {
			contents = append(contents, Content{Role: RoleUser, Parts: append(results, resultMedia...)})
			results, resultMedia = nil, nil
		}
	}
	for i := range msgs {
		m := &msgs[i]
		p := indexPath("messages", i)
		if m.Role != llm.RoleTool {
			flush()
		}
		switch m.Role {
		case llm.RoleSystem:
			parts, err := partsFromCanonical(m.Parts, p, false)
			if err != nil {
				return nil, nil, err
			}
			if system == nil {
				system = &Content{}
			}
			system.Parts = append(system.Parts, parts...)
		case llm.RoleUser:
			parts, err := partsFromCanonical(m.Parts, p, true)
			if err != nil {
				return nil, nil, err
			}
			contents = append(contents, Content{Role: RoleUser, Parts: nonEmpty(parts)})
		case llm.RoleAssistant:
			c, err := modelContentFromCanonical(m, p)
			if err != nil {
				return nil, nil, err
			}
			contents = append(contents, c)
			for _, tc := range m.ToolCalls {
				if callNames == nil {
					callNames = make(map[string]string)
				}
				callNames[tc.ID] = tc.Name
			}
		case llm.RoleTool:
			name, ok := callNames[m.ToolCallID]
			if !ok || m.ToolCallID == "" {
				return nil, nil, invalid(joinPath(p, "tool_call_id"),
					"%s: tool_call_id %q answers no tool call of an earlier assistant message; Gemini needs the function's name", p, m.ToolCallID)
			}
			fr := &FunctionResponse{Name: name, Response: responseFromText(m.Text())}
			if !IsGeneratedCallID(m.ToolCallID) {
				fr.ID = m.ToolCallID
			}
			results = append(results, Part{FunctionResponse: fr})
			for j := range m.Parts {
				if m.Parts[j].Type == llm.PartImage {
					media, err := mediaPart(m.Parts[j].Image, indexPath(joinPath(p, "content"), j))
					if err != nil {
						return nil, nil, err
					}
					resultMedia = append(resultMedia, media)
				}
			}
		default:
			return nil, nil, invalid(joinPath(p, "role"), "%s: unknown role %q", p, m.Role)
		}
	}
	flush()
	return system, contents, nil
}

// modelContentFromCanonical writes an assistant message: its reasoning as
// thought parts, its text, then its function calls.
func modelContentFromCanonical(m *llm.Message, p string) (Content, error) {
	c := Content{Role: RoleModel, Parts: make([]Part, 0, len(m.Reasoning)+len(m.Parts)+len(m.ToolCalls))}
	for _, r := range m.Reasoning {
		if r.Text == "" && r.Signature == "" {
			continue // Anthropic's redacted thinking has no Gemini form
		}
		text := r.Text
		c.Parts = append(c.Parts, Part{Text: &text, Thought: true, ThoughtSignature: r.Signature})
	}
	parts, err := partsFromCanonical(m.Parts, p, true)
	if err != nil {
		return c, err
	}
	c.Parts = append(c.Parts, parts...)
	for j := range m.ToolCalls {
		tc := &m.ToolCalls[j]
		args, err := argsFromCanonical(tc.Arguments)
		if err != nil {
			return c, invalid(indexPath(joinPath(p, "tool_calls"), j)+".function.arguments",
				"%s.tool_calls[%d]: the arguments of %q must be a JSON object for Gemini", p, j, tc.Name)
		}
		fc := &FunctionCall{Name: tc.Name, Args: args}
		if !IsGeneratedCallID(tc.ID) {
			fc.ID = tc.ID
		}
		c.Parts = append(c.Parts, Part{FunctionCall: fc, ThoughtSignature: tc.Signature})
	}
	if len(c.Parts) == 0 && m.Refusal != "" {
		refusal := m.Refusal
		c.Parts = append(c.Parts, Part{Text: &refusal})
	}
	c.Parts = nonEmpty(c.Parts)
	return c, nil
}

// nonEmpty returns parts, or one empty text part: Gemini refuses a content
// without parts.
func nonEmpty(parts []Part) []Part {
	if len(parts) > 0 {
		return parts
	}
	empty := ""
	return []Part{{Text: &empty}}
}

// argsFromCanonical returns the arguments as a JSON object; "" (never sent
// by a well-behaved client) is {}.
func argsFromCanonical(args string) (json.RawMessage, error) {
	b := bytes.TrimSpace([]byte(args))
	if len(b) == 0 {
		return json.RawMessage("{}"), nil
	}
	if b[0] != '{' || !json.Valid(b) {
		return nil, errNotObject
	}
	return b, nil
}

var errNotObject = errors.New("not a JSON object")

// responseFromText is the functionResponse.response for a tool result: a
// JSON object as is, any other value wrapped as {"result": value}.
func responseFromText(s string) json.RawMessage {
	b := bytes.TrimSpace([]byte(s))
	if len(b) > 0 && json.Valid(b) {
		if b[0] == '{' {
			return b
		}
		return append(append([]byte(`{"result":`), b...), '}')
	}
	q, _ := json.Marshal(s)
	return append(append([]byte(`{"result":`), q...), '}')
}

// partsFromCanonical converts text and image parts.
func partsFromCanonical(parts []llm.Part, p string, mediaAllowed bool) ([]Part, error) {
	if len(parts) == 0 {
		return nil, nil
	}
	out := make([]Part, 0, len(parts))
	for j := range parts {
		cp := &parts[j]
		switch cp.Type {
		case llm.PartText:
			text := cp.Text
			out = append(out, Part{Text: &text, ThoughtSignature: cp.Signature})
		case llm.PartImage:
			pp := indexPath(joinPath(p, "content"), j)
			if !mediaAllowed {
				return nil, invalid(pp, "%s: Gemini's system instruction holds only text", pp)
			}
			media, err := mediaPart(cp.Image, pp)
			if err != nil {
				return nil, err
			}
			media.ThoughtSignature = cp.Signature
			out = append(out, media)
		default:
			return nil, invalid(joinPath(indexPath(joinPath(p, "content"), j), "type"), "unsupported part type %q", cp.Type)
		}
	}
	return out, nil
}

// mediaPart writes an image as inline data (bytes or a data: URL) or as a
// file reference (any other URL).
func mediaPart(img *llm.Image, p string) (Part, error) {
	if img == nil {
		return Part{}, invalid(p, "%s: an image needs a URL or data", p)
	}
	if len(img.Data) > 0 {
		return Part{InlineData: &Blob{MimeType: mediaTypeOr(img.MediaType, "image/jpeg"), Data: base64.StdEncoding.EncodeToString(img.Data)}}, nil
	}
	if rest, ok := cutPrefixFold(img.URL, "data:"); ok {
		meta, data, ok := strings.Cut(rest, ",")
		mediaType, isBase64 := strings.CutSuffix(meta, ";base64")
		if !ok || !isBase64 {
			return Part{}, invalid(p, "%s: a data: URL image must be base64", p)
		}
		if _, err := decodeBase64(data); err != nil {
			return Part{}, invalid(p, "%s: the data: URL is not valid base64", p)
		}
		return Part{InlineData: &Blob{MimeType: mediaTypeOr(firstOr(img.MediaType, mediaType), "image/jpeg"), Data: data}}, nil
	}
	if img.URL == "" {
		return Part{}, invalid(p, "%s: an image needs a URL or data", p)
	}
	return Part{FileData: &FileData{MimeType: mediaTypeOr(img.MediaType, mediaTypeOr(mediaTypeOfURL(img.URL), "image/jpeg")), FileURI: img.URL}}, nil
}

func mediaTypeOfURL(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return ""
	}
	t := mime.TypeByExtension(strings.ToLower(path.Ext(pu.Path)))
	t, _, _ = strings.Cut(t, ";")
	return t
}

func mediaTypeOr(t, fallback string) string {
	if t == "" {
		return fallback
	}
	return t
}

func firstOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// decodeBase64 accepts the standard and URL-safe alphabets, padded or not,
// as Google's JSON parser does for bytes fields.
func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}
