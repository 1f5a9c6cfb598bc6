package wire

import (
	"encoding/json"
	"errors"
	"strings"
)

// Gemini describes function parameters and response schemas in two ways: a
// subset of the OpenAPI 3.0 Schema object (parameters, responseSchema), with
// upper-case type names and nullable, and JSON Schema (parametersJsonSchema,
// responseJsonSchema). The canonical model holds JSON Schema. These
// functions convert between the two; see the package documentation for when
// each form is sent.

// maxSchemaDepth bounds the nesting the converters follow; deeper schemas
// are refused rather than walked forever.
const maxSchemaDepth = 64

// errRecursiveSchema means a $ref points back to a schema that contains it:
// the OpenAPI subset has no references, so it cannot be expressed there.
var errRecursiveSchema = errors.New("recursive $ref cannot be inlined")

// openAPIKeywords are the Schema fields Gemini's OpenAPI subset accepts.
var openAPIKeywords = map[string]bool{
	"type": true, "format": true, "title": true, "description": true, "nullable": true, "enum": true,
	"maxItems": true, "minItems": true, "properties": true, "required": true, "minProperties": true,
	"maxProperties": true, "minLength": true, "maxLength": true, "pattern": true, "example": true,
	"anyOf": true, "propertyOrdering": true, "default": true, "items": true, "minimum": true, "maximum": true,
}

// supportedFormats are the formats Gemini accepts per type; others are
// refused with a 400, so they are dropped.
var supportedFormats = map[string]map[string]bool{
	"STRING":  {"enum": true, "date-time": true},
	"INTEGER": {"int32": true, "int64": true},
	"NUMBER":  {"float": true, "double": true},
}

// ToOpenAPISchema converts a JSON Schema to Gemini's OpenAPI subset. It
// returns errRecursiveSchema (wrapped) when the schema refers to itself.
func ToOpenAPISchema(raw json.RawMessage) (json.RawMessage, error) {
	root, err := parseNode(raw)
	if err != nil {
		return nil, err
	}
	c := schemaConverter{root: root}
	out, err := c.toOpenAPI(root, 0)
	if err != nil {
		return nil, err
	}
	return out.bytes(), nil
}

type schemaConverter struct {
	root  *node
	stack []string // the $refs being inlined, to detect recursion
}

func (c *schemaConverter) toOpenAPI(s *node, depth int) (*node, error) {
	if depth > maxSchemaDepth {
		return nil, errors.New("schema nested too deeply")
	}
	if s == nil || s.kind != 'o' {
		// true, false or a malformed subschema: anything goes.
		return &node{kind: 'o'}, nil
	}
	if ref := s.get("$ref").str(); ref != "" {
		return c.inlineRef(s, ref, depth)
	}
	if all := s.get("allOf"); all != nil && all.kind == 'a' && len(all.items) == 1 {
		// The common generated form {"allOf": [{"$ref": ...}], "description": ...}.
		merged := &node{kind: 'o'}
		for i, k := range s.keys {
			if k != "allOf" {
				merged.set(k, s.vals[i])
			}
		}
		inner, err := c.toOpenAPI(all.items[0], depth+1)
		if err != nil {
			return nil, err
		}
		return overlay(inner, merged, c, depth)
	}
	out := &node{kind: 'o'}
	nullable := false
	for i, k := range s.keys {
		v := s.vals[i]
		switch k {
		case "type":
			t, isNull, variants := openAPIType(v)
			nullable = nullable || isNull
			if len(variants) > 1 {
				any := arrayNode()
				for _, vt := range variants {
					branch := &node{kind: 'o'}
					branch.set("type", strNode(vt))
					any.items = append(any.items, branch)
				}
				out.set("anyOf", any)
				continue
			}
			if t != "" {
				out.set("type", strNode(t))
			}
		case "const":
			out.set("enum", arrayNode(v))
		case "oneOf", "anyOf":
			if v.kind != 'a' {
				continue
			}
			any := arrayNode()
			for _, it := range v.items {
				if t := it.get("type"); len(it.keys) == 1 && t.str() == "null" {
					nullable = true
					continue
				}
				conv, err := c.toOpenAPI(it, depth+1)
				if err != nil {
					return nil, err
				}
				any.items = append(any.items, conv)
			}
			if len(any.items) == 1 {
				// {"anyOf": [X, {"type": "null"}]} is a nullable X.
				for j, kk := range any.items[0].keys {
					out.set(kk, any.items[0].vals[j])
				}
				continue
			}
			if len(any.items) > 0 {
				out.set("anyOf", any)
			}
		case "properties":
			if v.kind != 'o' {
				continue
			}
			props := &node{kind: 'o'}
			for j, name := range v.keys {
				conv, err := c.toOpenAPI(v.vals[j], depth+1)
				if err != nil {
					return nil, err
				}
				props.set(name, conv)
			}
			out.set("properties", props)
		case "items":
			item := v
			if v.kind == 'a' { // draft-04 tuple form: the first item's schema
				item = nil
				if len(v.items) > 0 {
					item = v.items[0]
				}
			}
			conv, err := c.toOpenAPI(item, depth+1)
			if err != nil {
				return nil, err
			}
			out.set("items", conv)
		case "examples":
			if v.kind == 'a' && len(v.items) > 0 && out.get("example") == nil {
				out.set("example", v.items[0])
			}
		default:
			if openAPIKeywords[k] {
				out.set(k, v)
			}
		}
	}
	if nullable {
		out.set("nullable", valueNode("true"))
	}
	tidyOpenAPI(out)
	return out, nil
}

