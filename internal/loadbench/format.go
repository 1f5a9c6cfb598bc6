package loadbench

import (
	"fmt"
	"time"
)

// fmtDuration prints d with three significant digits in a unit that suits
// it: 850ns, 123µs, 12.3ms, 1.23s.
func fmtDuration(d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	var s string
	switch {
	case d < time.Microsecond:
		s = fmt.Sprintf("%dns", d.Nanoseconds())
	case d < time.Millisecond:
		s = sig3(float64(d)/float64(time.Microsecond), "µs")
	case d < time.Second:
		s = sig3(float64(d)/float64(time.Millisecond), "ms")
	default:
		s = sig3(d.Seconds(), "s")
	}
	if neg {
		return "-" + s
	}
	return s
}

func sig3(v float64, unit string) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f%s", v, unit)
	case v >= 10:
		return fmt.Sprintf("%.1f%s", v, unit)
	}
	return fmt.Sprintf("%.2f%s", v, unit)
}

// fmtAdded prints a difference with its sign: +119µs, -3.0µs.
func fmtAdded(d time.Duration) string {
	if d >= 0 {
		return "+" + fmtDuration(d)
	}
	return fmtDuration(d)
}

func fmtBytes(n int64) string {
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

func fmtRatio(num, den float64) string {
	if den == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", num/den)
}
