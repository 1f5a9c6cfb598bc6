package wire

import (
	"net/http"
	"strings"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/internal/wireutil"
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
	case wireutil.HasPrefixFold(img.URL, "data:"):
		mt, d, err := wireutil.ParseDataURL(img.URL)
		if err != nil {
			return nil, wireutil.Invalid(CodeInvalidValue, path, "%v", err)
		}
		mediaType, data = mt, d
	case wireutil.HasPrefixFold(img.URL, "s3://"):
		format := imageFormats[mediaType]
		if format == "" {
			format = formatFromExtension(img.URL)
		}
		if format == "" {
			return nil, wireutil.Invalid(CodeInvalidValue, path, "cannot tell the format of %q: give the media type (png, jpeg, gif or webp)", img.URL)
		}
		return &ImageBlock{Format: format, Source: ImageSource{S3Location: &S3Location{URI: img.URL}}}, nil
	case wireutil.HasPrefixFold(img.URL, "https://"), wireutil.HasPrefixFold(img.URL, "http://"):
		return nil, wireutil.Invalid(CodeUnsupported, path, "Bedrock does not fetch images from http(s) URLs; send the image data, a data: URL or an s3:// URL")
	default:
		return nil, wireutil.Invalid(CodeInvalidValue, path, "an image needs data, a data: URL or an s3:// URL")
	}
	if mediaType == "" {
		mediaType = http.DetectContentType(data)
	}
	format := imageFormats[mediaType]
	if format == "" {
		return nil, wireutil.Invalid(CodeUnsupported, path, "Bedrock accepts png, jpeg, gif and webp images, not %s", mediaType)
	}
	return &ImageBlock{Format: format, Source: ImageSource{Bytes: data}}, nil
}

// imageToCanonical reads an image block.
func imageToCanonical(b *ImageBlock, path string) (*llm.Image, error) {
	mediaType := "image/" + b.Format
	if f, ok := imageFormats[mediaType]; !ok || f != b.Format {
		return nil, wireutil.Invalid(CodeInvalidValue, wireutil.JoinPath(path, "format"), "expected png, jpeg, gif or webp, got %q", b.Format)
	}
	switch {
	case len(b.Source.Bytes) > 0:
		return &llm.Image{MediaType: mediaType, Data: b.Source.Bytes}, nil
	case b.Source.S3Location != nil && b.Source.S3Location.URI != "":
		return &llm.Image{MediaType: mediaType, URL: b.Source.S3Location.URI}, nil
	}
	return nil, wireutil.Missing(wireutil.JoinPath(path, "source.bytes"))
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
