package budget

import (
	"fmt"
	"time"
)

// Window is the period a budget's limit applies to. Daily and Monthly
// windows are calendar periods in UTC.
type Window string

// Windows.
const (
	Daily    Window = "daily"
	Monthly  Window = "monthly"
	Lifetime Window = "lifetime"
)

// Bounds returns the window containing now: [start, end) in UTC. A Lifetime
// window has zero bounds.
func (w Window) Bounds(now time.Time) (start, end time.Time, err error) {
	now = now.UTC()
	switch w {
	case Daily:
		start = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
		return start, start.AddDate(0, 0, 1), nil
	case Monthly:
		start = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
		return start, start.AddDate(0, 1, 0), nil
	case Lifetime:
		return time.Time{}, time.Time{}, nil
	}
	return time.Time{}, time.Time{}, fmt.Errorf("%w: unknown window %q: want daily, monthly or lifetime", ErrInvalid, string(w))
}

// counterRetention is how long a closed window's counters are kept after it
// ends, so that late settlements of requests that started in it still find
// them (and gateways whose clocks lag a little still see the same counter).
const counterRetention = 24 * time.Hour

// window is one concrete counter: a scope's spend in one period.
type window struct {
	scope      string
	id         string    // "d20250314", "m202503", "life"
	start, end time.Time // zero for lifetime
}

func current(scope string, w Window, now time.Time) (window, error) {
	start, end, err := w.Bounds(now)
	if err != nil {
		return window{}, err
	}
	id := "life"
	switch w {
	case Daily:
		id = start.Format("d20060102")
	case Monthly:
		id = start.Format("m200601")
	}
	return window{scope: scope, id: id, start: start, end: end}, nil
}

// name identifies the counter within an engine.
func (w window) name() string { return w.scope + "\x00" + w.id }

// expireAt is when the counter may be dropped; zero means never.
func (w window) expireAt() time.Time {
	if w.end.IsZero() {
		return time.Time{}
	}
	return w.end.Add(counterRetention)
}

// closed reports whether the counter's retention has passed at now: writing
// to it would only recreate a counter nobody will read again.
func (w window) closed(now time.Time) bool {
	exp := w.expireAt()
	return !exp.IsZero() && !now.Before(exp)
}
