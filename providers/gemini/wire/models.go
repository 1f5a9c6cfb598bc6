package wire

import (
	"strings"

	"github.com/switchboard-gw/switchboard/llm"
)

// ToCanonicalModels converts a model list page, without the "models/"
// prefix of the names.
func ToCanonicalModels(l *ListModelsResponse, dst []llm.ModelInfo) []llm.ModelInfo {
	for i := range l.Models {
		dst = append(dst, llm.ModelInfo{ID: strings.TrimPrefix(l.Models[i].Name, "models/"), OwnedBy: "google"})
	}
	return dst
}
