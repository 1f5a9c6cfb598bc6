package admit

import (
	"context"
	"errors"
	"io"
	"sync"

	"github.com/switchboard-gw/switchboard/billing/budget"
	"github.com/switchboard-gw/switchboard/billing/idempotency"
	"github.com/switchboard-gw/switchboard/billing/ratelimit"
	"github.com/switchboard-gw/switchboard/llm"
)

// Ticket is an admitted request: what it holds (a reservation, rate-limit
// tokens, an idempotency key) until Finish, and the cost of its attempts
// as they end (Controller.ObserveCost).
type Ticket struct {
	c      *Controller
	caller Caller
	notes  *Notes
	// asked is the model the request named; model the alias to route to
	// (a downgrade target).
	asked, model string
	// estimate is the tokens charged to TPM limits at admission.
	estimate int64
	// rates are the key's, team's and user's limits charged (nil when
	// none, or when the limiter failed open).
	rates []ratelimit.Limit
	// budgets and reservation: the money held.
	budgets     []budget.Budget
	reservation budget.Reservation
	reserved    bool
	// reservedAmount is the worst case reserved (or asked for).
	reservedAmount int64
	// idem is the idempotency key this request holds (Started); replay
	// the stored result to answer with instead.
	idem    idempotency.Outcome
	hasIdem bool
	replay  *storedResult

	mu       sync.Mutex
	finished bool
	cost     int64 // nano-USD of the attempts ended so far
	tokens   int64 // tokens of the attempts ended so far
	// deployments are the deployments admitted by AdmitDeployment whose
	// TPM was charged the estimate and not adjusted yet.
	deployments []deploymentCharge
}

type deploymentCharge struct {
	name   string
	limits []ratelimit.Limit
}

type ticketKey struct{}

// Context returns ctx carrying t, for the router's observer
// (Controller.ObserveCost) and deployment gate (Controller.AdmitDeployment).
func (t *Ticket) Context(ctx context.Context) context.Context {
	if t == nil {
		return ctx
	}
	return context.WithValue(ctx, ticketKey{}, t)
}

// TicketFrom returns the ticket in ctx, or nil.
func TicketFrom(ctx context.Context) *Ticket {
	t, _ := ctx.Value(ticketKey{}).(*Ticket)
	return t
}

// Model is the alias to route the request to: the one asked for, or the
// cheaper alias a downgrade budget chose.
func (t *Ticket) Model() string { return t.model }

// Request returns req addressed to Model (req itself when unchanged; a
// shallow copy otherwise).
func (t *Ticket) Request(req *llm.Request) *llm.Request {
	if t == nil || req.Model == t.model {
		return req
	}
	out := *req
	out.Model = t.model
	return &out
}

// Replayed reports whether the request is answered from the stored result
// of an earlier one with the same idempotency key: Replay or ReplayStream
// give it, and nothing is to be routed or finished.
func (t *Ticket) Replayed() bool { return t != nil && t.replay != nil }

// ObserveCost is told each attempt that consumed tokens, with what
// metering charged for it (nano-USD), on the goroutine that ended it and
// with the request's context (billing/meter's cost sink): the cost and
// tokens are added to the request's ticket, found in ctx, so that Finish
// settles exactly what the spend ledger records. An attempt that ends
// after its request was finished (a hedge abandoned while still running)
// is charged to the budgets and the rate limits directly.
func (c *Controller) ObserveCost(ctx context.Context, a *llm.Attempt, cost int64) {
	t := TicketFrom(ctx)
	if t == nil || t.c != c {
		return
	}
	tokens := a.Usage.TotalTokens()
	t.mu.Lock()
	var dep *deploymentCharge
	for i := range t.deployments {
		if t.deployments[i].name == a.Deployment {
			d := t.deployments[i]
			dep = &d
			t.deployments = append(t.deployments[:i], t.deployments[i+1:]...)
			break
		}
	}
	late := t.finished
	if !late {
		t.cost += cost
		t.tokens += tokens
	}
	t.mu.Unlock()
	if dep != nil && c.o.Limiter != nil && tokens != t.estimate {
		c.adjust(dep.limits, tokens-t.estimate)
	}
	if !late {
		return
	}
	if cost > 0 && t.reserved && c.o.Budgets != nil {
		budgets := t.budgets
		c.offPath(c.localBudgets, func(ctx context.Context) { _ = c.o.Budgets.Charge(ctx, budgets, cost) })
	}
	if tokens > 0 && len(t.rates) > 0 && c.o.Limiter != nil {
		c.adjust(t.rates, tokens)
	}
}

// adjust corrects rates by delta tokens, off the request path.
func (c *Controller) adjust(rates []ratelimit.Limit, delta int64) {
	c.offPath(c.localLimiter, func(ctx context.Context) { _ = c.o.Limiter.Adjust(ctx, rates, delta) })
}

// offPath runs f, a call the request need not wait for, bounded in time:
// on a goroutine of its own when it makes a round trip, at once when its
// engine is local (microseconds, less than the hand-off would cost).
func (c *Controller) offPath(local bool, f func(ctx context.Context)) {
	if local {
		ctx, cancel := context.WithTimeout(context.Background(), asyncTimeout)
		defer cancel()
		f(ctx)
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), asyncTimeout)
		defer cancel()
		f(ctx)
	}()
}

