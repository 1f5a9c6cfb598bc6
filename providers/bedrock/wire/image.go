package wire

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/switchboard-gw/switchboard/llm"
)

// Image formats Converse accepts, by media type.
var imageFormats = map[string]string{
	"image/png":  "png",
	"image/jpeg": "jpeg",
	"image/jpg":  "jpeg",
	"image/gif":  "gif",
	"image/webp": "webp",
}

// imageFromCanonical writes an image as bytes (inline data, or a data: URL
// decoded) or an S3 location (an s3:// URL). Converse cannot fetch http(s)
// URLs: those are refused rather than silently dropped.
func imageFromCanonical(img *llm.Image, path string) (*ImageBlock, error) {
	var data []byte
	mediaType := strings.ToLower(img.MediaType)
	switch {
	case len(img.Data) > 0:
		data = img.Data
	case hasPrefixFold(img.URL, "data:"):
		mt, d, err := parseDataURL(img.URL)
		if err != nil {
			return nil, invalid(CodeInvalidValue, path, "%v", err)
		}
		mediaType, data = mt, d
	case hasPrefixFold(img.URL, "s3://"):
		format := imageFormats[mediaType]
		if format == "" {
			format = formatFromExtension(img.URL)
		}
		if format == "" {
			return nil, invalid(CodeInvalidValue, path, "cannot tell the format of %q: give the media type (png, jpeg, gif or webp)", img.URL)
		}
		return &ImageBlock{Format: format, Source: ImageSource{S3Location: &S3Location{URI: img.URL}}}, nil
	case hasPrefixFold(img.URL, "https://"), hasPrefixFold(img.URL, "http://"):
		return nil, invalid(CodeUnsupported, path, "Bedrock does not fetch images from http(s) URLs; send the image data, a data: URL or an s3:// URL")
	default:
		return nil, invalid(CodeInvalidValue, path, "an image needs data, a data: URL or an s3:// URL")
	}
	if mediaType == "" {
		mediaType = http.DetectContentType(data)
	}
	format := imageFormats[mediaType]
	if format == "" {
		return nil, invalid(CodeUnsupported, path, "Bedrock accepts png, jpeg, gif and webp images, not %s", mediaType)
	}
	return &ImageBlock{Format: format, Source: ImageSource{Bytes: data}}, nil
}

// imageToCanonical reads an image block.
func imageToCanonical(b *ImageBlock, path string) (*llm.Image, error) {
	mediaType := "image/" + b.Format
	if f, ok := imageFormats[mediaType]; !ok || f != b.Format {
		return nil, invalid(CodeInvalidValue, joinPath(path, "format"), "expected png, jpeg, gif or webp, got %q", b.Format)
	}
	switch {
	case len(b.Source.Bytes) > 0:
		return &llm.Image{MediaType: mediaType, Data: b.Source.Bytes}, nil
	case b.Source.S3Location != nil && b.Source.S3Location.URI != "":
		return &llm.Image{MediaType: mediaType, URL: b.Source.S3Location.URI}, nil
	}
	return nil, missing(joinPath(path, "source.bytes"))
}

func formatFromExtension(u string) string {
	i := strings.LastIndexByte(u, '.')
	if i < 0 {
		return ""
	}
	switch strings.ToLower(u[i+1:]) {
	case "png":
		return "png"
	case "jpg", "jpeg":
		return "jpeg"
	case "gif":
		return "gif"
	case "webp":
		return "webp"
	}
	return ""
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
