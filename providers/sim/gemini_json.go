package sim

import "strconv"

// Gemini's JSON has two layouts, both written here: unary bodies are
// pretty-printed with two-space indents and a trailing newline, and SSE
// chunks are on one line with a space after each colon and none after each
// comma ({"a": 1,"b": [1,2]}). Members come in the proto's field-number
// order, as Google's serializer writes them.

// gemWriter appends a JSON value in one of the two layouts.
type gemWriter struct {
	b      []byte
	pretty bool
	// open holds, per open container, whether it has a member yet.
	open []bool
}

func (w *gemWriter) sep() {
	n := len(w.open)
	if n == 0 {
		return
	}
	if w.open[n-1] {
		w.b = append(w.b, ',')
	}
	w.open[n-1] = true
	if w.pretty {
		w.newline(n)
	}
}

func (w *gemWriter) newline(depth int) {
	w.b = append(w.b, '\n')
	for i := 0; i < depth; i++ {
		w.b = append(w.b, ' ', ' ')
	}
}

// field starts the member name in the current object.
func (w *gemWriter) field(name string) {
	w.sep()
	w.b = append(w.b, '"')
	w.b = append(w.b, name...)
	w.b = append(w.b, '"', ':', ' ')
}

// item starts an element of the current array.
func (w *gemWriter) item() { w.sep() }

func (w *gemWriter) begin(c byte) {
	w.b = append(w.b, c)
	w.open = append(w.open, false)
}

func (w *gemWriter) end(c byte) {
	n := len(w.open)
	had := w.open[n-1]
	w.open = w.open[:n-1]
	if w.pretty && had {
		w.newline(n - 1)
	}
	w.b = append(w.b, c)
}

func (w *gemWriter) str(s string) { w.b = appendString(w.b, s) }
func (w *gemWriter) num(v int64)  { w.b = strconv.AppendInt(w.b, v, 10) }
func (w *gemWriter) lit(s string) { w.b = append(w.b, s...) }
func (w *gemWriter) strField(name, v string) {
	w.field(name)
	w.str(v)
}

func (w *gemWriter) numField(name string, v int64) {
	w.field(name)
	w.num(v)
}

// value re-lays out a compact JSON value (an answer's arguments) in the
// writer's layout. src must be valid JSON.
func (w *gemWriter) value(src string) {
	i := skipBlanks(src, 0)
	w.valueAt(src, i)
}

func (w *gemWriter) valueAt(src string, i int) int {
	switch src[i] {
	case '{', '[':
		open, close := src[i], byte('}')
		if open == '[' {
			close = ']'
		}
		w.begin(open)
		i = skipBlanks(src, i+1)
		for src[i] != close {
			if open == '{' {
				end := skipJSONString(src, i)
				w.sep()
				w.b = append(w.b, src[i:end]...)
				w.b = append(w.b, ':', ' ')
				i = skipBlanks(src, end)
				i = skipBlanks(src, i+1) // ':'
			} else {
				w.item()
			}
			i = skipBlanks(src, w.valueAt(src, i))
			if src[i] == ',' {
				i = skipBlanks(src, i+1)
			}
		}
		w.end(close)
		return i + 1
	case '"':
		end := skipJSONString(src, i)
		w.b = append(w.b, src[i:end]...)
		return end
	}
	end := i
	for end < len(src) && src[end] != ',' && src[end] != '}' && src[end] != ']' && src[end] != ' ' && src[end] != '\n' && src[end] != '\t' && src[end] != '\r' {
		end++
	}
	w.b = append(w.b, src[i:end]...)
	return end
}

func skipBlanks(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r') {
		i++
	}
	return i
}

// skipJSONString returns the index just past the string starting at s[i].
func skipJSONString(s string, i int) int {
	for i++; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}
