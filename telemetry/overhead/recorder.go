package overhead

import (
	"time"

	"github.com/switchboard-gw/switchboard/telemetry/histogram"
)

// Recorder holds the distributions of the gateway's own time. The zero
// value is ready; it is safe for concurrent use and must not be copied.
type Recorder struct {
	// Unary is the own time of each unary request that reached an upstream.
	Unary histogram.Histogram
	// StreamRequest is, per stream, the own time from the client's request
	// to the upstream request written.
	StreamRequest histogram.Histogram
	// StreamChunk is the gateway's own time per stream chunk: the time from
	// reading chunks from the upstream to having flushed them to the client,
	// divided among the chunks of the flush.
	StreamChunk histogram.Histogram
	// StreamWrite is, per flush to the client, the time since the oldest
	// chunk in it was read from the upstream: how long a chunk waits in the
	// gateway at most.
	StreamWrite histogram.Histogram
}

// Snapshot is the Recorder's distributions at one moment.
type Snapshot struct {
	Unary         Summary `json:"unary"`
	StreamRequest Summary `json:"stream_request"`
	StreamChunk   Summary `json:"stream_chunk"`
	StreamWrite   Summary `json:"stream_write"`
}

// Summary is one distribution with its usual quantiles precomputed, so that
// a person reading the JSON needs no tooling. Durations are nanoseconds.
type Summary struct {
	Count     uint64             `json:"count"`
	P50       time.Duration      `json:"p50_ns"`
	P90       time.Duration      `json:"p90_ns"`
	P99       time.Duration      `json:"p99_ns"`
	Max       time.Duration      `json:"max_ns"`
	Mean      time.Duration      `json:"mean_ns"`
	Histogram histogram.Snapshot `json:"histogram"`
}

// Summarize computes a Summary of s.
func Summarize(s histogram.Snapshot) Summary {
	return Summary{
		Count: s.Count, P50: s.Quantile(0.5), P90: s.Quantile(0.9), P99: s.Quantile(0.99),
		Max: s.Max, Mean: s.Mean(), Histogram: s,
	}
}

// Snapshot returns the distributions recorded so far.
func (r *Recorder) Snapshot() Snapshot {
	return Snapshot{
		Unary:         Summarize(r.Unary.Snapshot()),
		StreamRequest: Summarize(r.StreamRequest.Snapshot()),
		StreamChunk:   Summarize(r.StreamChunk.Snapshot()),
		StreamWrite:   Summarize(r.StreamWrite.Snapshot()),
	}
}
