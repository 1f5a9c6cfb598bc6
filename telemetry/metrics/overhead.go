package metrics

import (
	"context"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/switchboard-gw/switchboard/telemetry/histogram"
	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

// OverheadProducer exports the gateway's own time per request (package
// telemetry/overhead) as the histogram switchboard.gateway.overhead (in
// seconds, by phase: unary, stream_request, stream_chunk, stream_write).
//
// The overhead Recorder keeps its own lock-free log-linear histograms on
// the request path; rather than record every sample a second time into an
// OpenTelemetry instrument, the producer converts a snapshot of them at each
// collection (an sdk/metric Producer, read by both the Prometheus and the
// OTLP readers). Each fine bucket (1/32 of an octave wide) is counted in
// the explicit bucket that holds its midpoint, so a count near a boundary
// may land one bucket off by at most 1.6% of the value; counts, sums and
// the maximum are exact.
type OverheadProducer struct {
	rec   atomic.Pointer[overhead.Recorder]
	start time.Time
}

// NewOverheadProducer returns a producer that reports nothing until
// Observe gives it a Recorder.
func NewOverheadProducer() *OverheadProducer {
	return &OverheadProducer{start: time.Now()}
}

// Observe has the producer report rec (the server's Recorder).
func (p *OverheadProducer) Observe(rec *overhead.Recorder) { p.rec.Store(rec) }

// overheadBounds are the explicit bucket boundaries in seconds: 1 µs to 1 s.
var overheadBounds = []float64{
	1e-6, 2.5e-6, 5e-6, 10e-6, 25e-6, 50e-6, 100e-6, 250e-6, 500e-6,
	1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3, 250e-3, 1,
}

// Produce implements sdk/metric's Producer.
func (p *OverheadProducer) Produce(context.Context) ([]metricdata.ScopeMetrics, error) {
	rec := p.rec.Load()
	if rec == nil {
		return nil, nil
	}
	now := time.Now()
	phases := []struct {
		name string
		h    *histogram.Histogram
	}{
		{"unary", &rec.Unary},
		{"stream_request", &rec.StreamRequest},
		{"stream_chunk", &rec.StreamChunk},
		{"stream_write", &rec.StreamWrite},
	}
	points := make([]metricdata.HistogramDataPoint[float64], 0, len(phases))
	for _, ph := range phases {
		points = append(points, p.point(ph.h.Snapshot(), attribute.NewSet(labelPhase.String(ph.name)), now))
	}
	return []metricdata.ScopeMetrics{{
		Scope: instrumentation.Scope{Name: ScopeName},
		Metrics: []metricdata.Metrics{{
			Name:        "switchboard.gateway.overhead",
			Description: "The gateway's own time per request, excluding the wait for the provider (see docs/performance.md), by phase.",
			Unit:        "s",
			Data:        metricdata.Histogram[float64]{Temporality: metricdata.CumulativeTemporality, DataPoints: points},
		}},
	}}, nil
}

func (p *OverheadProducer) point(s histogram.Snapshot, attrs attribute.Set, now time.Time) metricdata.HistogramDataPoint[float64] {
	counts := make([]uint64, len(overheadBounds)+1)
	for _, b := range s.Buckets {
		mid := float64(b.Lower+(b.Upper-b.Lower)/2) / 1e9
		i := 0
		for i < len(overheadBounds) && mid > overheadBounds[i] {
			i++
		}
		counts[i] += b.Count
	}
	dp := metricdata.HistogramDataPoint[float64]{
		Attributes:   attrs,
		StartTime:    p.start,
		Time:         now,
		Count:        s.Count,
		Sum:          s.Sum.Seconds(),
		Bounds:       overheadBounds,
		BucketCounts: counts,
	}
	if s.Count > 0 {
		dp.Max = metricdata.NewExtrema(s.Max.Seconds())
	}
	return dp
}
