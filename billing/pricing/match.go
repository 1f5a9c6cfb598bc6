package pricing

import "strings"

// Vendor names as the table uses them. "google" is taken as "gemini".
const (
	VendorOpenAI    = "openai"
	VendorAnthropic = "anthropic"
	VendorGemini    = "gemini"
	VendorMistral   = "mistral"
	VendorDeepSeek  = "deepseek"
	VendorGroq      = "groq"
	VendorTogether  = "together"
)

// vendorPrecedence orders the vendors a model-only lookup searches: the
// makers of models before the hosts that resell them.
var vendorPrecedence = []string{VendorOpenAI, VendorAnthropic, VendorGemini, VendorMistral, VendorDeepSeek, VendorGroq, VendorTogether}

// canonicalVendor lower-cases a vendor name and maps synonyms.
func canonicalVendor(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	if v == "google" {
		return VendorGemini
	}
	return v
}

// normalizeModel is the form model names are compared in: lower case,
// without Gemini's "models/" prefix or a Bedrock "[region.]anthropic."
// prefix. It does not allocate for a name already in that form.
func normalizeModel(m string) string {
	m = strings.ToLower(strings.TrimSpace(m))
	m = strings.TrimPrefix(m, "models/")
	if i := strings.Index(m, "anthropic."); i >= 0 && (i == 0 || (i <= 8 && m[i-1] == '.' && !strings.Contains(m[:i-1], "/"))) {
		m = m[i+len("anthropic."):]
	}
	return m
}

// stripSnapshot removes one snapshot or version suffix from a normalized
// model name: a Bedrock version (-v2:0), a date (-2024-08-06, -20250514,
// @20250514), a YYMM or MMDD version (-2411), a three-digit version
// (-001), or -latest.
func stripSnapshot(m string) (string, bool) {
	if rest, ok := cutBedrockVersion(m); ok {
		return rest, true
	}
	if strings.HasSuffix(m, "-latest") {
		return m[:len(m)-len("-latest")], true
	}
	n := len(m)
	switch {
	case n > 11 && m[n-11] == '-' && isDate(m[n-10:]): // -YYYY-MM-DD
		return m[:n-11], true
	case n > 9 && (m[n-9] == '-' || m[n-9] == '@') && digits(m[n-8:]): // -YYYYMMDD, @YYYYMMDD
		return m[:n-9], true
	case n > 5 && m[n-5] == '-' && digits(m[n-4:]): // -YYMM
		return m[:n-5], true
	case n > 4 && m[n-4] == '-' && digits(m[n-3:]): // -NNN
		return m[:n-4], true
	}
	return m, false
}

// cutBedrockVersion removes a trailing "-v<major>[:<minor>]".
func cutBedrockVersion(m string) (string, bool) {
	i := strings.LastIndex(m, "-v")
	if i <= 0 {
		return m, false
	}
	major, minor, hasMinor := strings.Cut(m[i+2:], ":")
	if !digits(major) || (hasMinor && !digits(minor)) {
		return m, false
	}
	return m[:i], true
}

func isDate(s string) bool {
	return len(s) == 10 && s[4] == '-' && s[7] == '-' && digits(s[:4]) && digits(s[5:7]) && digits(s[8:])
}

func digits(s string) bool { return s != "" && allDigits(s) }
