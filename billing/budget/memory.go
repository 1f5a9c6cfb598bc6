package budget

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Memory is the in-process Engine: the embedded default for a single
// gateway. One mutex makes each operation atomic across all its budgets.
type Memory struct {
	opts  Options
	seeds flight

	mu       sync.Mutex
	counters map[string]*memCounter
	sweepAt  time.Time
}

// memCounter is one window's spend and the live reservations held in it.
type memCounter struct {
	spent, reserved int64
	holds           map[string]memHold
	// nextDeadline is no later than the earliest hold's deadline, so purge
	// only walks the holds when one may have lapsed.
	nextDeadline time.Time
	expireAt     time.Time
}

type memHold struct {
	amount   int64
	deadline time.Time
}

// NewMemory returns an empty in-process engine.
func NewMemory(opts Options) *Memory {
	return &Memory{opts: opts.withDefaults(), counters: make(map[string]*memCounter)}
}

var _ Engine = (*Memory)(nil)

// Local reports that the engine keeps its counters in this process: a
// call takes microseconds and no round trip (but for the Seeder's query
// when a window is first used), so a caller gains nothing by running it
// concurrently with other work (billing/admit reads it).
func (m *Memory) Local() bool { return true }

// errCounterGone means a counter vanished between seeding and use (swept
// because the clock jumped past its retention); the operation starts over.
var errCounterGone = errors.New("budget: counter vanished while in use")

// Reserve implements Engine.
func (m *Memory) Reserve(ctx context.Context, budgets []Budget, amountNano int64) (Reservation, Decision, error) {
	rq, err := m.opts.prepareReserve(budgets, amountNano)
	if err != nil || len(budgets) == 0 {
		return Reservation{}, Decision{Allowed: err == nil}, err
	}
	now, windows, id, deadline := rq.now, rq.windows, rq.id, rq.deadline
	var decision Decision
	err = m.locked(ctx, windows, func(counters []*memCounter) {
		decision = Decision{}
		for i, c := range counters {
			c.purge(now)
			if fits(budgets[i], c.spent, c.reserved, amountNano) {
				continue
			}
			u := usage(budgets[i], windows[i], c.spent, c.reserved)
			if budgets[i].refuses() {
				decision.Refused, decision.Over = &u, nil
				return
			}
			decision.Over = append(decision.Over, u)
		}
		decision.Allowed = true
		for _, c := range counters {
			c.hold(id, amountNano, deadline)
		}
	})
	if err != nil || !decision.Allowed {
		return Reservation{}, decision, err
	}
	return Reservation{ID: id, AmountNano: amountNano, Deadline: deadline, windows: windows}, decision, nil
}

// Settle implements Engine.
func (m *Memory) Settle(ctx context.Context, res Reservation, actualNano int64) error {
	if err := checkAmount(actualNano); err != nil {
		return err
	}
	windows := open(res.windows, m.opts.now())
	return m.locked(ctx, windows, func(counters []*memCounter) {
		for _, c := range counters {
			c.release(res.ID)
			c.spent += actualNano
		}
	})
}

// Charge implements Engine.
func (m *Memory) Charge(ctx context.Context, budgets []Budget, amountNano int64) error {
	if err := checkAmount(amountNano); err != nil {
		return err
	}
	windows, err := validate(budgets, m.opts.now())
	if err != nil {
		return err
	}
	return m.locked(ctx, windows, func(counters []*memCounter) {
		for _, c := range counters {
			c.spent += amountNano
		}
	})
}

// Status implements Engine.
func (m *Memory) Status(ctx context.Context, budgets []Budget) ([]Usage, error) {
	now := m.opts.now()
	windows, err := validate(budgets, now)
	if err != nil {
		return nil, err
	}
	out := make([]Usage, len(budgets))
	err = m.locked(ctx, windows, func(counters []*memCounter) {
		for i, c := range counters {
			c.purge(now)
			out[i] = usage(budgets[i], windows[i], c.spent, c.reserved)
		}
	})
	return out, err
}

// locked seeds any missing counter of windows, then runs fn with all of
// them under the engine's lock.
func (m *Memory) locked(ctx context.Context, windows []window, fn func([]*memCounter)) error {
	for attempt := 0; attempt < 3; attempt++ {
		if err := m.ensure(ctx, windows); err != nil {
			return err
		}
		m.mu.Lock()
		counters := make([]*memCounter, len(windows))
		complete := true
		for i, w := range windows {
			if counters[i] = m.counters[w.name()]; counters[i] == nil {
				complete = false
				break
			}
		}
		if complete {
			fn(counters)
		}
		m.mu.Unlock()
		if complete {
			return nil
		}
	}
	return errCounterGone
}

// ensure creates every missing counter, seeded once: the Seeder runs
// outside the lock (it queries a database) and its result is stored only
// if nobody stored one meanwhile.
func (m *Memory) ensure(ctx context.Context, windows []window) error {
	for _, w := range windows {
		name := w.name()
		if m.exists(name) {
			continue
		}
		err := m.seeds.do(ctx, name, func(ctx context.Context) error {
			if m.exists(name) {
				return nil
			}
			spent, err := m.opts.seed(ctx, w)
			if err != nil {
				return err
			}
			m.mu.Lock()
			defer m.mu.Unlock()
			if m.counters[name] == nil {
				m.sweep(m.opts.now())
				m.counters[name] = &memCounter{spent: spent, expireAt: w.expireAt()}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (m *Memory) exists(name string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.counters[name] != nil
}

// sweep drops counters past their retention, at most hourly. Called with
// m.mu held, when a counter is created (which is when old ones pile up).
func (m *Memory) sweep(now time.Time) {
	if now.Before(m.sweepAt) {
		return
	}
	m.sweepAt = now.Add(time.Hour)
	for name, c := range m.counters {
		if !c.expireAt.IsZero() && !now.Before(c.expireAt) {
			delete(m.counters, name)
		}
	}
}

func (c *memCounter) hold(id string, amount int64, deadline time.Time) {
	if c.holds == nil {
		c.holds = make(map[string]memHold)
	}
	c.holds[id] = memHold{amount: amount, deadline: deadline}
	c.reserved += amount
	if c.nextDeadline.IsZero() || deadline.Before(c.nextDeadline) {
		c.nextDeadline = deadline
	}
}

func (c *memCounter) release(id string) {
	if h, ok := c.holds[id]; ok {
		delete(c.holds, id)
		c.reserved -= h.amount
	}
}

// purge releases the holds whose deadline has passed: their gateway never
// settled them.
func (c *memCounter) purge(now time.Time) {
	if c.nextDeadline.IsZero() || now.Before(c.nextDeadline) {
		return
	}
	c.nextDeadline = time.Time{}
	for id, h := range c.holds {
		if !now.Before(h.deadline) {
			delete(c.holds, id)
			c.reserved -= h.amount
			continue
		}
		if c.nextDeadline.IsZero() || h.deadline.Before(c.nextDeadline) {
			c.nextDeadline = h.deadline
		}
	}
}

// open drops the windows whose counters are past retention at now.
func open(windows []window, now time.Time) []window {
	out := windows[:0:0]
	for _, w := range windows {
		if !w.closed(now) {
			out = append(out, w)
		}
	}
	return out
}

func newReservationID() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("budget: reservation id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
