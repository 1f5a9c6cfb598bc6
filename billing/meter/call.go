package meter

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"strconv"
	"sync/atomic"

	"github.com/switchboard-gw/switchboard/llm"
)

// Caller is who made a request, as the ledger attributes it.
type Caller struct {
	// KeyID, TeamID and UserID are the virtual key's principal.
	KeyID, TeamID, UserID string
	// EndUser is the end user the caller named (llm.Request.User).
	EndUser string
	// Stream is set for streamed completions.
	Stream bool
}

// Call is one request being metered: who made it, its id, and what its
// attempts have cost so far. It is safe for concurrent use (hedged
// attempts end on their own goroutines).
type Call struct {
	// RequestID keys the request's spend records.
	RequestID string
	Caller

	nanoUSD atomic.Int64
	flags   atomic.Uint32
	charged atomic.Int32
}

const (
	flagUnpriced uint32 = 1 << iota
	flagEstimated
)

// Cost is the sum of the charges so far.
func (c *Call) Cost() llm.Cost {
	if c == nil {
		return llm.Cost{}
	}
	f := c.flags.Load()
	return llm.Cost{NanoUSD: c.nanoUSD.Load(), Unpriced: f&flagUnpriced != 0, Estimated: f&flagEstimated != 0}
}

// Charged reports whether any attempt has been charged.
func (c *Call) Charged() bool { return c != nil && c.charged.Load() > 0 }

func (c *Call) add(ch Charge) {
	c.nanoUSD.Add(ch.NanoUSD)
	var f uint32
	if ch.Unpriced {
		f |= flagUnpriced
	}
	if ch.Estimated {
		f |= flagEstimated
	}
	if f != 0 {
		c.flags.Or(f)
	}
	c.charged.Add(1)
}

type callKey struct{}

// callContext carries a Call in the context it is allocated with: one
// allocation per request instead of two (context.WithValue's and the
// Call's).
type callContext struct {
	context.Context
	call Call
}

func (c *callContext) Value(key any) any {
	if _, ok := key.(callKey); ok {
		return &c.call
	}
	return c.Context.Value(key)
}

func (c *callContext) String() string { return "meter.Call(" + c.call.RequestID + ")" }

// Begin starts metering a request: it returns ctx carrying a new Call for
// caller, keyed by the request id in ctx (llm.RequestIDFrom), or by a new
// one when the transport gave none.
func Begin(ctx context.Context, caller Caller) (context.Context, *Call) {
	cc := &callContext{Context: ctx}
	cc.call.Caller = caller
	if cc.call.RequestID = llm.RequestIDFrom(ctx); cc.call.RequestID == "" {
		cc.call.RequestID = NewRequestID()
	}
	return cc, &cc.call
}

// CallFrom returns the Call in ctx, or nil.
func CallFrom(ctx context.Context) *Call {
	c, _ := ctx.Value(callKey{}).(*Call)
	return c
}

// Request ids for requests that reached the gateway without one (embedded
// use, tests): a random per-process prefix and a counter, like the
// server's.
var (
	idPrefix  = newIDPrefix()
	idCounter atomic.Uint64
)

func newIDPrefix() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "gw_" + base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])[:12]
}

// NewRequestID returns a fresh request id.
func NewRequestID() string {
	return idPrefix + strconv.FormatUint(idCounter.Add(1), 36)
}
