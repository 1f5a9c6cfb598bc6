package tokens

import (
	"strings"
	"sync"

	"github.com/tiktoken-go/tokenizer/codec"
)

// Encoding names, as tiktoken calls them.
const (
	O200kBase  = "o200k_base"
	Cl100kBase = "cl100k_base"
)

// encoder is a byte-pair encoding built on first use. Building o200k_base
// takes tens of milliseconds and some tens of MB, so a process that never
// needs a local count never pays for it. The codecs are built directly
// (not by tokenizer.Get, which names every encoding) so that the binary
// holds only the two vocabularies used.
type encoder struct {
	build func() *codec.Codec
	once  sync.Once
	codec *codec.Codec
}

var (
	o200k  = &encoder{build: codec.NewO200kBase}
	cl100k = &encoder{build: codec.NewCl100kBase}
)

// count returns the tokens of text, and false if the encoder failed (it
// does not on valid input; the caller then estimates).
func (e *encoder) count(text string) (int64, bool) {
	e.once.Do(func() { e.codec = e.build() })
	n, err := e.codec.Count(text)
	if err != nil {
		return 0, false
	}
	return int64(n), true
}

// EncodingFor returns the byte-pair encoding of an OpenAI model
// (O200kBase or Cl100kBase), or "" for a model of another family. The name
// may carry a routing prefix ("openai/gpt-4o") or be a fine-tune
// ("ft:gpt-4o-mini:org::id"); case does not matter.
func EncodingFor(model string) string {
	if encoderFor(model) == o200k {
		return O200kBase
	}
	if encoderFor(model) == cl100k {
		return Cl100kBase
	}
	return ""
}

// encoderFor picks the encoder of an OpenAI model, or nil.
func encoderFor(model string) *encoder {
	m := baseModel(model)
	switch {
	case hasAnyPrefix(m, "gpt-4o", "chatgpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "gpt-oss", "codex-"),
		oSeries(m):
		return o200k
	case hasAnyPrefix(m, "gpt-4", "gpt-3.5", "gpt-35", "text-embedding-3", "text-embedding-ada-002"):
		return cl100k
	}
	return nil
}

// baseModel lower-cases a model name and removes a routing prefix
// ("openai/") and a fine-tune wrapper ("ft:").
func baseModel(model string) string {
	m := strings.ToLower(strings.TrimSpace(model))
	if i := strings.LastIndexByte(m, '/'); i >= 0 {
		m = m[i+1:]
	}
	return strings.TrimPrefix(m, "ft:")
}

// oSeries reports whether m is one of OpenAI's o-series reasoning models
// (o1, o3-mini, o4-mini-2025-04-16, ...).
func oSeries(m string) bool {
	if len(m) < 2 || m[0] != 'o' || m[1] < '1' || m[1] > '9' {
		return false
	}
	return len(m) == 2 || m[2] == '-'
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
