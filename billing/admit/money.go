package admit

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

const nanoPerUSD = 1_000_000_000

// ParseUSD reads a non-negative decimal amount of US dollars ("0.05",
// "12", "0.000001") exactly into nano-USD. More than nine decimal places,
// signs, exponents and amounts beyond int64 are refused: money never
// passes through a float.
func ParseUSD(s string) (int64, error) {
	s = strings.TrimSpace(s)
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && frac == "" || (hasDot && frac == "") || !digitsOnly(whole) || !digitsOnly(frac) {
		return 0, fmt.Errorf("%q is not an amount of US dollars like 0.05", s)
	}
	if len(frac) > 9 {
		return 0, fmt.Errorf("%q has more than nine decimal places (below a nano-dollar)", s)
	}
	var w int64
	if whole != "" {
		var err error
		if w, err = strconv.ParseInt(whole, 10, 64); err != nil || w > math.MaxInt64/nanoPerUSD-1 {
			return 0, fmt.Errorf("%q is too large", s)
		}
	}
	var f int64
	if frac != "" {
		f, _ = strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
	}
	return w*nanoPerUSD + f, nil
}

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// FormatUSD writes nano-USD as a decimal amount of US dollars without
// trailing zeros ("0.05", "12", "0.000000001").
func FormatUSD(nano int64) string {
	sign := ""
	if nano < 0 {
		sign, nano = "-", -nano
	}
	whole, frac := nano/nanoPerUSD, nano%nanoPerUSD
	if frac == 0 {
		return sign + strconv.FormatInt(whole, 10)
	}
	f := strings.TrimRight(fmt.Sprintf("%09d", frac), "0")
	return sign + strconv.FormatInt(whole, 10) + "." + f
}
