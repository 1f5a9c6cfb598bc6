package sim

import (
	"sync/atomic"
	"time"
)

// Fault is what the simulator does differently from a healthy model for one
// request: fail with a status, break the stream, slow down, or force parts of
// the answer. The zero Fault changes nothing. Faults come from the server's
// FaultRules, the X-Sim-Fault header and [[sim ...]] directives in the last
// user message (see doc.go for the grammar); ParseFault reads the same
// grammar.
type Fault struct {
	// Status, when non-zero, answers with this HTTP status and the body the
	// real API sends for it, before any generation.
	Status int
	// Code picks a variant of the status's error (400 context_length_exceeded,
	// 429 insufficient_quota, ...). Empty means the usual error of Status.
	Code string
	// RetryAfter is sent as Retry-After on an error response.
	RetryAfter time.Duration

	// Disconnect cuts the connection abruptly after DisconnectAfter stream
	// chunks (no [DONE]); a unary request is cut before any response byte.
	Disconnect      bool
	DisconnectAfter int
	// Malformed sends, after MalformedAfter good chunks, a chunk that is not
	// valid JSON, then carries on; a unary response body is truncated.
	Malformed      bool
	MalformedAfter int
	// StreamError sends, after ErrorAfter chunks, an error event inside the
	// 200 stream (as the real API does for failures mid-generation) and ends
	// the stream without [DONE].
	StreamError bool
	ErrorAfter  int

	// Latency, TTFT and InterChunkDelay replace the server's Options for this
	// request when non-zero.
	Latency         time.Duration
	TTFT            time.Duration
	InterChunkDelay time.Duration

	// Reply, when set, is the exact content of every text answer (tool calls
	// are not affected); stop sequences and max_tokens still apply to it.
	Reply *string
	// ReasoningTokens is the number of reasoning tokens each choice reports
	// having spent; they count in completion tokens and in max_tokens.
	ReasoningTokens int64
	// CachedTokens is the number of prompt tokens reported as read from the
	// prompt cache (at most the prompt's size).
	CachedTokens int64
	// CacheWriteTokens is the number of prompt tokens reported as written to
	// the prompt cache (at most the prompt's size less the cached tokens).
	CacheWriteTokens int64

	// ContentFilter is what a provider's content filter does to the request:
	// FilterPrompt rejects it (a 400 with code content_filter, which the
	// Azure dialect answers with Azure's content-filter error), FilterOutput
	// cuts each text answer halfway with finish reason content_filter.
	ContentFilter string
}

// Content filter settings (Fault.ContentFilter).
const (
	FilterPrompt = "prompt"
	FilterOutput = "output"
)

// FaultRule applies Fault to a random share of requests, for chaos tests.
type FaultRule struct {
	// Probability is the chance, from 0 to 1, that a request gets Fault.
	Probability float64
	Fault       Fault
}

// merge overrides f's fields with the ones o sets.
func (f *Fault) merge(o *Fault) {
	if o.Status != 0 {
		f.Status = o.Status
	}
	if o.Code != "" {
		f.Code = o.Code
	}
	if o.RetryAfter != 0 {
		f.RetryAfter = o.RetryAfter
	}
	if o.Disconnect {
		f.Disconnect, f.DisconnectAfter = true, o.DisconnectAfter
	}
	if o.Malformed {
		f.Malformed, f.MalformedAfter = true, o.MalformedAfter
	}
	if o.StreamError {
		f.StreamError, f.ErrorAfter = true, o.ErrorAfter
	}
	if o.Latency != 0 {
		f.Latency = o.Latency
	}
	if o.TTFT != 0 {
		f.TTFT = o.TTFT
	}
	if o.InterChunkDelay != 0 {
		f.InterChunkDelay = o.InterChunkDelay
	}
	if o.Reply != nil {
		f.Reply = o.Reply
	}
	if o.ReasoningTokens != 0 {
		f.ReasoningTokens = o.ReasoningTokens
	}
	if o.CachedTokens != 0 {
		f.CachedTokens = o.CachedTokens
	}
	if o.CacheWriteTokens != 0 {
		f.CacheWriteTokens = o.CacheWriteTokens
	}
	if o.ContentFilter != "" {
		f.ContentFilter = o.ContentFilter
	}
}

// faultDice rolls the server-wide rules. It is lock-free: each roll hashes
// the seed with a counter, so a sequential caller sees a reproducible
// sequence for a given Options.Seed.
type faultDice struct {
	seed  uint64
	count atomic.Uint64
}

func (d *faultDice) roll() float64 {
	n := d.count.Add(1)
	return float64(mix64(d.seed^mix64(n))>>11) / (1 << 53)
}

// serverFault returns the merge of the rules that fire for one request, and
// whether any did.
func (s *Server) serverFault() (Fault, bool) {
	var f Fault
	fired := false
	for i := range s.opts.Faults {
		r := &s.opts.Faults[i]
		if r.Probability <= 0 {
			continue
		}
		if r.Probability >= 1 || s.dice.roll() < r.Probability {
			f.merge(&r.Fault)
			fired = true
		}
	}
	return f, fired
}
