package wire

import "github.com/switchboard-gw/switchboard/llm"

// ToCanonicalModels converts GET /v1/models.
func ToCanonicalModels(l *ModelList) []llm.ModelInfo {
	out := make([]llm.ModelInfo, len(l.Data))
	for i, m := range l.Data {
		out[i] = llm.ModelInfo{ID: m.ID, OwnedBy: m.OwnedBy, Created: m.Created}
	}
	return out
}

// FromCanonicalModels writes a model list as OpenAI's list object.
func FromCanonicalModels(models []llm.ModelInfo) *ModelList {
	out := &ModelList{Object: "list", Data: make([]Model, len(models))}
	for i, m := range models {
		out.Data[i] = Model{ID: m.ID, Object: "model", Created: m.Created, OwnedBy: m.OwnedBy}
	}
	return out
}
