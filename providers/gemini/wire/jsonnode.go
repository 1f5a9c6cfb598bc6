package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
)

// node is a parsed JSON value that keeps the order of object members.
// Schemas are rewritten through it: a schema's property order is the order
// the model writes the arguments in (Gemini's propertyOrdering defaults to
// it), so a map would change the answer.
type node struct {
	kind  byte            // 'o' object, 'a' array, 'v' any other value
	raw   json.RawMessage // 'v': the value's JSON text
	keys  []string        // 'o', in document order
	vals  []*node         // 'o', parallel to keys
	items []*node         // 'a'
}

var errTrailingData = errors.New("trailing data after the JSON value")

func parseNode(b []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	n, err := readNode(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errTrailingData
	}
	return n, nil
}

func readNode(dec *json.Decoder) (*node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &node{kind: 'o'}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := readNode(dec)
				if err != nil {
					return nil, err
				}
				n.set(k, v)
			}
			_, err := dec.Token() // '}'
			return n, err
		case '[':
			n := &node{kind: 'a', items: []*node{}}
			for dec.More() {
				v, err := readNode(dec)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, v)
			}
			_, err := dec.Token() // ']'
			return n, err
		}
		return nil, errors.New("unexpected delimiter")
	case string:
		b, _ := json.Marshal(t)
		return &node{kind: 'v', raw: b}, nil
	case json.Number:
		return &node{kind: 'v', raw: json.RawMessage(t.String())}, nil
	case bool:
		return &node{kind: 'v', raw: json.RawMessage(strconv.FormatBool(t))}, nil
	case nil:
		return &node{kind: 'v', raw: json.RawMessage("null")}, nil
	}
	return nil, errors.New("unexpected JSON token")
}

func (n *node) get(key string) *node {
	if n == nil || n.kind != 'o' {
		return nil
	}
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

// set replaces key's value, or appends the member.
func (n *node) set(key string, v *node) {
	for i, k := range n.keys {
		if k == key {
			n.vals[i] = v
			return
		}
	}
	n.keys = append(n.keys, key)
	n.vals = append(n.vals, v)
}

func (n *node) del(key string) {
	for i, k := range n.keys {
		if k == key {
			n.keys = append(n.keys[:i], n.keys[i+1:]...)
			n.vals = append(n.vals[:i], n.vals[i+1:]...)
			return
		}
	}
}

// str returns the value of a string node, and "" for any other node.
func (n *node) str() string {
	if n == nil || n.kind != 'v' || len(n.raw) == 0 || n.raw[0] != '"' {
		return ""
	}
	var s string
	_ = json.Unmarshal(n.raw, &s)
	return s
}

func (n *node) isString() bool { return n != nil && n.kind == 'v' && len(n.raw) > 0 && n.raw[0] == '"' }

func strNode(s string) *node {
	b, _ := json.Marshal(s)
	return &node{kind: 'v', raw: b}
}

func valueNode(raw string) *node { return &node{kind: 'v', raw: json.RawMessage(raw)} }

func arrayNode(items ...*node) *node { return &node{kind: 'a', items: items} }

// appendJSON writes n as compact JSON.
func (n *node) appendJSON(dst []byte) []byte {
	switch n.kind {
	case 'o':
		dst = append(dst, '{')
		for i, k := range n.keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			kb, _ := json.Marshal(k)
			dst = append(dst, kb...)
			dst = append(dst, ':')
			dst = n.vals[i].appendJSON(dst)
		}
		return append(dst, '}')
	case 'a':
		dst = append(dst, '[')
		for i, it := range n.items {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = it.appendJSON(dst)
		}
		return append(dst, ']')
	}
	return append(dst, n.raw...)
}

func (n *node) bytes() json.RawMessage { return n.appendJSON(nil) }
