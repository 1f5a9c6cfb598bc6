package wire

import (
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"
)

// scanner is a strict, allocation-light JSON reader for the fast decoders
// of the per-chunk and per-response hot paths (chunk_decode.go,
// response_decode.go). It reads one value at a time from data and never
// accepts what encoding/json would reject: anything it is not sure about
// (an escaped key, a number where an integer is expected, a key that only
// matches a field case-insensitively, deep nesting, a syntax error) makes it
// return errSlowPath, and the caller decodes the whole document again with
// encoding/json, which then gives the result or the error. The fast path is
// therefore an optimization only: its results are those of encoding/json.
type scanner struct {
	data  []byte
	pos   int
	depth int
}

// errSlowPath asks the caller to decode with encoding/json instead.
var errSlowPath = errors.New("wire: leave this document to encoding/json")

// maxScanDepth bounds nesting on the fast path (encoding/json allows 10000;
// deeper documents take the slow path).
const maxScanDepth = 64

func (s *scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// peek returns the next non-space byte without consuming it (0 at the end).
func (s *scanner) peek() byte {
	s.skipSpace()
	if s.pos >= len(s.data) {
		return 0
	}
	return s.data[s.pos]
}

// end checks that only whitespace is left.
func (s *scanner) end() error {
	s.skipSpace()
	if s.pos != len(s.data) {
		return errSlowPath
	}
	return nil
}

// maxObjectKeys bounds the keys of one object on the fast path, so that
// duplicate keys can be spotted with a fixed array.
const maxObjectKeys = 32

// object reads an object, calling member for each key with the scanner
// positioned at the member's value; member must consume the value. A key
// with escapes takes the slow path, and so does a key seen twice in the
// same object: encoding/json decodes the second value into what the first
// left (a reused slice element, an allocated struct), which the fast path
// does not imitate.
func (s *scanner) object(member func(key []byte) error) error {
	if s.peek() != '{' {
		return errSlowPath
	}
	s.pos++
	if s.depth++; s.depth > maxScanDepth {
		return errSlowPath
	}
	if s.peek() == '}' {
		s.pos++
		s.depth--
		return nil
	}
	var (
		seen  [maxObjectKeys]uint32 // length and first and last bytes of each key
		where [maxObjectKeys]int    // where each key starts in data
		keys  int
	)
	for {
		key, err := s.rawKey()
		if err != nil {
			return err
		}
		sig := uint32(len(key)) << 16
		if len(key) > 0 {
			sig |= uint32(key[0])<<8 | uint32(key[len(key)-1])
		}
		for i := range keys {
			if seen[i] == sig && string(s.data[where[i]:where[i]+len(key)]) == string(key) {
				return errSlowPath
			}
		}
		if keys == maxObjectKeys {
			return errSlowPath
		}
		seen[keys], where[keys] = sig, s.pos-len(key)-1
		keys++
		if s.peek() != ':' {
			return errSlowPath
		}
		s.pos++
		if err := member(key); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			s.depth--
			return nil
		default:
			return errSlowPath
		}
	}
}

// array reads an array, calling elem for each element (elem must consume
// it).
func (s *scanner) array(elem func() error) error {
	if s.peek() != '[' {
		return errSlowPath
	}
	s.pos++
	if s.depth++; s.depth > maxScanDepth {
		return errSlowPath
	}
	if s.peek() == ']' {
		s.pos++
		s.depth--
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			s.depth--
			return nil
		default:
			return errSlowPath
		}
	}
}

// rawKey reads an object key without escapes and returns its bytes.
func (s *scanner) rawKey() ([]byte, error) {
	if s.peek() != '"' {
		return nil, errSlowPath
	}
	start := s.pos + 1
	for i := start; i < len(s.data); i++ {
		switch c := s.data[i]; {
		case c == '"':
			s.pos = i + 1
			return s.data[start:i], nil
		case c == '\\' || c < 0x20:
			return nil, errSlowPath
		}
	}
	return nil, errSlowPath
}

