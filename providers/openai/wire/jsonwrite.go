package wire

import (
	"strconv"
	"unicode/utf8"
)

// appendJSONString appends s as a JSON string exactly as encoding/json
// writes it with HTML escaping off (json.Encoder.SetEscapeHTML(false), which
// the shim uses so that model output with <, > and & stays readable): '"'
// and '\' escaped, control characters as \b \f \n \r \t or \u00XX, invalid
// UTF-8 as \ufffd, and U+2028 and U+2029 escaped for JSONP safety.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendKey appends ,"name": (or "name": first in an object, when first
// is set) and clears first.
func appendKey(dst []byte, name string, first *bool) []byte {
	if !*first {
		dst = append(dst, ',')
	}
	*first = false
	dst = append(dst, '"')
	dst = append(dst, name...)
	return append(dst, '"', ':')
}

func appendStringMember(dst []byte, name, value string, first *bool) []byte {
	return appendJSONString(appendKey(dst, name, first), value)
}

func appendIntMember(dst []byte, name string, value int64, first *bool) []byte {
	return strconv.AppendInt(appendKey(dst, name, first), value, 10)
}
