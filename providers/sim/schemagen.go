package sim

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Generation of JSON values that validate against a JSON Schema, for tool-call
// arguments and json_schema answers. It covers what function and
// structured-output schemas use: type (and type lists), properties, required,
// additionalProperties, min/maxProperties, items, prefixItems, contains,
// min/maxItems, uniqueItems, enum, const, minimum, maximum and their exclusive
// forms (draft 4 booleans too), multipleOf, min/maxLength, common formats,
// anyOf/oneOf (first branch), allOf (merged), $ref into the same document
// ($defs, definitions, any JSON pointer). "pattern" is not honoured.

const (
	optionalDepth = 5  // below this depth only required members are generated
	maxGenDepth   = 32 // a schema that requires infinite nesting stops here
	maxRefHops    = 32
)

// generateJSON returns a JSON value valid against the schema raw (any value
// for an empty or unparsable schema: an object).
func generateJSON(raw []byte, seed uint64, dst []byte) []byte {
	var root *jnode
	if len(raw) > 0 {
		root = parsedSchema(raw)
	}
	if root == nil {
		return append(dst, "{}"...)
	}
	g := schemaGen{root: root, r: rng{state: seed}, out: dst}
	g.value(root, "", 0)
	return g.out
}

type schemaGen struct {
	root *jnode
	r    rng
	out  []byte
}

func (g *schemaGen) value(s *jnode, hint string, depth int) {
	s = g.flatten(s, 0)
	if s == nil || s.kind == jBool {
		if s != nil && !s.b {
			g.out = append(g.out, "null"...) // the false schema accepts nothing
			return
		}
		g.str(&jnode{kind: jObj}, hint)
		return
	}
	if s.kind != jObj {
		g.out = append(g.out, "null"...)
		return
	}
	if c := s.get("const"); c != nil {
		g.out = c.appendJSON(g.out)
		return
	}
	if e := s.get("enum"); e != nil && e.kind == jArr && len(e.items) > 0 {
		g.out = e.items[g.r.intn(len(e.items))].appendJSON(g.out)
		return
	}
	switch schemaType(s) {
	case "object":
		if depth >= maxGenDepth {
			g.out = append(g.out, "{}"...)
			return
		}
		g.object(s, depth)
	case "array":
		if depth >= maxGenDepth {
			g.out = append(g.out, "[]"...)
			return
		}
		g.array(s, depth)
	case "integer":
		g.number(s, true)
	case "number":
		g.number(s, false)
	case "boolean":
		if g.r.intn(2) == 0 {
			g.out = append(g.out, "true"...)
		} else {
			g.out = append(g.out, "false"...)
		}
	case "null":
		g.out = append(g.out, "null"...)
	default:
		g.str(s, hint)
	}
}

// schemaType is the type to generate: the declared one (the first non-null
// of a list), or the one the keywords imply.
func schemaType(s *jnode) string {
	if t := s.get("type"); t != nil {
		switch t.kind {
		case jStr:
			return t.str
		case jArr:
			for _, it := range t.items {
				if it.kind == jStr && it.str != "null" {
					return it.str
				}
			}
			return "null"
		}
	}
	switch {
	case s.get("properties") != nil, s.get("required") != nil, s.get("additionalProperties") != nil:
		return "object"
	case s.get("items") != nil, s.get("prefixItems") != nil:
		return "array"
	case s.get("minimum") != nil, s.get("maximum") != nil, s.get("multipleOf") != nil:
		return "number"
	}
	return "string"
}

func (g *schemaGen) key(first *bool, k string) {
	if !*first {
		g.out = append(g.out, ',')
	}
	*first = false
	g.out = appendString(g.out, k)
	g.out = append(g.out, ':')
}

func (g *schemaGen) object(s *jnode, depth int) {
	props := s.get("properties")
	required := s.get("required")
	isRequired := func(k string) bool {
		if required == nil || required.kind != jArr {
			return false
		}
		for _, r := range required.items {
			if r.kind == jStr && r.str == k {
				return true
			}
		}
		return false
	}
	maxProps := -1
	if v, ok := s.getNum("maxProperties"); ok {
		maxProps = int(v)
	}
	nRequired := 0
	if required != nil {
		nRequired = len(required.items)
	}
	addl := s.get("additionalProperties")
	closed := addl != nil && addl.kind == jBool && !addl.b

	g.out = append(g.out, '{')
	first, count, emittedRequired := true, 0, 0
	if props != nil && props.kind == jObj {
		for i, k := range props.keys {
			req := isRequired(k)
			if !req {
				if depth >= optionalDepth {
					continue
				}
				if maxProps >= 0 && count >= maxProps-(nRequired-emittedRequired) {
					continue
				}
			} else {
				emittedRequired++
			}
			g.key(&first, k)
			g.value(props.vals[i], k, depth+1)
			count++
		}
	}
	// Required names with no property schema: additionalProperties decides.
	if required != nil && required.kind == jArr {
		for _, r := range required.items {
			if r.kind != jStr || (props != nil && props.get(r.str) != nil) {
				continue
			}
			g.key(&first, r.str)
			g.value(extraSchema(addl), r.str, depth+1)
			count++
		}
	}
	if v, ok := s.getNum("minProperties"); ok && !closed {
		for i := 1; count < int(v); i++ {
			g.key(&first, "extra_"+strconv.Itoa(i))
			g.value(extraSchema(addl), "", depth+1)
			count++
		}
	}
	g.out = append(g.out, '}')
}