// null consumes a null literal and reports whether there was one.
func (s *scanner) null() bool {
	if s.peek() == 'n' && len(s.data)-s.pos >= 4 && string(s.data[s.pos:s.pos+4]) == "null" {
		s.pos += 4
		return true
	}
	return false
}

// stringValue reads a string. A null leaves *dst unchanged, as encoding/json
// does for a non-pointer field.
func (s *scanner) stringValue(dst *string) error {
	if s.null() {
		return nil
	}
	v, err := s.str()
	if err != nil {
		return err
	}
	*dst = v
	return nil
}

// stringPointer reads a string or null into a *string field.
func (s *scanner) stringPointer(dst **string) error {
	if s.null() {
		*dst = nil
		return nil
	}
	v, err := s.str()
	if err != nil {
		return err
	}
	*dst = &v
	return nil
}

// str reads a JSON string. Plain strings (no escapes, valid UTF-8) are
// copied directly and the usual escapes are decoded here; anything unusual
// (invalid UTF-8, a \u escape of a surrogate) is unquoted by encoding/json,
// so every string comes out exactly as it would decode it.
func (s *scanner) str() (string, error) {
	if s.peek() != '"' {
		return "", errSlowPath
	}
	start := s.pos
	plain := true
	for i := start + 1; i < len(s.data); i++ {
		c := s.data[i]
		switch {
		case c == '"':
			s.pos = i + 1
			body := s.data[start+1 : i]
			if utf8.Valid(body) {
				if plain {
					return string(body), nil
				}
				if v, ok := unescape(body); ok {
					return v, nil
				}
			}
			var v string
			if json.Unmarshal(s.data[start:i+1], &v) != nil {
				return "", errSlowPath
			}
			return v, nil
		case c == '\\':
			plain = false
			i++ // the escaped byte cannot end the string
		case c < 0x20:
			return "", errSlowPath
		}
	}
	return "", errSlowPath
}