// inlineRef replaces {"$ref": ...} by the converted target, with the
// sibling keywords (description, title, ...) applied on top.
func (c *schemaConverter) inlineRef(s *node, ref string, depth int) (*node, error) {
	for _, r := range c.stack {
		if r == ref {
			return nil, errRecursiveSchema
		}
	}
	target := resolvePointer(c.root, ref)
	if target == nil {
		return &node{kind: 'o'}, nil // unresolvable: anything goes
	}
	c.stack = append(c.stack, ref)
	conv, err := c.toOpenAPI(target, depth+1)
	c.stack = c.stack[:len(c.stack)-1]
	if err != nil {
		return nil, err
	}
	siblings := &node{kind: 'o'}
	for i, k := range s.keys {
		if k != "$ref" {
			siblings.set(k, s.vals[i])
		}
	}
	return overlay(conv, siblings, c, depth)
}

// overlay converts the keywords in extra and sets them on base.
func overlay(base, extra *node, c *schemaConverter, depth int) (*node, error) {
	if len(extra.keys) == 0 {
		return base, nil
	}
	conv, err := c.toOpenAPI(extra, depth+1)
	if err != nil {
		return nil, err
	}
	out := &node{kind: 'o', keys: append([]string(nil), base.keys...), vals: append([]*node(nil), base.vals...)}
	for i, k := range conv.keys {
		out.set(k, conv.vals[i])
	}
	tidyOpenAPI(out)
	return out, nil
}

// resolvePointer follows a same-document reference ("#/$defs/X").
func resolvePointer(root *node, ref string) *node {
	frag, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil
	}
	n := root
	if frag == "" {
		return n
	}
	for _, seg := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
		seg = strings.ReplaceAll(strings.ReplaceAll(seg, "~1", "/"), "~0", "~")
		n = n.get(seg)
		if n == nil {
			return nil
		}
	}
	return n
}

// openAPIType reads a JSON Schema type (a name or a list of names) as the
// upper-case OpenAPI type, whether "null" was among them, and the non-null
// names when there were several.
func openAPIType(v *node) (string, bool, []string) {
	if v.isString() {
		t := v.str()
		if t == "null" {
			return "", true, nil
		}
		return strings.ToUpper(t), false, nil
	}
	if v.kind != 'a' {
		return "", false, nil
	}
	var names []string
	isNull := false
	for _, it := range v.items {
		switch t := it.str(); t {
		case "":
		case "null":
			isNull = true
		default:
			names = append(names, strings.ToUpper(t))
		}
	}
	if len(names) == 1 {
		return names[0], isNull, nil
	}
	return "", isNull, names
}

// tidyOpenAPI removes what Gemini rejects in a converted schema: formats it
// does not know for the type, enums of non-strings, and required names that
// are not properties.
func tidyOpenAPI(s *node) {
	t := s.get("type").str()
	if f := s.get("format").str(); f != "" && !supportedFormats[t][f] {
		s.del("format")
	}
	if e := s.get("enum"); e != nil {
		allStrings := e.kind == 'a'
		if allStrings {
			for _, it := range e.items {
				allStrings = allStrings && it.isString()
			}
		}
		switch {
		case !allStrings:
			s.del("enum")
		case t == "":
			s.set("type", strNode("STRING"))
		}
	}
	if req := s.get("required"); req != nil && req.kind == 'a' {
		props := s.get("properties")
		kept := arrayNode()
		for _, it := range req.items {
			if props.get(it.str()) != nil {
				kept.items = append(kept.items, it)
			}
		}
		if len(kept.items) == 0 {
			s.del("required")
		} else {
			s.set("required", kept)
		}
	}
}

// ToJSONSchema converts a schema in Gemini's OpenAPI subset to JSON Schema:
// type names in lower case, nullable as a type list with "null". Keywords
// JSON Schema shares (properties, items, enum, ...) are kept as they are.
func ToJSONSchema(raw json.RawMessage) (json.RawMessage, error) {
	root, err := parseNode(raw)
	if err != nil {
		return nil, err
	}
	out, err := toJSONSchema(root, 0)
	if err != nil {
		return nil, err
	}
	return out.bytes(), nil
}

func toJSONSchema(s *node, depth int) (*node, error) {
	if depth > maxSchemaDepth {
		return nil, errors.New("schema nested too deeply")
	}
	if s == nil || s.kind != 'o' {
		return s, nil
	}
	out := &node{kind: 'o'}
	nullable := s.get("nullable") != nil && string(s.get("nullable").raw) == "true"
	for i, k := range s.keys {
		v := s.vals[i]
		switch k {
		case "type":
			t := strings.ToLower(v.str())
			if t == "type_unspecified" || t == "" {
				continue
			}
			if nullable {
				out.set("type", arrayNode(strNode(t), strNode("null")))
			} else {
				out.set("type", strNode(t))
			}
		case "nullable":
		case "format":
			if v.str() != "enum" { // "enum" is the OpenAPI marker of a string enum
				out.set(k, v)
			}
		case "properties":
			if v.kind != 'o' {
				out.set(k, v)
				continue
			}
			props := &node{kind: 'o'}
			for j, name := range v.keys {
				conv, err := toJSONSchema(v.vals[j], depth+1)
				if err != nil {
					return nil, err
				}
				props.set(name, conv)
			}
			out.set(k, props)
		case "items":
			conv, err := toJSONSchema(v, depth+1)
			if err != nil {
				return nil, err
			}
			out.set(k, conv)
		case "anyOf":
			if v.kind != 'a' {
				out.set(k, v)
				continue
			}
			any := arrayNode()
			for _, it := range v.items {
				conv, err := toJSONSchema(it, depth+1)
				if err != nil {
					return nil, err
				}
				any.items = append(any.items, conv)
			}
			out.set(k, any)
		default:
			out.set(k, v)
		}
	}
	return out, nil
}
