package auth

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/switchboard-gw/switchboard/llm"
)

const (
	maxNameLen         = 256 // characters
	maxAllowedModels   = 256
	maxModelPatternLen = 256 // bytes
)

// validateCreate checks CreateKeyParams and returns the name and model
// patterns as stored: the name trimmed, the patterns deduplicated in order.
func validateCreate(p CreateKeyParams) (string, []string, *llm.Error) {
	name := strings.TrimSpace(p.Name)
	switch {
	case name == "":
		return "", nil, invalidParam("name", "name is required: give the key a name that says who or what uses it")
	case !utf8.ValidString(name):
		return "", nil, invalidParam("name", "name must be valid UTF-8")
	case utf8.RuneCountInString(name) > maxNameLen:
		return "", nil, invalidParam("name", fmt.Sprintf("name must be at most %d characters", maxNameLen))
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		// Names end up in logs and terminals; control characters could forge
		// log lines or escape sequences.
		return "", nil, invalidParam("name", "name must not contain control characters")
	}
	if len(p.AllowedModels) > maxAllowedModels {
		return "", nil, invalidParam("allowed_models", fmt.Sprintf("allowed_models may list at most %d entries", maxAllowedModels))
	}
	var models []string
	seen := make(map[string]bool, len(p.AllowedModels))
	for i, m := range p.AllowedModels {
		if err := validateModelPattern(m); err != "" {
			return "", nil, invalidParam("allowed_models", fmt.Sprintf("allowed_models[%d]: %s", i, err))
		}
		if !seen[m] {
			seen[m] = true
			models = append(models, m)
		}
	}
	return name, models, nil
}

// validateModelPattern returns what is wrong with one allowed_models entry,
// or "" when it is fine.
func validateModelPattern(m string) string {
	switch {
	case m == "":
		return "empty entry"
	case len(m) > maxModelPatternLen:
		return fmt.Sprintf("longer than %d bytes", maxModelPatternLen)
	case !utf8.ValidString(m):
		return "not valid UTF-8"
	case strings.IndexFunc(m, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return "must not contain spaces or control characters"
	case strings.Contains(strings.TrimSuffix(m, "*"), "*"):
		return `"*" is only allowed at the end, as a prefix wildcard ("openai/*")`
	}
	return ""
}
