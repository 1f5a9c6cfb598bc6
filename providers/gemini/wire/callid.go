package wire

import (
	"encoding/binary"
	"hash/fnv"
	"strings"
)

// GeneratedCallIDPrefix starts every call id the gateway mints for a Gemini
// function call that came without one. Such ids are never sent to Gemini.
const GeneratedCallIDPrefix = "gcall_"

const base62Digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// generatedIDLen is the prefix plus 22 base62 characters (128 bits).
const generatedIDLen = len(GeneratedCallIDPrefix) + 22

// CallID returns the stable id of a function call that Gemini sent without
// one: a hash of its name, its compact JSON arguments, the index of the
// candidate it belongs to and its ordinal among that candidate's calls. The
// same call always gets the same id, whether it was decoded from a unary
// answer, from a stream, or from the history of a later request; two calls
// of one answer never share one.
func CallID(name string, compactArgs []byte, candidate, ordinal int) string {
	h := fnv.New128a()
	h.Write([]byte(name))
	h.Write([]byte{0})
	h.Write(compactArgs)
	var n [16]byte
	binary.LittleEndian.PutUint64(n[:8], uint64(candidate))
	binary.LittleEndian.PutUint64(n[8:], uint64(ordinal))
	h.Write(n[:])
	var sum [16]byte
	h.Sum(sum[:0])
	b := make([]byte, 0, generatedIDLen)
	b = append(b, GeneratedCallIDPrefix...)
	b = appendBase62(b, binary.BigEndian.Uint64(sum[:8]), 11)
	b = appendBase62(b, binary.BigEndian.Uint64(sum[8:]), 11)
	return string(b)
}

// IsGeneratedCallID reports whether id was minted by CallID.
func IsGeneratedCallID(id string) bool {
	if len(id) != generatedIDLen || !strings.HasPrefix(id, GeneratedCallIDPrefix) {
		return false
	}
	for i := len(GeneratedCallIDPrefix); i < len(id); i++ {
		if strings.IndexByte(base62Digits, id[i]) < 0 {
			return false
		}
	}
	return true
}

func appendBase62(b []byte, v uint64, n int) []byte {
	for i := 0; i < n; i++ {
		b = append(b, base62Digits[v%62])
		v /= 62
	}
	return b
}
