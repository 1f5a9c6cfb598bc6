package auth

import "strings"

// Principal is the authenticated caller of a CompletionService RPC or /v1/
// endpoint. Verify may hand several requests principals that share one
// AllowedModels slice: treat it as read-only.
type Principal struct {
	KeyID         string
	KeyName       string
	AllowedModels []string
}

// Allows reports whether the principal may call the model alias. An empty
// AllowedModels allows every alias; otherwise an entry matches exactly, or,
// when it ends in "*", matches every alias starting with what precedes the
// star ("openai/*", or "*" for all).
func (p *Principal) Allows(model string) bool {
	if p == nil {
		return false
	}
	if len(p.AllowedModels) == 0 {
		return true
	}
	for _, pattern := range p.AllowedModels {
		if modelMatches(pattern, model) {
			return true
		}
	}
	return false
}

func modelMatches(pattern, model string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(model, prefix)
	}
	return pattern == model
}
