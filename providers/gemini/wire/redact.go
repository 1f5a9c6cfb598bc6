package wire

import "regexp"

// secretPatterns match credentials an upstream text may echo: Google API
// keys (AIza...), "api_key:..." consumer names in quota errors, bearer
// tokens, and key=... query parameters in echoed URLs.
var secretPatterns = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`AIza[0-9A-Za-z_\-]{10,}`), "AIza***"},
	{regexp.MustCompile(`(?i)\bapi_key:[^\s'"]+`), "api_key:***"},
	{regexp.MustCompile(`(?i)\b(bearer)\s+[^\s"',;]+`), "${1} ***"},
	{regexp.MustCompile(`(?i)\b((?:api[_-]?)?key|token|access_token)=[^&\s"']+`), "${1}=***"},
}

// redactSecrets replaces key-like substrings of s. Every upstream text that
// reaches an error passes through it.
func redactSecrets(s string) string {
	for _, p := range secretPatterns {
		s = p.re.ReplaceAllString(s, p.repl)
	}
	return s
}
