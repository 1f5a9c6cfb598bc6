package loadbench

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/switchboard-gw/switchboard/telemetry/histogram"
)

// Print writes the report: the machine, one table of all runs with the
// gateway/direct ratios, the gateway's own overhead, the held streams and
// the targets.
func (r *Report) Print(w io.Writer) {
	m := r.Machine
	fmt.Fprintf(w, "\nSwitchboard load benchmark: %d CPUs (%s), %d MiB, Linux %s, %s\n", m.CPUs, m.CPUModel, m.MemoryMiB, m.Kernel, m.GoVersion)
	fmt.Fprintf(w, "load average at start %s; each run: %s warm-up, then %s measured; load generator, proxies and simulator share the CPUs\n\n",
		m.LoadAverage, r.Config.Warmup, r.Config.Duration)
	r.printPeerSetup(w)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\ttarget\tanswers/s\tp50\tp90\tp99\tTTFB p50\tTTFB p90\tTTFB p99\terrors\tgw CPU/answer\tgw peak RSS\t")
	var last string
	for i := range r.Runs {
		run := &r.Runs[i]
		title := run.Scenario.Title()
		if title == last {
			title = ""
		}
		last = run.Scenario.Title()
		cpu, rss := "-", "-"
		if isGateway(run.Target) || isPeer(run.Target) {
			cpu, rss = cpuPerAnswer(run), fmtBytes(run.GatewayPeakRSS)
		}
		fmt.Fprintf(tw, "%s\t%s\t%.0f\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t\n", title, run.Target, run.Throughput,
			fmtDuration(run.Latency.P50), fmtDuration(run.Latency.P90), fmtDuration(run.Latency.P99),
			fmtDuration(run.TTFB.P50), fmtDuration(run.TTFB.P90), fmtDuration(run.TTFB.P99), run.Errors, cpu, rss)
		if !isGateway(run.Target) && !isPeer(run.Target) {
			continue
		}
		d := r.find(run.Scenario.Name, targetDirect)
		if d == nil {
			continue
		}
		fmt.Fprintf(tw, "\t%s/direct\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\t\t\t\n", run.Target, fmtRatio(run.Throughput, d.Throughput),
			fmtRatio(float64(run.Latency.P50), float64(d.Latency.P50)), fmtRatio(float64(run.Latency.P90), float64(d.Latency.P90)),
			fmtRatio(float64(run.Latency.P99), float64(d.Latency.P99)), fmtRatio(float64(run.TTFB.P50), float64(d.TTFB.P50)),
			fmtRatio(float64(run.TTFB.P90), float64(d.TTFB.P90)), fmtRatio(float64(run.TTFB.P99), float64(d.TTFB.P99)))
		addedRow(tw, "added by "+run.Target, run, d)
		if p := r.find(run.Scenario.Name, targetBareProxy); p != nil && run.Target == targetGateway {
			addedRow(tw, "added by bare proxy", p, d)
		}
	}
	tw.Flush()
	r.printSaturated(w)
	r.printStreamsNote(w)
	r.printOverhead(w)
	r.printHeld(w)
	r.printTargets(w)
	r.printReference(w)
	r.printPeers(w)
	r.printErrors(w)
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}

// addedRow prints what run adds to the direct run d, per latency column.
func addedRow(tw io.Writer, label string, run, d *RunResult) {
	fmt.Fprintf(tw, "\t%s\t\t%s\t%s\t%s\t%s\t%s\t%s\t\t\t\t\n", label,
		fmtAdded(run.Latency.P50-d.Latency.P50), fmtAdded(run.Latency.P90-d.Latency.P90), fmtAdded(run.Latency.P99-d.Latency.P99),
		fmtAdded(run.TTFB.P50-d.TTFB.P50), fmtAdded(run.TTFB.P90-d.TTFB.P90), fmtAdded(run.TTFB.P99-d.TTFB.P99))
}

func (r *Report) printStreamsNote(w io.Writer) {
	for i := range r.Runs {
		if run := &r.Runs[i]; run.Scenario.Stream && run.EventsPerAnswer > 0 {
			fmt.Fprintf(w, "\nstreams carry %.0f server-sent events each ([DONE] included); TTFB is the first event, not the headers\n", run.EventsPerAnswer)
			return
		}
	}
}

func (r *Report) printOverhead(w io.Writer) {
	fmt.Fprintf(w, "\nown overhead, measured inside the gateway (GET /debug/overhead) and, for reference, inside the\n")
	fmt.Fprintf(w, "bare proxy, over each measured window; chunks that arrive together leave in one write and share its time:\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\ttarget\tpart\tcount\tp50\tp90\tp99\tmean\tgw CPU/chunk\t")
	var last string
	for i := range r.Runs {
		run := &r.Runs[i]
		if run.Overhead == nil {
			continue
		}
		title := run.Scenario.Title()
		if title == last {
			title = ""
		}
		last = run.Scenario.Title()
		target := run.Target
		row := func(part string, s histogram.Snapshot, cpu string) {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t\n", title, target, part, s.Count,
				fmtDuration(s.Quantile(0.5)), fmtDuration(s.Quantile(0.9)), fmtDuration(s.Quantile(0.99)), fmtDuration(s.Mean()), cpu)
			title, target = "", ""
		}
		if !run.Scenario.Stream {
			row("per request", run.Overhead.Unary, "")
			continue
		}
		cpu := ""
		if isGateway(run.Target) && run.EventsPerAnswer > 0 {
			cpu = fmtDuration(time.Duration(float64(run.CPUPerRequest()) / run.EventsPerAnswer))
		}
		chunk := "per chunk"
		if run.Target == targetBareProxy {
			chunk = "per read" // it relays bytes, not chunks
		}
		row("per stream request", run.Overhead.StreamRequest, "")
		row(chunk, run.Overhead.StreamChunk, cpu)
		row("per write (oldest chunk)", run.Overhead.StreamWrite, "")
	}
	tw.Flush()
}

