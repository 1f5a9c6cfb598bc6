package wire

import (
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// ToCanonicalModels converts a model list; created_at (RFC 3339) becomes
// Unix seconds, 0 when it does not parse.
func ToCanonicalModels(l *ModelList) []llm.ModelInfo {
	out := make([]llm.ModelInfo, 0, len(l.Data))
	for _, m := range l.Data {
		var created int64
		if t, err := time.Parse(time.RFC3339, m.CreatedAt); err == nil {
			created = t.Unix()
		}
		out = append(out, llm.ModelInfo{ID: m.ID, OwnedBy: "anthropic", Created: created})
	}
	return out
}
