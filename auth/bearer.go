package auth

import "strings"

// BearerToken extracts the token from an Authorization header value such as
// "Bearer sk-sb-...". The scheme is case-insensitive (RFC 9110) and the
// spaces around the token are ignored. It reports false when the header is
// not a bearer credential or the token is empty or contains whitespace.
func BearerToken(header string) (string, bool) {
	const scheme = "bearer"
	header = strings.TrimSpace(header)
	if len(header) <= len(scheme) || !strings.EqualFold(header[:len(scheme)], scheme) {
		return "", false
	}
	rest := header[len(scheme):]
	if rest[0] != ' ' && rest[0] != '\t' {
		return "", false // "Bearerxyz" is another scheme, not a token
	}
	token := strings.TrimSpace(rest)
	if token == "" || strings.ContainsAny(token, " \t\r\n") {
		return "", false
	}
	return token, true
}
