package wire

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// parseDataURL decodes an RFC 2397 data: URL holding an image:
// data:image/png;base64,iVBOR... (or a percent-encoded payload without
// ";base64"). The media type must be an image type.
func parseDataURL(s string) (mediaType string, data []byte, err error) {
	rest := s[len("data:"):]
	meta, payload, ok := strings.Cut(rest, ",")
	if !ok {
		return "", nil, errors.New("malformed data URL: no comma before the data")
	}
	isBase64 := false
	if m, found := strings.CutSuffix(meta, ";base64"); found {
		meta, isBase64 = m, true
	}
	// Parameters such as ;charset=... follow the media type.
	mediaType, _, _ = strings.Cut(meta, ";")
	mediaType = strings.ToLower(strings.TrimSpace(mediaType))
	if isBase64 {
		data, err = decodeBase64Lenient(payload)
		if err != nil {
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
		return "", nil, errors.New("data URL must hold an image (image/png, image/jpeg, image/gif or image/webp), got " + mediaType)
	}
	return mediaType, data, nil
}

// decodeBase64Lenient accepts standard or URL-safe base64, padded or not, as
// clients produce all four.
func decodeBase64Lenient(s string) ([]byte, error) {
	if strings.ContainsAny(s, "\r\n ") { // line-wrapped encoders
		s = strings.NewReplacer("\r", "", "\n", "", " ", "").Replace(s)
	}
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// dataURL encodes an image as a base64 data: URL.
func dataURL(mediaType string, data []byte) string {
	if mediaType == "" {
		mediaType = http.DetectContentType(data)
	}
	var b strings.Builder
	b.Grow(len("data:;base64,") + len(mediaType) + base64.StdEncoding.EncodedLen(len(data)))
	b.WriteString("data:")
	b.WriteString(mediaType)
	b.WriteString(";base64,")
	b.WriteString(base64.StdEncoding.EncodeToString(data))
	return b.String()
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
