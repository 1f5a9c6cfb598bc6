package meter

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-gw/switchboard/billing/ledger"
	"github.com/switchboard-gw/switchboard/llm"
)

// RecordSink takes spend records off the request path: *ledger.Writer.
// Enqueue must not wait for a database.
type RecordSink interface {
	Enqueue(r ledger.Record) error
}

// CostSink is told each charged attempt, on the goroutine that ended it,
// with the request's context (the Call, telemetry's record, a budget's
// reservation are in it). It must be quick, and must not keep a after it
// returns.
type CostSink func(ctx context.Context, a *llm.Attempt, c Charge)

// Options configures New.
type Options struct {
	// Records receives a spend record per charged attempt; nil: none are
	// kept (the charges still reach the Call and the cost sinks).
	Records RecordSink
	// Pricer prices attempts (SetPricer replaces it on a configuration
	// reload); nil: every attempt is unpriced.
	Pricer Pricer
	// CostSinks are told each charged attempt (see AddCostSink).
	CostSinks []CostSink
	// Logger receives the records that could not be kept; slog.Default()
	// when nil.
	Logger *slog.Logger
}

// Meter prices attempts and records them. It is safe for concurrent use.
type Meter struct {
	records RecordSink
	log     *slog.Logger
	pricer  atomic.Pointer[pricerBox]
	sinksMu sync.Mutex
	sinks   atomic.Pointer[[]CostSink]

	charged, unpriced, estimated, lost, unattributed atomic.Int64
	lastLog                                          atomic.Int64 // unix nanos of the last failure logged
}

type pricerBox struct{ Pricer }

// New returns a Meter.
func New(o Options) *Meter {
	m := &Meter{records: o.Records, log: o.Logger}
	if m.log == nil {
		m.log = slog.Default()
	}
	m.SetPricer(o.Pricer)
	sinks := append([]CostSink(nil), o.CostSinks...)
	m.sinks.Store(&sinks)
	return m
}

// SetPricer replaces the Pricer (a configuration reload): attempts that
// end from now on are priced by p.
func (m *Meter) SetPricer(p Pricer) {
	m.pricer.Store(&pricerBox{p})
}

// AddCostSink adds a sink told every charged attempt from now on.
func (m *Meter) AddCostSink(s CostSink) {
	m.sinksMu.Lock()
	defer m.sinksMu.Unlock()
	next := append(append([]CostSink(nil), *m.sinks.Load()...), s)
	m.sinks.Store(&next)
}

// CostOf prices one attempt with the current Pricer, as Observe would
// charge it: zero for an attempt that is not Chargeable.
func (m *Meter) CostOf(a *llm.Attempt) Charge {
	if !Chargeable(a) {
		return Charge{}
	}
	return price(m.pricer.Load().Pricer, a)
}

// Observe charges an attempt that ended: it is the router's Observer. A
// chargeable attempt is priced, recorded (keyed by the request id of the
// Call in ctx and a.Number), added to the Call's cost, and told to the
// cost sinks. It never blocks: the record joins the sink's queue.
func (m *Meter) Observe(ctx context.Context, a llm.Attempt) {
	if !Chargeable(&a) {
		return
	}
	c := price(m.pricer.Load().Pricer, &a)
	m.charged.Add(1)
	if c.Unpriced {
		m.unpriced.Add(1)
	}
	if c.Estimated {
		m.estimated.Add(1)
	}
	call := CallFrom(ctx)
	if call == nil {
		// The router was called without Begin (embedding the router
		// directly): the attempt is priced but has no request to be kept
		// under unless the transport named one.
		id := llm.RequestIDFrom(ctx)
		if id == "" {
			m.unattributed.Add(1)
		} else {
			m.record(Record(&Call{RequestID: id}, &a, c))
		}
	} else {
		m.record(Record(call, &a, c))
		call.add(c)
	}
	for _, s := range *m.sinks.Load() {
		s(ctx, &a, c)
	}
}

// Record is the spend record of attempt a of call, charged c.
func Record(call *Call, a *llm.Attempt, c Charge) ledger.Record {
	return ledger.Record{
		RequestID:      call.RequestID,
		Attempt:        a.Number,
		Time:           a.Start,
		KeyID:          call.KeyID,
		TeamID:         call.TeamID,
		UserID:         call.UserID,
		EndUser:        call.EndUser,
		Alias:          a.Alias,
		Deployment:     a.Deployment,
		Provider:       a.Provider,
		Model:          a.Model,
		Reason:         a.Reason,
		Outcome:        a.Outcome,
		Stream:         call.Stream,
		Usage:          a.Usage,
		Estimated:      c.Estimated,
		Unpriced:       c.Unpriced,
		CostNanoUSD:    c.NanoUSD,
		PricingVersion: c.PricingVersion,
	}
}

func (m *Meter) record(r ledger.Record) {
	if m.records == nil {
		return
	}
	if err := m.records.Enqueue(r); err != nil {
		m.lost.Add(1)
		// At most one line a second: a failing disk must not flood the log.
		now := time.Now().UnixNano()
		if last := m.lastLog.Load(); now-last >= int64(time.Second) && m.lastLog.CompareAndSwap(last, now) {
			m.log.Error("metering: a spend record could not be kept", "request_id", r.RequestID, "attempt", r.Attempt,
				"lost_so_far", m.lost.Load(), "error", err)
		}
	}
}

// Stats are the Meter's counters.
type Stats struct {
	// Charged counts the attempts charged; Unpriced and Estimated those
	// flagged so.
	Charged, Unpriced, Estimated int64
	// Lost counts records the sink refused (see ledger.Writer.Enqueue);
	// Unattributed, charged attempts of requests without an id.
	Lost, Unattributed int64
}

// Stats returns the counters.
func (m *Meter) Stats() Stats {
	return Stats{Charged: m.charged.Load(), Unpriced: m.unpriced.Load(), Estimated: m.estimated.Load(),
		Lost: m.lost.Load(), Unattributed: m.unattributed.Load()}
}