// Finish ends an admitted unary request with its answer or error: the
// reservation is settled to the actual cost of every attempt, the TPM
// limits are corrected from the estimate to the actual tokens, and the
// idempotency key stores the result (an answer, or an error the same
// request would get again) or is freed for a retry. Finish is called once;
// later calls do nothing.
func (t *Ticket) Finish(ctx context.Context, resp *llm.Response, err error) {
	t.finish(ctx, func() []byte {
		if err != nil {
			return encodeError(err)
		}
		return encodeResponse(resp)
	}, err)
}

// FinishEmbed ends an admitted embeddings request.
func (t *Ticket) FinishEmbed(ctx context.Context, err error) { t.finish(ctx, nil, err) }

func (t *Ticket) finish(ctx context.Context, result func() []byte, err error) {
	if t == nil {
		return
	}
	t.mu.Lock()
	if t.finished {
		t.mu.Unlock()
		return
	}
	t.finished = true
	cost, tokens := t.cost, t.tokens
	t.mu.Unlock()
	c := t.c
	ctx = context.WithoutCancel(ctx)
	// The TPM correction, from the estimate to the actual tokens.
	var rates []ratelimit.Limit
	var delta int64
	if len(t.rates) > 0 && tokens != t.estimate {
		rates, delta = t.rates, tokens-t.estimate
	}
	if t.reserved {
		// After the answer is out (llm.AfterAnswer): settling is a round
		// trip to the budgets' store that the client need not wait for.
		// Until it lands the hold stays at the worst case, so nothing can
		// overspend meanwhile, and a request refused only because of such
		// holds waits briefly for them (awaitHolds), so a client's next
		// request, on any instance, sees the money the difference freed.
		// A failed settlement leaves
		// the hold to lapse (ReservationTTL) and the spend unrecorded in the
		// counters; the ledger still has it, and re-seeds a lost counter.
		// With Options.Combined the TPM correction travels with it.
		combined := c.o.Combined != nil && rates != nil
		settleRates, settleDelta := rates, delta
		if combined {
			rates = nil
		}
		llm.AfterAnswer(ctx, func() {
			var serr error
			if combined {
				serr = c.settleAndAdjust(ctx, t, cost, settleRates, settleDelta)
			} else {
				sctx, cancel := context.WithTimeout(ctx, c.o.Timeout)
				serr = c.o.Budgets.Settle(sctx, t.reservation, cost)
				cancel()
			}
			if serr != nil {
				c.o.Logger.WarnContext(ctx, "limits: settling a budget reservation failed", "error", serr)
			}
		})
	}
	if rates != nil {
		c.adjust(rates, delta)
	}
	if t.hasIdem {
		// Before the answer: a retry the client sends as soon as it has
		// the answer must find the result stored.
		if result != nil && (err == nil || replayable(err)) {
			if cerr := t.idem.Complete(ctx, result()); cerr != nil && !errors.Is(cerr, idempotency.ErrNotStarted) {
				c.o.Logger.WarnContext(ctx, "limits: storing an idempotent result failed", "error", cerr)
			}
		} else {
			_ = t.idem.Abandon(ctx)
		}
	}
}

// refundTokens gives back the TPM estimate of a request refused after its
// rate limits admitted it (by a budget): it consumed none.
func (t *Ticket) refundTokens() {
	if len(t.rates) == 0 || t.estimate == 0 {
		return
	}
	rates := t.rates
	t.rates = nil
	t.c.adjust(rates, -t.estimate)
}

// isLocal reports whether engine says it keeps its state in this process.
func isLocal(engine any) bool {
	l, ok := engine.(interface{ Local() bool })
	return ok && l.Local()
}

// Stream wraps an admitted request's stream so that it finishes the ticket
// when it ends: at its end (settled, and stored for the idempotency key
// as the accumulated response), on an error, or on Close (a client that
// went away: settled, key freed).
func (t *Ticket) Stream(ctx context.Context, s llm.Stream) llm.Stream {
	if t == nil {
		return s
	}
	ts := &ticketStream{t: t, ctx: ctx, s: s}
	if t.hasIdem {
		ts.acc = &llm.Accumulator{}
	}
	return ts
}

type ticketStream struct {
	t   *Ticket
	ctx context.Context
	s   llm.Stream
	acc *llm.Accumulator
}

func (s *ticketStream) Recv() (llm.Chunk, error) {
	c, err := s.s.Recv()
	switch {
	case err == nil:
		if s.acc != nil {
			s.acc.Add(c)
		}
	case errors.Is(err, io.EOF):
		var result func() []byte
		if s.acc != nil {
			result = func() []byte { return encodeResponse(s.acc.Response()) }
		}
		s.t.finish(s.ctx, result, nil)
	default:
		s.t.finish(s.ctx, nil, err)
	}
	return c, err
}

// Close closes the stream first, so that its attempt ends (and is
// observed) before the ticket settles.
func (s *ticketStream) Close() error {
	err := s.s.Close()
	s.t.finish(s.ctx, nil, llm.AsError(context.Canceled))
	return err
}

// Buffered forwards llm.Buffered.
func (s *ticketStream) Buffered() bool { return llm.IsBuffered(s.s) }
