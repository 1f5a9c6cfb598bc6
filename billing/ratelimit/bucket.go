package ratelimit

import "time"

// The arithmetic both implementations share (the Redis one in Lua,
// check.lua, adjust.lua and peek.lua, line for line). A limit of L per minute is a
// leaky bucket in integer units: one request or token is window units, the
// bucket holds L*window, and it drains L units per millisecond, so a full
// bucket empties in exactly one minute. This is GCRA: the level is the
// theoretical arrival time's lead over now, scaled by L. Integers keep it
// exact for any L (60s/L need not be a whole number of anything), and
// milliseconds keep every value far below 2^53.
const (
	window   = 60_000  // milliseconds in the period of a limit
	maxLevel = 1 << 52 // a debt beyond this is not recorded (Lua's numbers are exact below 2^53)
)

// drain returns the level of a bucket that held level at time at (ms),
// now (ms), for a limit of rate per minute. A clock that went backwards
// (a Redis failover to a server whose clock is behind) drains nothing.
func drain(level, at, now, rate int64) int64 {
	if now <= at {
		return level
	}
	elapsed := now - at
	if elapsed >= ceilDiv(level, rate) {
		return 0
	}
	return level - elapsed*rate
}

// units is what a check costs a limit: one request, or the tokens.
func units(l Limit, tokens int64) int64 {
	if l.Kind == RPM {
		return window
	}
	return tokens * window
}

// fits reports whether cost units fit in a bucket at level.
func fits(l Limit, level, cost int64) bool { return level+cost <= l.PerMinute*window }

// addLevel adds delta units to level, within [0, maxLevel].
func addLevel(level, delta int64) int64 {
	return min(max(level+delta, 0), maxLevel)
}

// decide builds the Decision of a check from each limit's level: after
// the charge when allowed, as found when rejected (nothing was charged).
func decide(limits []Limit, tokens int64, levels []int64, allowed bool) Decision {
	d := Decision{Allowed: allowed, Statuses: make([]Status, len(limits))}
	for i, l := range limits {
		level, cost, capacity := levels[i], units(l, tokens), l.PerMinute*window
		s := Status{
			Limit:     l,
			Requested: cost / window,
			Remaining: min(max((capacity-level)/window, 0), l.PerMinute),
			Reset:     millis(ceilDiv(level, l.PerMinute)),
		}
		if !allowed && level+cost > capacity {
			s.Exceeded = true
			if cost > capacity {
				s.TooLarge = true
			} else {
				s.RetryAfter = millis(ceilDiv(level+cost-capacity, l.PerMinute))
			}
		}
		d.Statuses[i] = s
	}
	if !allowed {
		if r, ok := d.Rejection(); ok {
			d.RetryAfter = r.RetryAfter
		}
	}
	return d
}

// peeked builds the Decision of a Peek from each limit's level as found:
// the Decision a Check of zero tokens would return (Allowed when one more
// request would be admitted, and Exceeded and RetryAfter on the limits
// that would refuse it) with nothing charged, so that Remaining and Reset
// are where the limits stand now.
func peeked(limits []Limit, levels []int64) Decision {
	allowed := true
	for i, l := range limits {
		if !fits(l, levels[i], units(l, 0)) {
			allowed = false
		}
	}
	return decide(limits, 0, levels, allowed)
}

func ceilDiv(a, b int64) int64 {
	if a <= 0 {
		return 0
	}
	return (a + b - 1) / b
}

func millis(ms int64) time.Duration { return time.Duration(ms) * time.Millisecond }
