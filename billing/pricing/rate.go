package pricing

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Rate is a price in micro-USD per million tokens, which is the same number
// as nano-USD per thousand tokens: "$2.50 per million tokens" is Rate
// 2_500_000. Six decimal places of a dollar per million tokens are exact;
// prices are never held in floating point.
type Rate int64

// rateScale is the number of Rate units in one USD per million tokens.
const rateScale = 1_000_000

// rateDecimals is the number of decimal places a Rate holds exactly.
const rateDecimals = 6

// maxRateDollars bounds the integer part of a price ($1e9 per million
// tokens), far above any real price, so that a price times any token count
// the cost engine sees stays within its 128-bit arithmetic.
const maxRateDollars = 1_000_000_000

// ParseRate parses a non-negative decimal number of US dollars per million
// tokens ("2.5", "0.075", "15") exactly. It rejects signs, exponents,
// separators, and more than six significant decimal places (below a
// micro-dollar per million tokens).
func ParseRate(s string) (Rate, error) {
	orig := s
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("is empty (want a decimal number of US dollars per million tokens, such as 2.50)")
	}
	if s[0] == '-' {
		return 0, fmt.Errorf("%q is negative (want a price of zero or more)", orig)
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || !allDigits(intPart) || (hasDot && (frac == "" || !allDigits(frac))) {
		return 0, fmt.Errorf("%q is not a decimal number (want digits with an optional decimal point, such as 2.50)", orig)
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > rateDecimals {
		return 0, fmt.Errorf("%q has more than %d decimal places (the finest price is 0.000001 USD per million tokens)", orig, rateDecimals)
	}
	intPart = strings.TrimLeft(intPart, "0")
	var whole int64
	if intPart != "" {
		var err error
		whole, err = strconv.ParseInt(intPart, 10, 64)
		if err != nil || whole > maxRateDollars {
			return 0, fmt.Errorf("%q is too large (at most %d USD per million tokens)", orig, maxRateDollars)
		}
	}
	var micros int64
	if frac != "" {
		micros, _ = strconv.ParseInt(frac+strings.Repeat("0", rateDecimals-len(frac)), 10, 64)
	}
	return Rate(whole*rateScale + micros), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String formats r as a decimal number of US dollars per million tokens,
// without trailing zeros ("2.5", "0.075", "15").
func (r Rate) String() string {
	if r < 0 {
		return "-" + (-r).String()
	}
	whole, micros := int64(r)/rateScale, int64(r)%rateScale
	if micros == 0 {
		return strconv.FormatInt(whole, 10)
	}
	frac := strings.TrimRight(fmt.Sprintf("%06d", micros), "0")
	return strconv.FormatInt(whole, 10) + "." + frac
}

// USDPerMTok is r in US dollars per million tokens as a float, for
// routing heuristics (the lowest-cost strategy) only: money is never
// computed from it.
func (r Rate) USDPerMTok() float64 { return float64(r) / rateScale }

// Decimal is a price as written in YAML: the scalar's text, taken as is,
// whether it was quoted ("2.50") or not (2.50), so that it never passes
// through a float. ParseRate turns it into a Rate.
type Decimal string

// UnmarshalYAML keeps the scalar's text. A value that is not a scalar
// number or string is a *yaml.TypeError ("line N: ..."), so that decoders
// can name the field at that line.
func (d *Decimal) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return typeError(n, "want a decimal number of US dollars per million tokens, got a %s", nodeKind(n))
	}
	if n.Tag == "!!bool" || n.Tag == "!!null" {
		return typeError(n, "want a decimal number of US dollars per million tokens, got %q", n.Value)
	}
	*d = Decimal(n.Value)
	return nil
}

func typeError(n *yaml.Node, format string, args ...any) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: ", n.Line) + fmt.Sprintf(format, args...)}}
}

// scalarText is a YAML scalar's text, whatever its implicit type (a date
// is read as written, not as a timestamp).
type scalarText string

func (t *scalarText) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return typeError(n, "want a scalar, got a %s", nodeKind(n))
	}
	*t = scalarText(n.Value)
	return nil
}

// Rate parses d; an empty Decimal is not set.
func (d Decimal) Rate() (Rate, bool, error) {
	if d == "" {
		return 0, false, nil
	}
	r, err := ParseRate(string(d))
	return r, err == nil, err
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.AliasNode:
		return "alias"
	}
	return "document"
}
