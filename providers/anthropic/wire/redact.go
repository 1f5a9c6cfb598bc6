package wire

import "regexp"

// secretPatterns match credentials an upstream message could echo:
// Anthropic keys (sk-ant-...), other sk- keys, bearer tokens, and key=...
// query parameters.
var secretPatterns = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`(^|[^A-Za-z0-9])sk-[A-Za-z0-9_\-*.]{3,}`), "${1}sk-***"},
	{regexp.MustCompile(`(?i)\b(bearer|basic)\s+[^\s"',;]+`), "${1} ***"},
	{regexp.MustCompile(`(?i)\b((?:api[_-]?)?key|token|access_token)=[^&\s"']+`), "${1}=***"},
}

// RedactSecrets replaces key-like substrings of s with a placeholder. Every
// upstream text that reaches an error message passes through it.
func RedactSecrets(s string) string {
	for _, p := range secretPatterns {
		s = p.re.ReplaceAllString(s, p.repl)
	}
	return s
}
