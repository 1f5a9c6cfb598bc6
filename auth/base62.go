package auth

import "crypto/rand"

// base62Alphabet orders digits, upper case, then lower case, so fixed-width
// encodings sort like the numbers they encode.
const base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// base62Value maps a byte to its base62 digit, or -1 when it is not one.
var base62Value = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(base62Alphabet); i++ {
		t[base62Alphabet[i]] = int8(i)
	}
	return t
}()

// randomBase62 returns n characters, each uniform over the alphabet. Bytes at
// or above 248 (= 4*62) are rejected rather than reduced modulo 62, which
// would favour the first eight characters.
func randomBase62(n int) string {
	out := make([]byte, 0, n)
	var buf [64]byte
	for len(out) < n {
		rand.Read(buf[:]) // never fails: crypto/rand crashes the program instead
		for _, b := range buf {
			if b >= 248 {
				continue
			}
			out = append(out, base62Alphabet[b%62])
			if len(out) == n {
				break
			}
		}
	}
	return string(out)
}

// isBase62 reports whether s consists only of base62 characters.
func isBase62(s string) bool {
	for i := 0; i < len(s); i++ {
		if base62Value[s[i]] < 0 {
			return false
		}
	}
	return true
}

// appendBase62Fixed appends v as exactly width base62 digits, most
// significant first, zero-padded. The caller picks a width large enough for v.
func appendBase62Fixed(dst []byte, v uint64, width int) []byte {
	start := len(dst)
	for range width {
		dst = append(dst, 0)
	}
	for i := len(dst) - 1; i >= start; i-- {
		dst[i] = base62Alphabet[v%62]
		v /= 62
	}
	return dst
}
