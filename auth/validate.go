package auth

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/switchboard-gw/switchboard/llm"
)

const (
	maxNameLen         = 256 // characters
	maxAllowedModels   = 256
	maxModelPatternLen = 256 // bytes
	maxTags            = 64
	maxTagLen          = 128 // bytes
	maxEmailLen        = 254 // bytes (RFC 5321 path limit)
)

// validateName trims a name and checks it: required, valid UTF-8, at most
// maxNameLen characters, no control characters (names end up in logs and
// terminals, where control characters could forge lines or escape
// sequences).
func validateName(param, what, name string) (string, *llm.Error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", invalidParam(param, fmt.Sprintf("%s is required: give the %s a name that says who or what it is", param, what))
	case !utf8.ValidString(name):
		return "", invalidParam(param, param+" must be valid UTF-8")
	case utf8.RuneCountInString(name) > maxNameLen:
		return "", invalidParam(param, fmt.Sprintf("%s must be at most %d characters", param, maxNameLen))
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", invalidParam(param, param+" must not contain control characters")
	}
	return name, nil
}

// validateModels checks model patterns and returns them deduplicated in
// order.
func validateModels(models []string) ([]string, *llm.Error) {
	if len(models) > maxAllowedModels {
		return nil, invalidParam("allowed_models", fmt.Sprintf("allowed_models may list at most %d entries", maxAllowedModels))
	}
	var out []string
	seen := make(map[string]bool, len(models))
	for i, m := range models {
		if err := validateModelPattern(m); err != "" {
			return nil, invalidParam("allowed_models", fmt.Sprintf("allowed_models[%d]: %s", i, err))
		}
		if !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	return out, nil
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
	case hasSpaceOrControl(m):
		return "must not contain spaces or control characters"
	case strings.Contains(strings.TrimSuffix(m, "*"), "*"):
		return `"*" is only allowed at the end, as a prefix wildcard ("openai/*")`
	}
	return ""
}

// validateTags checks tags (free-form labels such as "env:prod") and returns
// them deduplicated in order.
func validateTags(tags []string) ([]string, *llm.Error) {
	if len(tags) > maxTags {
		return nil, invalidParam("tags", fmt.Sprintf("a key may have at most %d tags", maxTags))
	}
	var out []string
	seen := make(map[string]bool, len(tags))
	for i, t := range tags {
		switch {
		case t == "":
			return nil, invalidParam("tags", fmt.Sprintf("tags[%d]: empty tag", i))
		case len(t) > maxTagLen:
			return nil, invalidParam("tags", fmt.Sprintf("tags[%d]: longer than %d bytes", i, maxTagLen))
		case !utf8.ValidString(t) || hasSpaceOrControl(t):
			return nil, invalidParam("tags", fmt.Sprintf("tags[%d]: must be UTF-8 without spaces or control characters", i))
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out, nil
}

// validateEmail accepts "" (unknown) or one plain address.
func validateEmail(email string) (string, *llm.Error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return "", nil
	}
	if len(email) > maxEmailLen || hasSpaceOrControl(email) {
		return "", invalidParam("email", "email is not a valid address")
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email {
		return "", invalidParam("email", "email is not a valid address: write it as name@example.com")
	}
	return email, nil
}

func hasSpaceOrControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0
}
