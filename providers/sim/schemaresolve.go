package sim

import (
	"strconv"
	"strings"
)

// Reading a schema the way a validator does before generating from it:
// following $ref within the document, and folding allOf and the first branch
// of anyOf/oneOf into one set of keywords.

// resolve follows $ref chains.
func (g *schemaGen) resolve(s *jnode) *jnode {
	for hops := 0; s != nil && s.kind == jObj && hops < maxRefHops; hops++ {
		ref := s.getStr("$ref")
		if ref == "" {
			return s
		}
		target := g.pointer(ref)
		if target == nil {
			return &jnode{kind: jObj} // unresolvable: anything goes
		}
		if len(s.keys) > 1 {
			// $ref with sibling keywords (2019-09+): both apply.
			s = mergeSchemas(withoutKey(s, "$ref"), target)
			continue
		}
		s = target
	}
	return s
}

// pointer resolves a same-document reference ("#", "#/$defs/x").
func (g *schemaGen) pointer(ref string) *jnode {
	frag, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil
	}
	n := g.root
	if frag == "" {
		return n
	}
	if !strings.HasPrefix(frag, "/") {
		return nil
	}
	for _, tok := range strings.Split(frag[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch n.kind {
		case jObj:
			n = n.get(tok)
		case jArr:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.items) {
				return nil
			}
			n = n.items[i]
		default:
			return nil
		}
		if n == nil {
			return nil
		}
	}
	return n
}

// flatten resolves references and folds allOf and the first branch of
// anyOf/oneOf into one schema, so the generator reads one set of keywords.
func (g *schemaGen) flatten(s *jnode, depth int) *jnode {
	s = g.resolve(s)
	if s == nil || s.kind != jObj || depth > maxRefHops {
		return s
	}
	all, any, one := s.get("allOf"), s.get("anyOf"), s.get("oneOf")
	if all == nil && any == nil && one == nil {
		return s
	}
	out := withoutKey(withoutKey(withoutKey(s, "allOf"), "anyOf"), "oneOf")
	if all != nil && all.kind == jArr {
		for _, sub := range all.items {
			out = mergeSchemas(out, g.flatten(sub, depth+1))
		}
	}
	for _, alt := range [...]*jnode{any, one} {
		if alt != nil && alt.kind == jArr && len(alt.items) > 0 {
			out = mergeSchemas(out, g.flatten(alt.items[0], depth+1))
		}
	}
	return out
}

// mergeSchemas returns a schema with the keywords of a and b: properties are
// united, required lists concatenated, and for other keywords a wins. Cached
// schemas are shared, so this never modifies a or b.
func mergeSchemas(a, b *jnode) *jnode {
	if b == nil || b.kind != jObj {
		return a
	}
	if a == nil || a.kind != jObj || len(a.keys) == 0 {
		return b
	}
	out := &jnode{kind: jObj, keys: append([]string(nil), a.keys...), vals: append([]*jnode(nil), a.vals...)}
	for i, k := range b.keys {
		v := b.vals[i]
		j := indexOf(out.keys, k)
		if j < 0 {
			out.keys = append(out.keys, k)
			out.vals = append(out.vals, v)
			continue
		}
		cur := out.vals[j]
		switch {
		case k == "properties" && cur.kind == jObj && v.kind == jObj:
			merged := &jnode{kind: jObj, keys: append([]string(nil), cur.keys...), vals: append([]*jnode(nil), cur.vals...)}
			for pi, pk := range v.keys {
				if pj := indexOf(merged.keys, pk); pj >= 0 {
					merged.vals[pj] = mergeSchemas(merged.vals[pj], v.vals[pi])
				} else {
					merged.keys = append(merged.keys, pk)
					merged.vals = append(merged.vals, v.vals[pi])
				}
			}
			out.vals[j] = merged
		case k == "required" && cur.kind == jArr && v.kind == jArr:
			out.vals[j] = &jnode{kind: jArr, items: append(append([]*jnode(nil), cur.items...), v.items...)}
		case k == "type" && cur.kind == jArr && v.kind == jStr:
			out.vals[j] = v // a narrower type from the branch
		}
	}
	return out
}

func withoutKey(n *jnode, key string) *jnode {
	i := indexOf(n.keys, key)
	if i < 0 {
		return n
	}
	out := &jnode{kind: jObj, keys: make([]string, 0, len(n.keys)-1), vals: make([]*jnode, 0, len(n.keys)-1)}
	out.keys = append(append(out.keys, n.keys[:i]...), n.keys[i+1:]...)
	out.vals = append(append(out.vals, n.vals[:i]...), n.vals[i+1:]...)
	return out
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}
