package wire

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/switchboard-gw/switchboard/llm"
)

// Image source types.
const (
	SourceBase64 = "base64"
	SourceURL    = "url"
)

// imageFromCanonical writes an image as a base64 source (inline data, or a
// data: URL decoded) or a url source.
func imageFromCanonical(img *llm.Image, path string) (*ImageSource, error) {
	switch {
	case len(img.Data) > 0:
		mt := img.MediaType
		if mt == "" {
			mt = http.DetectContentType(img.Data)
		}
		return &ImageSource{Type: SourceBase64, MediaType: mt, Data: base64.StdEncoding.EncodeToString(img.Data)}, nil
	case hasPrefixFold(img.URL, "data:"):
		mt, data, err := parseDataURL(img.URL)
		if err != nil {
			return nil, invalid(CodeInvalidValue, path, "%v", err)
		}
		return &ImageSource{Type: SourceBase64, MediaType: mt, Data: base64.StdEncoding.EncodeToString(data)}, nil
	case hasPrefixFold(img.URL, "https://"), hasPrefixFold(img.URL, "http://"):
		return &ImageSource{Type: SourceURL, URL: img.URL}, nil
	}
	return nil, invalid(CodeInvalidValue, path, "an image needs data, an http(s) URL or a data: URL")
}

// imageToCanonical reads an image block's source.
func imageToCanonical(src *ImageSource, path string) (*llm.Image, error) {
	if src == nil {
		return nil, missing(joinPath(path, "source"))
	}
	switch src.Type {
	case SourceBase64:
		if src.MediaType == "" {
			return nil, missing(joinPath(path, "source.media_type"))
		}
		data, err := decodeBase64Lenient(src.Data)
		if err != nil || len(data) == 0 {
			return nil, invalid(CodeInvalidValue, joinPath(path, "source.data"), "expected non-empty base64 image data")
		}
		return &llm.Image{MediaType: src.MediaType, Data: data}, nil
	case SourceURL:
		if !hasPrefixFold(src.URL, "https://") && !hasPrefixFold(src.URL, "http://") {
			return nil, invalid(CodeInvalidValue, joinPath(path, "source.url"), "must be an http(s) URL")
		}
		return &llm.Image{URL: src.URL}, nil
	case "":
		return nil, missing(joinPath(path, "source.type"))
	}
	return nil, invalid(CodeUnsupported, joinPath(path, "source.type"), `expected "base64" or "url", got %q`, src.Type)
}

// parseDataURL decodes an RFC 2397 data: URL holding an image.
func parseDataURL(s string) (mediaType string, data []byte, err error) {
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
		if data, err = decodeBase64Lenient(payload); err != nil {
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

// decodeBase64Lenient accepts standard or URL-safe base64, padded or not,
// possibly line-wrapped, as clients produce all of them.
func decodeBase64Lenient(s string) ([]byte, error) {
	if strings.ContainsAny(s, "\r\n ") {
		s = strings.NewReplacer("\r", "", "\n", "", " ", "").Replace(s)
	}
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