// unescape decodes the escapes of a valid UTF-8 string body. It gives up
// (false) on a \u escape of a surrogate, which encoding/json pairs or turns
// into U+FFFD, and on anything malformed.
func unescape(body []byte) (string, bool) {
	out := make([]byte, 0, len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i >= len(body) {
			return "", false
		}
		switch body[i] {
		case '"', '\\', '/':
			out = append(out, body[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			if i+4 >= len(body) {
				return "", false
			}
			v, err := strconv.ParseUint(string(body[i+1:i+5]), 16, 32)
			if err != nil || (v >= 0xD800 && v < 0xE000) {
				return "", false
			}
			out = utf8.AppendRune(out, rune(v))
			i += 4
		default:
			return "", false
		}
	}
	return string(out), true
}

// integer reads a JSON integer that fits in 64 bits. Fractions, exponents
// and overflows take the slow path, where encoding/json reports them.
func (s *scanner) integer() (int64, error) {
	s.skipSpace()
	start := s.pos
	i := start
	if i < len(s.data) && s.data[i] == '-' {
		i++
	}
	digits := i
	for i < len(s.data) && s.data[i] >= '0' && s.data[i] <= '9' {
		i++
	}
	if i == digits || (s.data[digits] == '0' && i-digits > 1) {
		return 0, errSlowPath
	}
	if i < len(s.data) {
		if c := s.data[i]; c == '.' || c == 'e' || c == 'E' {
			return 0, errSlowPath
		}
	}
	v, err := strconv.ParseInt(string(s.data[start:i]), 10, 64)
	if err != nil {
		return 0, errSlowPath
	}
	s.pos = i
	return v, nil
}

// int64Value reads an integer; null leaves *dst unchanged.
func (s *scanner) int64Value(dst *int64) error {
	if s.null() {
		return nil
	}
	v, err := s.integer()
	if err != nil {
		return err
	}
	*dst = v
	return nil
}

// intValue reads an integer into an int; null leaves *dst unchanged.
func (s *scanner) intValue(dst *int) error {
	if s.null() {
		return nil
	}
	v, err := s.integer()
	if err != nil {
		return err
	}
	*dst = int(v)
	return nil
}

// raw reads any value and returns a copy of its bytes, as encoding/json
// fills a json.RawMessage.
func (s *scanner) raw() (json.RawMessage, error) {
	s.skipSpace()
	start := s.pos
	if err := s.skip(); err != nil {
		return nil, err
	}
	return append(json.RawMessage(nil), s.data[start:s.pos]...), nil
}

// skip reads and discards any value, checking its syntax.
func (s *scanner) skip() error {
	switch c := s.peek(); c {
	case '{':
		return s.object(func([]byte) error { return s.skip() })
	case '[':
		return s.array(s.skip)
	case '"':
		return s.skipString()
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			return s.number()
		}
	}
	return errSlowPath
}

func (s *scanner) literal(word string) error {
	if len(s.data)-s.pos < len(word) || string(s.data[s.pos:s.pos+len(word)]) != word {
		return errSlowPath
	}
	s.pos += len(word)
	return nil
}

// skipString checks a string's syntax, escapes included.
func (s *scanner) skipString() error {
	for i := s.pos + 1; i < len(s.data); i++ {
		switch c := s.data[i]; {
		case c == '"':
			s.pos = i + 1
			return nil
		case c < 0x20:
			return errSlowPath
		case c == '\\':
			i++
			if i >= len(s.data) {
				return errSlowPath
			}
			switch s.data[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(s.data) {
					return errSlowPath
				}
				for _, h := range s.data[i+1 : i+5] {
					if !isHex(h) {
						return errSlowPath
					}
				}
				i += 4
			default:
				return errSlowPath
			}
		}
	}
	return errSlowPath
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// number checks a number's syntax (RFC 8259).
func (s *scanner) number() error {
	i := s.pos
	if i < len(s.data) && s.data[i] == '-' {
		i++
	}
	switch {
	case i < len(s.data) && s.data[i] == '0':
		i++
	case i < len(s.data) && s.data[i] >= '1' && s.data[i] <= '9':
		for i < len(s.data) && s.data[i] >= '0' && s.data[i] <= '9' {
			i++
		}
	default:
		return errSlowPath
	}
	if i < len(s.data) && s.data[i] == '.' {
		i++
		d := i
		for i < len(s.data) && s.data[i] >= '0' && s.data[i] <= '9' {
			i++
		}
		if i == d {
			return errSlowPath
		}
	}
	if i < len(s.data) && (s.data[i] == 'e' || s.data[i] == 'E') {
		i++
		if i < len(s.data) && (s.data[i] == '+' || s.data[i] == '-') {
			i++
		}
		d := i
		for i < len(s.data) && s.data[i] >= '0' && s.data[i] <= '9' {
			i++
		}
		if i == d {
			return errSlowPath
		}
	}
	s.pos = i
	return nil
}

// unknownMember skips the value of a key that is not one of the fields of
// the object being read. encoding/json matches keys case-insensitively
// (with Unicode folding: the Kelvin sign matches "k"), so a key equal to a
// field name but for case, or any non-ASCII key, takes the slow path.
func (s *scanner) unknownMember(key []byte, fields []string) error {
	for _, b := range key {
		if b >= utf8.RuneSelf {
			return errSlowPath
		}
	}
	for _, f := range fields {
		if len(f) == len(key) && equalFoldASCII(f, key) {
			return errSlowPath
		}
	}
	return s.skip()
}

// equalFoldASCII compares ASCII strings ignoring the case of letters.
func equalFoldASCII(name string, key []byte) bool {
	for i := range len(key) {
		a, b := name[i], key[i]
		if a == b {
			continue
		}
		if la := a | 0x20; la < 'a' || la > 'z' || la != b|0x20 {
			return false
		}
	}
	return true
}

// sliceOf reads a JSON array (or null) into *dst, one element at a time with
// each, reusing *dst's backing array. An empty array gives an empty, non-nil
// slice, as encoding/json does.
func sliceOf[T any](s *scanner, dst *[]T, each func(*T) error) error {
	if s.null() {
		*dst = nil
		return nil
	}
	out := (*dst)[:0]
	if out == nil {
		out = make([]T, 0, 4)
	}
	err := s.array(func() error {
		var zero T
		out = append(out, zero)
		return each(&out[len(out)-1])
	})
	*dst = out
	return err
}
