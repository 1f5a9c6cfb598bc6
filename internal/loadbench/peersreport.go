package loadbench

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// printPeerSetup lists the peer gateways under the report's header: which
// version ran and how, or why one did not.
func (r *Report) printPeerSetup(w io.Writer) {
	if len(r.Peers) == 0 {
		return
	}
	fmt.Fprintf(w, "peers, measured with their defaults in front of the same simulator (not the held streams):\n")
	for _, p := range r.Peers {
		line := fmt.Sprintf("  %s %s", p.Name, p.Version)
		if p.Setup != "" {
			line += ": " + p.Setup
		}
		if p.Skipped != "" {
			line += "; NOT MEASURED: " + p.Skipped
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintln(w)
}

// printPeers puts the gateway beside the peers, scenario by scenario: what
// each adds over the direct call, how many answers each serves, at what
// cost.
func (r *Report) printPeers(w io.Writer) {
	var rows [][]*RunResult // per scenario: direct, gateway, peers...
	for _, name := range []string{UnaryClosed, UnaryOpen, StreamClosed, StreamOpen} {
		d, g := r.find(name, targetDirect), r.find(name, targetGateway)
		if d == nil || g == nil {
			continue
		}
		row := []*RunResult{d, g}
		for _, p := range PeerNames {
			if pr := r.find(name, p); pr != nil {
				row = append(row, pr)
			}
		}
		if len(row) > 2 {
			rows = append(rows, row)
		}
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(w, "\nSwitchboard and its peers (same loads, same simulator, this invocation); added: over direct;\n")
	fmt.Fprintf(w, "gateway ×: the gateway's answers/s over the target's (closed loops); CPU and RSS of a peer's whole process tree:\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\ttarget\tanswers/s\tgateway ×\tadded p50\tadded p99\tadded TTFB p50\tCPU/answer\tpeak RSS\terrors\t")
	for _, row := range rows {
		d, g := row[0], row[1]
		title := g.Scenario.Title()
		for _, run := range row[1:] {
			times := "-" // an open loop's answers/s is its rate, whoever serves it
			if run != g && run.Scenario.Connections > 0 {
				times = fmtRatio(g.Throughput, run.Throughput)
			}
			added := func(q, qd quantiles) string { return fmtAdded(q.P50 - qd.P50) }
			if run.OK == 0 {
				added = func(quantiles, quantiles) string { return "-" }
			}
			p99 := fmtAdded(run.Latency.P99 - d.Latency.P99)
			if run.OK == 0 {
				p99 = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%.0f\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t\n", title, run.Target, run.Throughput, times,
				added(run.Latency, d.Latency), p99, added(run.TTFB, d.TTFB),
				cpuPerAnswer(run), fmtBytes(run.GatewayPeakRSS), run.Errors)
			title = ""
		}
	}
	tw.Flush()
}
