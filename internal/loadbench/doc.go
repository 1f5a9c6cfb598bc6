// Package loadbench is Switchboard's side-by-side load benchmark, what
// `make bench` runs: the same load, one scenario after another in one
// invocation, first straight to the OpenAI-wire simulator ("direct"), then
// through the real switchboard binary in its own process ("gateway"), with
// the simulator as its upstream over loopback HTTP.
//
// The gateway runs as users run it: `switchboard serve` on embedded defaults
// (SQLite store, authentication on with a real virtual key) and a --config
// file whose alias points at the external simulator. The simulator runs as
// `switchboard sim`. Both are child processes of the benchmark, on
// 127.0.0.1 ports of its choosing; nothing else is ever contacted.
//
// Scenarios (see Scenarios): unary and streaming chat completions, each in a
// closed loop at fixed concurrency (N connections, each sending its next
// request when the previous answer is complete) and in an open loop at a
// fixed arrival rate (requests start on a constant schedule whatever the
// answers do, and latency is measured from the intended start, so a slow
// server cannot hide its queueing: no coordinated omission), plus a hold of
// thousands of concurrently open streams kept alive by a slow simulated
// model.
//
// Every run has a warm-up whose requests are not counted, then a measured
// window. For each run the benchmark reports throughput, p50/p90/p99 of the
// latency and of the time to first byte, errors, the gateway's CPU time per
// request (from /proc/<pid>/stat) and its peak resident memory (VmHWM from
// /proc/<pid>/status, reset before each run through clear_refs), and the
// distribution of the gateway's own overhead, read from its
// GET /debug/overhead endpoint before and after the window.
//
// With Config.Peers (`make bench-peers`), peer gateways installed from their
// package registries run beside Switchboard in the same invocation, in front
// of the same simulator, on their defaults: the Portkey AI Gateway (npm) and
// the LiteLLM proxy (PyPI). Each load scenario but the held streams also
// runs through each, with the same bodies and completeness checks, and the
// report gives them rows like the gateway's (ratios to direct, CPU time and
// peak memory of the peer's whole process tree) and a table beside the
// gateway. A peer that is not installed, does not start or dies is reported
// and left out; the benchmark goes on.
//
// Every loop is bounded in time and in count; every request has a deadline.
package loadbench