func (r *Report) printHeld(w io.Writer) {
	if len(r.Held) == 0 {
		return
	}
	fmt.Fprintf(w, "\nheld streams (%d opened over %s, %s between chunks, about %d chunks each):\n",
		r.Config.HeldStreams, r.Config.HeldRampUp, r.Config.HeldChunkDelay, r.Config.HeldChunks)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "target\tstreams\tcomplete\terrors\tpeak open\tduration\tgw peak RSS\tgw peak fds\tgw CPU\topen files limit\t")
	for _, h := range r.Held {
		if h.Skipped != "" {
			fmt.Fprintf(tw, "%s\tskipped: %s\t\t\t\t\t\t\t\t\t\n", h.Target, h.Skipped)
			continue
		}
		rss, fds, cpu := "-", "-", "-"
		if h.Target == targetGateway {
			rss, fds, cpu = fmtBytes(h.GatewayPeakRSS), fmt.Sprint(h.GatewayPeakFDs), fmtDuration(h.GatewayCPU)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%d\t\n", h.Target, h.Streams, h.OK, h.Errors, h.PeakOpen,
			fmtDuration(h.Duration), rss, fds, cpu, h.OpenFilesLimit)
	}
	tw.Flush()
}

func (r *Report) printTargets(w io.Writer) {
	fmt.Fprintf(w, "\ntargets (issue 4, 2-core machine):\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range r.Targets() {
		verdict := "MISS"
		switch {
		case c.Missing:
			verdict = "----"
		case c.Pass:
			verdict = "PASS"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", verdict, c.Target, c.Measured)
	}
	tw.Flush()
}

// printReference puts the gateway's figures next to the bare proxy's: what
// one more HTTP hop costs on this machine, whatever does the proxying.
func (r *Report) printReference(w io.Writer) {
	var lines []string
	for _, name := range []string{UnaryClosed, UnaryOpen, StreamClosed, StreamOpen} {
		d, p, g := r.find(name, targetDirect), r.find(name, targetBareProxy), r.find(name, targetGateway)
		if d == nil || p == nil || g == nil || d.Throughput == 0 {
			continue
		}
		title := p.Scenario.Title()
		if p.Scenario.Connections > 0 {
			lines = append(lines, fmt.Sprintf("%s: throughput %.0f%% of direct (gateway %.0f%%)", title,
				100*p.Throughput/d.Throughput, 100*g.Throughput/d.Throughput))
			continue
		}
		lines = append(lines, fmt.Sprintf("%s: added p50 %s, p99 %s, TTFB p50 %s (gateway %s, %s, %s)", title,
			fmtAdded(p.Latency.P50-d.Latency.P50), fmtAdded(p.Latency.P99-d.Latency.P99), fmtAdded(p.TTFB.P50-d.TTFB.P50),
			fmtAdded(g.Latency.P50-d.Latency.P50), fmtAdded(g.Latency.P99-d.Latency.P99), fmtAdded(g.TTFB.P50-d.TTFB.P50)))
	}
	if p, g := r.find(UnaryOpen, targetBareProxy), r.find(UnaryOpen, targetGateway); p != nil && g != nil && p.Overhead != nil && g.Overhead != nil {
		lines = append(lines, fmt.Sprintf("%s: own overhead p50 %s, p90 %s (gateway %s, %s)", p.Scenario.Title(),
			fmtDuration(p.Overhead.Unary.Quantile(0.5)), fmtDuration(p.Overhead.Unary.Quantile(0.9)),
			fmtDuration(g.Overhead.Unary.Quantile(0.5)), fmtDuration(g.Overhead.Unary.Quantile(0.9))))
	}
	if ref := r.Redis; ref != nil {
		defer func() {
			added := ""
			if d, g := r.find(UnaryOpen, targetDirect), r.find(UnaryOpen, targetGateway+"/redis"); d != nil && g != nil {
				if pg := r.find(UnaryOpen, targetGateway+"/postgres"); pg != nil {
					added = fmt.Sprintf("; gateway/redis added %s over gateway/postgres at p50",
						fmtAdded(g.Latency.P50-pg.Latency.P50))
				}
			}
			fmt.Fprintf(w, "\nreference: one Redis round trip (EVALSHA, go-redis, loopback) at %d/s, from a client process:\n"+
				"  p50 %s, p90 %s, p99 %s over %d calls, %d errors%s\n", ref.Rate,
				fmtDuration(ref.Latency.P50), fmtDuration(ref.Latency.P90), fmtDuration(ref.Latency.P99), ref.Count, ref.Errors, added)
		}()
	}
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(w, "\nreference: a bare Go proxy (own process, net/http, body forwarded as is: no auth, no JSON) on this machine:\n  %s\n",
		strings.Join(lines, "\n  "))
}

func (r *Report) printErrors(w io.Writer) {
	var lines []string
	for i := range r.Runs {
		run := &r.Runs[i]
		for msg, n := range run.ErrorKinds {
			lines = append(lines, fmt.Sprintf("%s %s: %d x %s", run.Scenario.Title(), run.Target, n, msg))
		}
	}
	for _, h := range r.Held {
		for msg, n := range h.ErrorKinds {
			lines = append(lines, fmt.Sprintf("held streams %s: %d x %s", h.Target, n, msg))
		}
	}
	if len(lines) == 0 {
		return
	}
	sort.Strings(lines)
	fmt.Fprintf(w, "\nerrors:\n  %s\n", strings.Join(lines, "\n  "))
}
