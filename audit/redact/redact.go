package redact

import (
	"net/netip"
	"regexp"
	"strings"
)

// The placeholders that replace what was found.
const (
	Email       = "[EMAIL]"
	Phone       = "[PHONE]"
	CreditCard  = "[CREDIT_CARD]"
	IBAN        = "[IBAN]"
	IPAddress   = "[IP_ADDRESS]"
	SSN         = "[SSN]"
	APIKey      = "[API_KEY]"
	AWSKey      = "[AWS_ACCESS_KEY]"
	BearerToken = "[BEARER_TOKEN]"
)

// detector finds one kind of data: re proposes candidates, and check
// decides on each, returning how many bytes of the candidate to replace
// (0: not a match). Candidates may be longer than what they hold (a card
// number followed by more digits), so check may keep a prefix.
type detector struct {
	re          *regexp.Regexp
	placeholder string
	// group is the submatch replaced (0: the whole match); the text before
	// it in the match is kept ("Bearer ").
	group int
	check func(s string, start, end int) int
	// mayMatch is a cheap scan that rules the detector out for most text,
	// so that its regular expression only runs where it can match.
	mayMatch func(s string) bool
}

// detectors run in this order: secrets first (they contain digit runs and
// "@"-free text that later patterns could split), then addresses, then
// numbers, so each span is taken by the most specific kind.
var detectors = []detector{
	{re: regexp.MustCompile(`(?i)\b(?:bearer)\s+([A-Za-z0-9\-._~+/]{8,}=*)`), placeholder: BearerToken, group: 1, check: notPlaceholder,
		mayMatch: containsAny("earer", "EARER")},
	{re: regexp.MustCompile(`\bsk-[A-Za-z0-9_\-]{16,}`), placeholder: APIKey, check: always, mayMatch: containsAny("sk-")},
	{re: regexp.MustCompile(`\bAIza[0-9A-Za-z_\-]{35}`), placeholder: APIKey, check: always, mayMatch: containsAny("AIza")},
	{re: regexp.MustCompile(`\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,}|xox[abposr]-[A-Za-z0-9\-]{10,})`), placeholder: APIKey, check: always,
		mayMatch: containsAny("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xox")},
	{re: regexp.MustCompile(`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`), placeholder: AWSKey, check: always, mayMatch: containsAny("AKIA", "ASIA")},
	{re: regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}\b`), placeholder: Email, check: always, mayMatch: containsAny("@")},
	{re: regexp.MustCompile(`\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}`), placeholder: IBAN, check: checkIBAN, mayMatch: hasIBANStart},
	{re: regexp.MustCompile(`\b[0-9](?:[ \-]?[0-9]){12,18}`), placeholder: CreditCard, check: checkCard, mayMatch: digitRunOf(13, " -")},
	{re: regexp.MustCompile(`\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b`), placeholder: SSN, check: checkSSN, mayMatch: digitRunOf(9, "-")},
	{re: regexp.MustCompile(`\+[0-9]{1,3}(?:[ .\-]?\(?[0-9]{1,4}\)?){2,6}`), placeholder: Phone, check: checkIntlPhone, mayMatch: containsAny("+")},
	{re: regexp.MustCompile(`(?:\([0-9]{3}\) ?|\b[0-9]{3}[ .\-])[0-9]{3}[ .\-][0-9]{4}\b`), placeholder: Phone, check: checkNAPhone, mayMatch: digitRunOf(10, " .-()")},
	{re: regexp.MustCompile(`[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]*:[0-9A-Fa-f.]*`), placeholder: IPAddress, check: checkIPv6, mayMatch: hasHexColon},
	{re: regexp.MustCompile(`\b[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\b`), placeholder: IPAddress, check: checkIPv4, mayMatch: hasDottedQuad},
}

// String returns s with every detected item replaced by its placeholder.
func String(s string) string {
	if s == "" {
		return s
	}
	for i := range detectors {
		s = detectors[i].apply(s)
	}
	return s
}

// secretDetectors is how many of detectors, from the first, find secrets.
const secretDetectors = 5

// Secrets returns s with only secrets replaced: API keys, AWS access key
// ids and bearer tokens. It is for text whose personal data is meant to be
// kept (an admin change's before and after) but must never carry a secret.
func Secrets(s string) string {
	for i := range detectors[:secretDetectors] {
		s = detectors[i].apply(s)
	}
	return s
}

// Bytes is String for a byte slice.
func Bytes(b []byte) []byte { return []byte(String(string(b))) }

func (d *detector) apply(s string) string {
	if !d.mayMatch(s) {
		return s
	}
	matches := d.re.FindAllStringSubmatchIndex(s, -1)
	if matches == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range matches {
		start, end := m[2*d.group], m[2*d.group+1]
		if start < last {
			continue
		}
		n := d.check(s, start, end)
		if n <= 0 {
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString(d.placeholder)
		last = start + n
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func containsAny(subs ...string) func(string) bool {
	return func(s string) bool {
		for _, sub := range subs {
			if strings.Contains(s, sub) {
				return true
			}
		}
		return false
	}
}

// digitRunOf reports whether s holds at least n digits in a row, allowing
// up to two characters of seps between them.
func digitRunOf(n int, seps string) func(string) bool {
	var isSep [256]bool
	for i := 0; i < len(seps); i++ {
		isSep[seps[i]] = true
	}
	return func(s string) bool {
		run, gap := 0, 0
		for i := 0; i < len(s); i++ {
			c := s[i]
			switch {
			case '0' <= c && c <= '9':
				if run++; run >= n {
					return true
				}
				gap = 0
			case run == 0:
			case isSep[c] && gap < 2:
				gap++
			default:
				run, gap = 0, 0
			}
		}
		return false
	}
}

// hasIBANStart reports whether s holds two capital letters followed by two
// digits, as every IBAN starts.
func hasIBANStart(s string) bool {
	for i := 0; i+3 < len(s); i++ {
		if isUpper(s[i]) && isUpper(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
			return true
		}
	}
	return false
}

// hasHexColon reports whether s holds a colon between hex digits or
// colons, as every IPv6 address does.
func hasHexColon(s string) bool {
	for i := 1; i+1 < len(s); i++ {
		if s[i] == ':' && (isHex(s[i-1]) || s[i-1] == ':') && (isHex(s[i+1]) || s[i+1] == ':') {
			return true
		}
	}
	return strings.HasPrefix(s, "::")
}

// hasDottedQuad reports whether s holds four dot-separated numbers.
func hasDottedQuad(s string) bool {
	parts := 0 // numbers seen in the current dotted sequence
	inNumber := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			if !inNumber {
				inNumber = true
				if parts++; parts == 4 {
					return true
				}
			}
		case c == '.' && inNumber:
			inNumber = false
		default:
			parts, inNumber = 0, false
		}
	}
	return false
}

func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }

func isHex(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func always(s string, start, end int) int { return end - start }

// notPlaceholder keeps "Bearer [BEARER_TOKEN]" from being redacted again.
func notPlaceholder(s string, start, end int) int {
	if strings.HasPrefix(s[start:], "[") {
		return 0
	}
	return end - start
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isAlnum(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// digitPrefixes returns, for a candidate made of digits and separators,
// the byte length of each prefix that ends on a digit, keyed by how many
// digits it holds.
func digitPrefixes(s string) map[int]int {
	out := map[int]int{}
	n := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			n++
			out[n] = i + 1
		}
	}
	return out
}

func onlyDigits(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// checkCard takes the longest prefix of 13 to 19 digits that passes the
// Luhn check and starts like a card of a major network, and is not followed
// by a further digit.
func checkCard(s string, start, end int) int {
	cand := s[start:end]
	digits := onlyDigits(cand)
	lengths := digitPrefixes(cand)
	for n := min(len(digits), 19); n >= 13; n-- {
		l := lengths[n]
		if start+l < len(s) && isDigit(s[start+l]) {
			continue
		}
		if cardNetwork(digits[:n]) && luhn(digits[:n]) {
			return l
		}
	}
	return 0
}

// cardNetwork reports whether a number starts and has a length like a
// Visa, Mastercard, American Express, Discover, JCB, Diners Club or
// UnionPay card.
func cardNetwork(d string) bool {
	n := len(d)
	p2 := int(d[0]-'0')*10 + int(d[1]-'0')
	p4 := p2*100 + int(d[2]-'0')*10 + int(d[3]-'0')
	switch {
	case d[0] == '4':
		return n == 13 || n == 16 || n == 19
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720:
		return n == 16
	case p2 == 34 || p2 == 37:
		return n == 15
	case p2 == 36 || p2 == 38 || p2 == 30:
		return n >= 14 && n <= 19
	case d[0] == '6', p2 == 35:
		return n >= 16 && n <= 19
	}
	return false
}

// luhn checks the Luhn (mod 10) check digit.
func luhn(d string) bool {
	sum := 0
	double := false
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if double {
			if v *= 2; v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}

// checkIBAN takes the longest prefix of 15 to 34 characters that passes
// the ISO 13616 mod-97 check.
func checkIBAN(s string, start, end int) int {
	cand := s[start:end]
	compact := make([]byte, 0, len(cand))
	ends := make([]int, 0, len(cand)) // byte length of the prefix holding compact[:i+1]
	for i := 0; i < len(cand); i++ {
		if cand[i] != ' ' {
			compact = append(compact, cand[i])
			ends = append(ends, i+1)
		}
	}
	for n := min(len(compact), 34); n >= 15; n-- {
		l := ends[n-1]
		if start+l < len(s) && isAlnum(s[start+l]) {
			continue
		}
		if ibanValid(compact[:n]) {
			return l
		}
	}
	return 0
}

// ibanValid moves the first four characters to the end, reads letters as
// 10..35 and checks the number is 1 modulo 97.
func ibanValid(iban []byte) bool {
	rem := 0
	for i := range iban {
		c := iban[(i+4)%len(iban)]
		switch {
		case isDigit(c):
			rem = (rem*10 + int(c-'0')) % 97
		case 'A' <= c && c <= 'Z':
			rem = (rem*100 + int(c-'A') + 10) % 97
		default:
			return false
		}
	}
	return rem == 1
}

// checkSSN refuses numbers the Social Security Administration never
// issues: area 000, 666 or 900-999, group 00, serial 0000.
func checkSSN(s string, start, end int) int {
	c := s[start:end]
	area, group, serial := c[0:3], c[4:6], c[7:11]
	if area == "000" || area == "666" || area[0] == '9' || group == "00" || serial == "0000" {
		return 0
	}
	return end - start
}

// checkIntlPhone wants 8 to 15 digits (E.164) after a "+" that does not
// follow a letter or digit (arithmetic such as "2+3").
func checkIntlPhone(s string, start, end int) int {
	if start > 0 && (isAlnum(s[start-1]) || s[start-1] == ')') {
		return 0
	}
	for end > start && !isDigit(s[end-1]) && s[end-1] != ')' {
		end--
	}
	if n := len(onlyDigits(s[start:end])); n < 8 || n > 15 {
		return 0
	}
	if end < len(s) && isDigit(s[end]) {
		return 0
	}
	return end - start
}

// checkNAPhone refuses a match glued to more digits or dots (part of a
// longer number or a version string).
func checkNAPhone(s string, start, end int) int {
	if start > 0 && (isDigit(s[start-1]) || s[start-1] == '.' || s[start-1] == '-') {
		return 0
	}
	if end < len(s) && (s[end] == '-' || s[end] == '.' && end+1 < len(s) && isDigit(s[end+1])) {
		return 0
	}
	return end - start
}

// checkIPv4 wants four octets of at most 255 that stand alone: not part of
// a longer dotted sequence such as a version number.
func checkIPv4(s string, start, end int) int {
	if start > 0 && (s[start-1] == '.' || isDigit(s[start-1])) {
		return 0
	}
	if end < len(s) && s[end] == '.' && end+1 < len(s) && isDigit(s[end+1]) {
		return 0
	}
	if _, err := netip.ParseAddr(s[start:end]); err != nil {
		return 0
	}
	return end - start
}

// checkIPv6 wants a candidate that parses as an IPv6 address, stands
// alone (not inside an identifier such as Rust's std::io), and holds a
// decimal digit (so that "a::b" in code is left alone).
func checkIPv6(s string, start, end int) int {
	for end > start && s[end-1] == '.' { // the end of a sentence
		end--
	}
	if start > 0 && (isAlnum(s[start-1]) || s[start-1] == ':' || s[start-1] == '_') {
		return 0
	}
	if end < len(s) && (isAlnum(s[end]) || s[end] == '_' || s[end] == ':') {
		return 0
	}
	cand := s[start:end]
	if strings.Count(cand, ":") < 2 || strings.IndexFunc(cand, func(r rune) bool { return '0' <= r && r <= '9' }) < 0 {
		return 0
	}
	a, err := netip.ParseAddr(cand)
	if err != nil || !a.Is6() {
		return 0
	}
	return end - start
}
