package llm

import (
	"errors"
	"strconv"
)

// Cost is what a request cost, as metering priced its provider attempts:
// the sum of the attempts that had ended when the answer was given (an
// attempt abandoned in a hedge race may end, and be charged, later). Money
// is in nano-USD (1 USD = 1e9).
type Cost struct {
	NanoUSD int64
	// Unpriced is set when an attempt's model had no price: its tokens are
	// recorded, but it adds nothing to NanoUSD.
	Unpriced bool
	// Estimated is set when an attempt's tokens were counted by the
	// gateway because the provider reported none (a stream cut off or
	// without usage).
	Estimated bool
}

// Add adds another attempt's (or request's) cost to c.
func (c *Cost) Add(o Cost) {
	c.NanoUSD += o.NanoUSD
	c.Unpriced = c.Unpriced || o.Unpriced
	c.Estimated = c.Estimated || o.Estimated
}

// USD formats the cost as a decimal number of US dollars with nine decimal
// places ("0.000123450"): exact, and the same width whatever the amount.
func (c Cost) USD() string { return FormatUSD(c.NanoUSD) }

// FormatUSD formats nano-USD as a decimal number of US dollars with nine
// decimal places ("0.000123450", "-1.500000000"), without floating point.
func FormatUSD(nano int64) string {
	var buf [32]byte
	return string(AppendUSD(buf[:0], nano))
}

// AppendUSD appends FormatUSD(nano) to b.
func AppendUSD(b []byte, nano int64) []byte {
	u := uint64(nano)
	if nano < 0 {
		b = append(b, '-')
		u = -u
	}
	b = strconv.AppendUint(b, u/1e9, 10)
	frac := u % 1e9
	b = append(b, '.')
	start := len(b)
	b = append(b, "000000000"...)
	for i := len(b) - 1; i >= start && frac > 0; i-- {
		b[i] = byte('0' + frac%10)
		frac /= 10
	}
	return b
}

// CostOf returns the cost a failed request carries (see RouteError.Cost):
// a request can fail after attempts that consumed tokens, such as a
// stream that broke after part of the answer was sent.
func CostOf(err error) (Cost, bool) {
	var re *RouteError
	if errors.As(err, &re) && re.Cost != nil {
		return *re.Cost, true
	}
	return Cost{}, false
}
