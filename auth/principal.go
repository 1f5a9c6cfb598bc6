package auth

import "strings"

// Principal is the authenticated caller of a CompletionService RPC or /v1/
// endpoint: a virtual key, the team that owns it and the user it is for.
// Verify may hand several requests principals that share the AllowedModels
// and Tags slices: treat them as read-only.
type Principal struct {
	KeyID         string
	KeyName       string
	TeamID        string
	UserID        string // empty when the key is not a user's
	AllowedModels []string
	Tags          []string
	// Limits are the key's rate limits and budget, for the layer that
	// enforces them.
	Limits Limits
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