// extraSchema is the schema of members beyond "properties".
func extraSchema(addl *jnode) *jnode {
	if addl != nil && addl.kind == jObj {
		return addl
	}
	return nil
}

func (g *schemaGen) array(s *jnode, depth int) {
	minItems, maxItems := 0, -1
	if v, ok := s.getNum("minItems"); ok {
		minItems = int(v)
	}
	if v, ok := s.getNum("maxItems"); ok {
		maxItems = int(v)
	}
	prefix := s.get("prefixItems")
	items := s.get("items")
	if items != nil && items.kind == jArr { // draft 4-7 tuple form
		prefix, items = items, s.get("additionalItems")
	}
	n := minItems
	if depth < optionalDepth {
		n = g.r.between(max(minItems, 1), max(minItems, 3))
	}
	if maxItems >= 0 && n > maxItems {
		n = maxItems
	}
	nPrefix := 0
	if prefix != nil && prefix.kind == jArr {
		nPrefix = len(prefix.items)
	}
	if items != nil && items.kind == jBool && !items.b && n > nPrefix {
		n = max(nPrefix, minItems)
	}
	contains := s.get("contains")
	unique := false
	if u := s.get("uniqueItems"); u != nil && u.kind == jBool {
		unique = u.b
	}

	g.out = append(g.out, '[')
	var seen []string
	for i := 0; i < n; i++ {
		var sub *jnode
		switch {
		case i < nPrefix:
			sub = prefix.items[i]
		case i == 0 && contains != nil:
			sub = contains
		default:
			sub = items
		}
		mark := len(g.out)
		if i > 0 {
			g.out = append(g.out, ',')
		}
		start := len(g.out)
		g.value(sub, "", depth+1)
		if !unique {
			continue
		}
		// Draw again until the element is new; give up past minItems.
		for try := 0; try < 8 && containsString(seen, string(g.out[start:])); try++ {
			g.out = g.out[:start]
			g.value(sub, "", depth+1)
		}
		if elem := string(g.out[start:]); containsString(seen, elem) {
			g.out = g.out[:mark]
			if i >= minItems {
				break
			}
		} else {
			seen = append(seen, elem)
		}
	}
	g.out = append(g.out, ']')
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (g *schemaGen) number(s *jnode, integer bool) {
	lo, hasLo := s.getNum("minimum")
	hi, hasHi := s.getNum("maximum")
	exLo, exHi := false, false
	if v := s.get("exclusiveMinimum"); v != nil {
		if v.kind == jBool {
			exLo = v.b && hasLo
		} else if f, ok := s.getNum("exclusiveMinimum"); ok && (!hasLo || f >= lo) {
			lo, hasLo, exLo = f, true, true
		}
	}
	if v := s.get("exclusiveMaximum"); v != nil {
		if v.kind == jBool {
			exHi = v.b && hasHi
		} else if f, ok := s.getNum("exclusiveMaximum"); ok && (!hasHi || f <= hi) {
			hi, hasHi, exHi = f, true, true
		}
	}
	switch {
	case !hasLo && !hasHi:
		lo, hi = 1, 100
	case !hasHi:
		hi = lo + 100
	case !hasLo:
		lo = hi - 100
	}
	step, hasStep := s.getNum("multipleOf")
	if integer && (!hasStep || step < 1 || step != math.Trunc(step)) {
		step, hasStep = 1, true
	}
	if hasStep && step > 0 {
		kLo, kHi := math.Ceil(lo/step), math.Floor(hi/step)
		if exLo && kLo*step <= lo {
			kLo++
		}
		if exHi && kHi*step >= hi {
			kHi--
		}
		k := kLo
		if kHi > kLo {
			k = kLo + float64(g.r.intn(int(math.Min(kHi-kLo+1, 1<<30))))
		}
		g.out = strconv.AppendFloat(g.out, k*step, 'f', decimals(s.get("multipleOf")), 64)
		return
	}
	// Two decimals, like a model writing a price or a temperature.
	v := lo + g.r.float()*(hi-lo)
	v = math.Round(v*100) / 100
	if v < lo || (exLo && v <= lo) || v > hi || (exHi && v >= hi) {
		v = lo + (hi-lo)/2
	}
	g.out = strconv.AppendFloat(g.out, v, 'f', -1, 64)
}

// decimals is the number of decimal places of a multipleOf literal, so that
// 3 x 0.1 is written "0.3", not "0.30000000000000004".
func decimals(n *jnode) int {
	if n == nil || n.kind != jNum {
		return 0
	}
	lit := n.num
	if strings.ContainsAny(lit, "eE") {
		return -1
	}
	if i := strings.IndexByte(lit, '.'); i >= 0 {
		return len(lit) - i - 1
	}
	return 0
}

func (g *schemaGen) str(s *jnode, hint string) {
	v := g.stringValue(s.getStr("format"), hint)
	minLen, maxLen := 0, -1
	if f, ok := s.getNum("minLength"); ok {
		minLen = int(f)
	}
	if f, ok := s.getNum("maxLength"); ok {
		maxLen = int(f)
	}
	if n := utf8.RuneCountInString(v); n < minLen {
		var b strings.Builder
		b.WriteString(v)
		for utf8.RuneCountInString(b.String()) < minLen {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(vocabulary[g.r.intn(len(vocabulary))])
		}
		v = b.String()
	}
	if maxLen >= 0 && utf8.RuneCountInString(v) > maxLen {
		v = truncateRunes(v, maxLen)
	}
	g.out = appendString(g.out, v)
}

func truncateRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}
