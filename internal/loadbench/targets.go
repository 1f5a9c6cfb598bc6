package loadbench

import (
	"fmt"
	"time"
)

// Check is one target of issue 4, evaluated on a report.
type Check struct {
	// Target is the goal, as the issue states it.
	Target string
	// Measured is what this run measured.
	Measured string
	// Pass is whether the goal was met; Missing that the run did not
	// measure it (a scenario left out or failed).
	Pass, Missing bool
}

// Targets evaluates the targets (for this machine class: 2 cores)
// on the report.
func (r *Report) Targets() []Check {
	var out []Check
	add := func(target string, ok bool, measured string, pass bool) {
		out = append(out, Check{Target: target, Measured: measured, Pass: ok && pass, Missing: !ok})
	}

	ud, ug := r.find(UnaryClosed, targetDirect), r.find(UnaryClosed, targetGateway)
	if ok := ud != nil && ug != nil && ud.Throughput > 0; ok {
		ratio := ug.Throughput / ud.Throughput
		add("unary, 50 connections: gateway throughput >= 30% of direct", true, fmt.Sprintf("%.0f%% (%.0f vs %.0f req/s)", 100*ratio, ug.Throughput, ud.Throughput), ratio >= 0.30)
	} else {
		add("unary, 50 connections: gateway throughput >= 30% of direct", false, "not measured", false)
	}

	od, og := r.find(UnaryOpen, targetDirect), r.find(UnaryOpen, targetGateway)
	if ok := od != nil && og != nil && od.OK > 0 && og.OK > 0; ok {
		p50 := og.Latency.P50 - od.Latency.P50
		p99 := og.Latency.P99 - od.Latency.P99
		add("unary, 500 req/s: added p50 <= 150µs", true, fmtAdded(p50), p50 <= 150*time.Microsecond)
		add("unary, 500 req/s: added p99 <= 1ms", true, fmtAdded(p99), p99 <= time.Millisecond)
	} else {
		add("unary, 500 req/s: added p50 <= 150µs", false, "not measured", false)
		add("unary, 500 req/s: added p99 <= 1ms", false, "not measured", false)
	}
	if og != nil && og.Overhead != nil && og.Overhead.Unary.Count > 0 {
		p50 := og.Overhead.Unary.Quantile(0.5)
		add("own overhead p50 <= 30µs (unary, 500 req/s, auth on)", true, fmtDuration(p50), p50 <= 30*time.Microsecond)
	} else {
		add("own overhead p50 <= 30µs (unary, 500 req/s, auth on)", false, "not measured", false)
	}

	sd, sg := r.find(StreamOpen, targetDirect), r.find(StreamOpen, targetGateway)
	if ok := sd != nil && sg != nil && sd.OK > 0 && sg.OK > 0; ok {
		ttfb := sg.TTFB.P50 - sd.TTFB.P50
		add("stream, 500 req/s: added time to first byte (p50) <= 0.5ms", true, fmtAdded(ttfb), ttfb <= 500*time.Microsecond)
	} else {
		add("stream, 500 req/s: added time to first byte (p50) <= 0.5ms", false, "not measured", false)
	}
	if sg != nil && sg.Overhead != nil && sg.Overhead.StreamChunk.Count > 0 {
		p50 := sg.Overhead.StreamChunk.Quantile(0.5)
		measured := fmt.Sprintf("%s own time per chunk (p50)", fmtDuration(p50))
		if sg.EventsPerAnswer > 0 && sg.OK > 0 {
			perChunk := time.Duration(float64(sg.CPUPerRequest()) / sg.EventsPerAnswer)
			measured += fmt.Sprintf("; CPU %s per chunk, stream request included", fmtDuration(perChunk))
		}
		add("stream: added cost per chunk <= 5µs", true, measured, p50 <= 5*time.Microsecond)
	} else {
		add("stream: added cost per chunk <= 5µs", false, "not measured", false)
	}
	cd, cg := r.find(StreamClosed, targetDirect), r.find(StreamClosed, targetGateway)
	if ok := cd != nil && cg != nil && cd.Throughput > 0; ok {
		ratio := cg.Throughput / cd.Throughput
		add("stream, 50 connections: gateway throughput >= 40% of direct", true, fmt.Sprintf("%.0f%% (%.0f vs %.0f streams/s)", 100*ratio, cg.Throughput, cd.Throughput), ratio >= 0.40)
	} else {
		add("stream, 50 connections: gateway throughput >= 40% of direct", false, "not measured", false)
	}

	if og != nil && og.GatewayPeakRSS > 0 {
		add("RSS <= 64 MB under 500 req/s", true, fmtBytes(og.GatewayPeakRSS)+" peak", og.GatewayPeakRSS <= 64<<20)
	} else {
		add("RSS <= 64 MB under 500 req/s", false, "not measured", false)
	}

	for _, b := range r.Config.Backends {
		name := targetGateway + "/" + b.Name
		bound := b.AddedP50
		if bound == 0 {
			bound = 150 * time.Microsecond
		}
		goal := fmt.Sprintf("%s, unary, 500 req/s: added p50 <= %s", name, fmtDuration(bound))
		if bg := r.find(UnaryOpen, name); od != nil && bg != nil && od.OK > 0 && bg.OK > 0 {
			p50 := bg.Latency.P50 - od.Latency.P50
			add(goal, true, fmtAdded(p50), p50 <= bound)
		} else {
			add(goal, false, "not measured", false)
		}
	}

	h := r.findHeld(targetGateway)
	goal := fmt.Sprintf("%d concurrent open streams, no errors, gateway under 1 GB", r.Config.HeldStreams)
	if h != nil && h.Skipped == "" {
		measured := fmt.Sprintf("%d open at once, %d errors, %s peak", h.PeakOpen, h.Errors, fmtBytes(h.GatewayPeakRSS))
		add(goal, true, measured, h.Errors == 0 && h.PeakOpen == h.Streams && h.GatewayPeakRSS < 1<<30)
	} else {
		add(goal, false, "not measured", false)
	}
	return out
}

func (r *Report) find(scenario, target string) *RunResult {
	for i := range r.Runs {
		if r.Runs[i].Scenario.Name == scenario && r.Runs[i].Target == target {
			return &r.Runs[i]
		}
	}
	return nil
}

func (r *Report) findHeld(target string) *HeldResult {
	for i := range r.Held {
		if r.Held[i].Target == target {
			return &r.Held[i]
		}
	}
	return nil
}
