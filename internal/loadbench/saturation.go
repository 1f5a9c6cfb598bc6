package loadbench

import (
	"fmt"
	"io"
	"strings"
)

// cpuPerAnswer is the CPU time per answer of a run, or "queued" when the
// server fell behind an open loop's rate (its window's CPU time then does
// not cover the answers counted: the closed loop gives its cost).
func cpuPerAnswer(r *RunResult) string {
	if r.Saturated() {
		return "queued"
	}
	return fmtDuration(r.CPUPerRequest())
}

// printSaturated names the open-loop runs whose server fell behind the rate
// (a peer at 500 req/s, typically), so that their answers/s is not read as
// a rate served.
func (r *Report) printSaturated(w io.Writer) {
	var byScenario []string
	var last string
	for i := range r.Runs {
		run := &r.Runs[i]
		if !run.Saturated() {
			continue
		}
		item := fmt.Sprintf("%s (last answer %s after the window)", run.Target, fmtDuration(run.Drain))
		if title := run.Scenario.Title(); title != last {
			byScenario = append(byScenario, title+": "+item)
			last = title
		} else {
			byScenario[len(byScenario)-1] += ", " + item
		}
	}
	if len(byScenario) == 0 {
		return
	}
	fmt.Fprintf(w, "\nfell behind the open loop's rate (requests queued: answers/s counts the answers scheduled in the window, not a\n"+
		"rate served, the latency is mostly queueing, CPU per answer is the closed loop's business):\n  %s\n", strings.Join(byScenario, "\n  "))
}
