package wireutil

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// ParseDataURL decodes an RFC 2397 data: URL holding an image. A missing
// media type is sniffed from the data.
func ParseDataURL(s string) (mediaType string, data []byte, err error) {
	meta, payload, ok := strings.Cut(s[len("data:"):], ",")
	if !ok {
		return "", nil, errors.New("malformed data URL: no comma before the data")
	}
	isBase64 := false
	if m, found := strings.CutSuffix(meta, ";base64"); found {
		meta, isBase64 = m, true
	}
	mediaType, _, _ = strings.Cut(meta, ";")
	mediaType = strings.ToLower(strings.TrimSpace(mediaType))
	if isBase64 {
		if data, err = DecodeBase64Lenient(payload); err != nil {
			return "", nil, errors.New("invalid base64 data in data URL")
		}
	} else {
		p, err := url.PathUnescape(payload)
		if err != nil {
			return "", nil, errors.New("invalid percent-encoding in data URL")
		}
		data = []byte(p)
	}
	if len(data) == 0 {
		return "", nil, errors.New("data URL holds no data")
	}
	if mediaType == "" {
		mediaType = http.DetectContentType(data)
	}
	if !strings.HasPrefix(mediaType, "image/") {
		return "", nil, errors.New("data URL must hold an image, got " + mediaType)
	}
	return mediaType, data, nil
}

// DecodeBase64Lenient accepts standard or URL-safe base64, padded or not,
// possibly line-wrapped, as clients produce all of them.
func DecodeBase64Lenient(s string) ([]byte, error) {
	if strings.ContainsAny(s, "\r\n ") {
		s = strings.NewReplacer("\r", "", "\n", "", " ", "").Replace(s)
	}
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// HasPrefixFold reports whether s starts with prefix, ignoring case (URL
// schemes are case-insensitive).
func HasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
