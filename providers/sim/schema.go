package sim

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
)

// JSON Schemas are parsed into an order-preserving tree: a model writes an
// object's properties in the order the schema lists them (strict structured
// outputs even require it), and map[string]any would lose that order.

type jkind uint8

const (
	jNull jkind = iota
	jBool
	jNum
	jStr
	jArr
	jObj
)

// jnode is one parsed JSON value.
type jnode struct {
	kind  jkind
	b     bool
	num   string // the number's literal text
	str   string
	items []*jnode // jArr
	keys  []string // jObj, in document order
	vals  []*jnode // jObj, parallel to keys
}

func (n *jnode) get(key string) *jnode {
	if n == nil || n.kind != jObj {
		return nil
	}
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

func (n *jnode) getStr(key string) string {
	if v := n.get(key); v != nil && v.kind == jStr {
		return v.str
	}
	return ""
}

// getNum returns the numeric value of key and whether it is a number.
func (n *jnode) getNum(key string) (float64, bool) {
	v := n.get(key)
	if v == nil || v.kind != jNum {
		return 0, false
	}
	var f float64
	if err := json.Unmarshal([]byte(v.num), &f); err != nil {
		return 0, false
	}
	return f, true
}

// appendJSON writes n as compact JSON.
func (n *jnode) appendJSON(dst []byte) []byte {
	switch n.kind {
	case jNull:
		return append(dst, "null"...)
	case jBool:
		if n.b {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case jNum:
		return append(dst, n.num...)
	case jStr:
		return appendString(dst, n.str)
	case jArr:
		dst = append(dst, '[')
		for i, it := range n.items {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = it.appendJSON(dst)
		}
		return append(dst, ']')
	}
	dst = append(dst, '{')
	for i, k := range n.keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, k)
		dst = append(dst, ':')
		dst = n.vals[i].appendJSON(dst)
	}
	return append(dst, '}')
}

var errBadJSON = errors.New("invalid JSON")

// parseJSON parses one JSON document.
func parseJSON(src string) (*jnode, error) {
	p := jparser{s: src}
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, errBadJSON
	}
	return n, nil
}

type jparser struct {
	s string
	i int
}

const maxJSONDepth = 256

func (p *jparser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jparser) value(depth int) (*jnode, error) {
	if depth > maxJSONDepth {
		return nil, errBadJSON
	}
	p.space()
	if p.i >= len(p.s) {
		return nil, errBadJSON
	}
	switch c := p.s[p.i]; {
	case c == '{':
		p.i++
		n := &jnode{kind: jObj}
		p.space()
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			return n, nil
		}
		for {
			p.space()
			k, err := p.str()
			if err != nil {
				return nil, err
			}
			p.space()
			if p.i >= len(p.s) || p.s[p.i] != ':' {
				return nil, errBadJSON
			}
			p.i++
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			n.keys = append(n.keys, k)
			n.vals = append(n.vals, v)
			p.space()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.s) && p.s[p.i] == '}' {
				p.i++
				return n, nil
			}
			return nil, errBadJSON
		}
	case c == '[':
		p.i++
		n := &jnode{kind: jArr}
		p.space()
		if p.i < len(p.s) && p.s[p.i] == ']' {
			p.i++
			return n, nil
		}
		for {
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			n.items = append(n.items, v)
			p.space()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.s) && p.s[p.i] == ']' {
				p.i++
				return n, nil
			}
			return nil, errBadJSON
		}
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return &jnode{kind: jStr, str: s}, nil
	case c == 't' && strings.HasPrefix(p.s[p.i:], "true"):
		p.i += 4
		return &jnode{kind: jBool, b: true}, nil
	case c == 'f' && strings.HasPrefix(p.s[p.i:], "false"):
		p.i += 5
		return &jnode{kind: jBool}, nil
	case c == 'n' && strings.HasPrefix(p.s[p.i:], "null"):
		p.i += 4
		return &jnode{kind: jNull}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.i
		p.i++
		for p.i < len(p.s) && strings.IndexByte("0123456789.eE+-", p.s[p.i]) >= 0 {
			p.i++
		}
		num := p.s[start:p.i]
		if !json.Valid([]byte(num)) {
			return nil, errBadJSON
		}
		return &jnode{kind: jNum, num: num}, nil
	}
	return nil, errBadJSON
}

func (p *jparser) str() (string, error) {
	if p.i >= len(p.s) || p.s[p.i] != '"' {
		return "", errBadJSON
	}
	start := p.i
	escaped := false
	for p.i++; p.i < len(p.s); p.i++ {
		switch p.s[p.i] {
		case '\\':
			escaped = true
			p.i++
		case '"':
			p.i++
			if !escaped {
				return p.s[start+1 : p.i-1], nil
			}
			var out string
			if err := json.Unmarshal([]byte(p.s[start:p.i]), &out); err != nil {
				return "", errBadJSON
			}
			return out, nil
		}
	}
	return "", errBadJSON
}

// schemaCache keeps parsed schemas: agents send the same tool definitions
// with every turn, and parsing is most of the cost of generating arguments.
type schemaCache struct {
	mu sync.Mutex
	m  map[string]*jnode
}

const maxCachedSchemas = 512

var schemas = schemaCache{m: make(map[string]*jnode)}

// parsedSchema returns the parsed schema, or nil when raw is not valid JSON.
func parsedSchema(raw []byte) *jnode {
	schemas.mu.Lock()
	n, ok := schemas.m[string(raw)]
	schemas.mu.Unlock()
	if ok {
		return n
	}
	s := string(raw)
	n, err := parseJSON(s)
	if err != nil {
		n = nil
	}
	schemas.mu.Lock()
	if len(schemas.m) >= maxCachedSchemas {
		clear(schemas.m) // crude, but bounded; schemas repeat far less than this
	}
	schemas.m[s] = n
	schemas.mu.Unlock()
	return n
}
