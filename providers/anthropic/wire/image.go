package wire

import (
	"encoding/base64"
	"net/http"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/internal/wireutil"
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
	case wireutil.HasPrefixFold(img.URL, "data:"):
		mt, data, err := wireutil.ParseDataURL(img.URL)
		if err != nil {
			return nil, wireutil.Invalid(CodeInvalidValue, path, "%v", err)
		}
		return &ImageSource{Type: SourceBase64, MediaType: mt, Data: base64.StdEncoding.EncodeToString(data)}, nil
	case wireutil.HasPrefixFold(img.URL, "https://"), wireutil.HasPrefixFold(img.URL, "http://"):
		return &ImageSource{Type: SourceURL, URL: img.URL}, nil
	}
	return nil, wireutil.Invalid(CodeInvalidValue, path, "an image needs data, an http(s) URL or a data: URL")
}

// imageToCanonical reads an image block's source.
func imageToCanonical(src *ImageSource, path string) (*llm.Image, error) {
	if src == nil {
		return nil, wireutil.Missing(wireutil.JoinPath(path, "source"))
	}
	switch src.Type {
	case SourceBase64:
		if src.MediaType == "" {
			return nil, wireutil.Missing(wireutil.JoinPath(path, "source.media_type"))
		}
		data, err := wireutil.DecodeBase64Lenient(src.Data)
		if err != nil || len(data) == 0 {
			return nil, wireutil.Invalid(CodeInvalidValue, wireutil.JoinPath(path, "source.data"), "expected non-empty base64 image data")
		}
		return &llm.Image{MediaType: src.MediaType, Data: data}, nil
	case SourceURL:
		if !wireutil.HasPrefixFold(src.URL, "https://") && !wireutil.HasPrefixFold(src.URL, "http://") {
			return nil, wireutil.Invalid(CodeInvalidValue, wireutil.JoinPath(path, "source.url"), "must be an http(s) URL")
		}
		return &llm.Image{URL: src.URL}, nil
	case "":
		return nil, wireutil.Missing(wireutil.JoinPath(path, "source.type"))
	}
	return nil, wireutil.Invalid(CodeUnsupported, wireutil.JoinPath(path, "source.type"), `expected "base64" or "url", got %q`, src.Type)
}
