package loadbench

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

// RunResult is one scenario against one target.
type RunResult struct {
	Scenario Scenario
	Target   string
	// OK and Errors count the requests of the measured window.
	OK, Errors int
	// ErrorKinds counts errors by message (the first few kinds).
	ErrorKinds map[string]int
	// Window is the measured time.
	Window time.Duration
	// Throughput is answers per second (complete streams for streams).
	Throughput float64
	// Latency is to the last byte; TTFB to the first byte of the body;
	// BodyTime from the first to the last byte.
	Latency, TTFB, BodyTime quantiles
	// EventsPerAnswer is the mean number of SSE events per stream ([DONE]
	// included); 0 for unary.
	EventsPerAnswer float64
	// GatewayCPU and SimCPU are the CPU time the processes used during the
	// window (for a peer, GatewayCPU is the peer's, summed over its process
	// tree).
	GatewayCPU, SimCPU time.Duration
	// GatewayPeakRSS is the gateway's (or the peer's) peak resident memory
	// during the run (warm-up included), in bytes.
	GatewayPeakRSS int64
	// Overhead is the own overhead the gateway (or the bare proxy) measured
	// inside itself during the window; nil for direct runs.
	Overhead *OverheadWindow
	// Drain is how long after the window the loop's last answer came: for
	// an open loop, about its slowest latency when the server keeps up
	// with the rate, seconds when requests queue (see Saturated).
	Drain time.Duration
}

// Saturated reports whether an open-loop run's server fell behind the rate:
// its last answers came more than a second after the window. Its answers/s
// then counts the answers scheduled in the window (not the rate it can
// serve: the closed loop measures that), its latency is mostly queueing, and
// its CPU time over the window does not cover the answers it counts.
func (r *RunResult) Saturated() bool {
	return r.Scenario.Connections == 0 && r.Drain > time.Second
}

// CPUPerRequest is the gateway's CPU time per counted answer.
func (r *RunResult) CPUPerRequest() time.Duration {
	if r.OK == 0 {
		return 0
	}
	return r.GatewayCPU / time.Duration(r.OK)
}

// SimCPUPerRequest is the simulator's CPU time per counted answer.
func (r *RunResult) SimCPUPerRequest() time.Duration {
	if r.OK == 0 {
		return 0
	}
	return r.SimCPU / time.Duration(r.OK)
}

// Report is the outcome of a benchmark.
type Report struct {
	Machine Machine
	Config  Config
	Runs    []RunResult
	Held    []HeldResult
	// Redis is a Redis round trip at the open loop's rate, measured when a
	// Redis-backed gateway is (nil otherwise).
	Redis *RedisReference
	// Peers describes the peer gateways of Config.Peers: their versions,
	// how they ran, or why they were not measured.
	Peers []PeerInfo
	// Notes are things the reader must know (a measurement that could not
	// be taken, say).
	Notes []string
}

// Run starts the simulator and the gateway, runs the scenarios of cfg
// against each in turn, stops both, and returns what was measured.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("loadbench: %w", err)
	}
	if limit, err := RaiseOpenFilesLimit(); err != nil {
		cfg.progress("could not raise the open files limit: %v", err)
	} else {
		cfg.progress("open files limit of the load generator: %d", limit)
	}
	dir := cfg.Dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "loadbench-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	st, err := startStack(ctx, cfg.Binary, cfg.BareProxyBinary, dir, cfg.PprofAddr, cfg.Backends)
	if err != nil {
		return nil, err
	}
	defer st.stop()
	cfg.progress("simulator at %s (pid %d)", st.simURL, st.sim.pid())
	for _, g := range st.gateways() {
		cfg.progress("%s at %s (pid %d)", g.name, g.url, g.proc.pid())
	}

	rep := &Report{Machine: describeMachine(), Config: cfg}
	peers, peerInfos := startPeers(ctx, &cfg, st.simURL, dir)
	defer stopPeers(peers)
	rep.Peers = peerInfos
	b := &bench{cfg: &cfg, st: st, rep: rep, admin: newClient(0, 2)}
	defer b.admin.CloseIdleConnections()
	for _, sc := range Scenarios(cfg) {
		if !cfg.wants(sc.Name) {
			continue
		}
		for _, t := range append(st.targets(), peerTargets(peers)...) {
			if err := ctx.Err(); err != nil {
				return rep, err
			}
			r, err := b.run(ctx, sc, t)
			if err != nil {
				return rep, err
			}
			rep.Runs = append(rep.Runs, r)
			if t.peer != nil {
				b.checkPeer(t.peer, sc)
			}
		}
		if sc.Name == UnaryOpen && cfg.RedisURL != "" {
			cfg.progress("a Redis round trip at %d/s, for reference", sc.Rate)
			ref, err := measureRedisRoundTrip(ctx, cfg.RedisURL, sc.Rate, cfg.Warmup, cfg.Duration)
			if err != nil {
				b.note("%v", err)
			}
			rep.Redis = ref
		}
	}
	if cfg.wants(HeldStreams) && cfg.HeldStreams > 0 {
		for _, t := range st.targets() {
			if t.name == targetBareProxy || (t.gw != nil && t.gw != st.gateway) {
				continue // the hold is about the embedded gateway's memory and descriptors
			}
			if err := ctx.Err(); err != nil {
				return rep, err
			}
			h, err := b.hold(ctx, t)
			if err != nil {
				return rep, err
			}
			rep.Held = append(rep.Held, h)
		}
	}
	return rep, nil
}

// bench is one benchmark in progress.
type bench struct {
	cfg   *Config
	st    *stack
	rep   *Report
	admin *http.Client // for /debug/overhead
}

func (b *bench) note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	for _, n := range b.rep.Notes {
		if n == msg {
			return
		}
	}
	b.rep.Notes = append(b.rep.Notes, msg)
}

// run runs one scenario against one target.
func (b *bench) run(ctx context.Context, sc Scenario, t target) (RunResult, error) {
	cfg := b.cfg
	cfg.progress("%-26s %-10s warm-up %s, then %s measured", sc.Title(), t.name, cfg.Warmup, cfg.Duration)
	gwPID, simPID := b.st.gateway.proc.pid(), b.st.sim.pid()
	if t.gw != nil {
		gwPID = t.gw.proc.pid()
	}
	if t.peer != nil {
		gwPID = t.peer.proc.pid()
	}
	if err := resetServerPeakRSS(&t, gwPID); err != nil {
		b.note("peak RSS is the peak since the gateway started: clear_refs failed (%v)", err)
	}

	conns, idle := sc.Connections, sc.Connections
	if conns == 0 { // open loop: as many connections as outstanding requests need
		idle = 256
	}
	client := newClient(conns, idle)
	defer client.CloseIdleConnections()
	body := requestBody(t.model, sc.Stream)
	send := func(ctx context.Context, start time.Time) result {
		return call(ctx, client, &t, body, sc.Stream, start)
	}

	s := newSchedule(cfg.Warmup, cfg.Duration)
	var (
		wg                  sync.WaitGroup
		gwBefore, gwAfter   procSample
		simBefore, simAfter procSample
		ovBefore, ovAfter   overhead.Snapshot
		ovErr               error
	)
	// The gateway and the bare proxy both measure their own overhead.
	ovURL, ovKey := "", ""
	switch {
	case t.gw != nil:
		ovURL, ovKey = t.gw.url, b.st.adminKey
	case t.name == targetBareProxy:
		ovURL = b.st.proxyURL
	}
	measureOverhead := ovURL != ""
	wg.Go(func() {
		sleepUntilCtx(ctx, s.measureFrom)
		gwBefore, simBefore = serverSample(&t, gwPID), sampleProc(simPID)
		if measureOverhead {
			ovBefore, ovErr = readOverhead(ctx, b.admin, ovURL, ovKey)
		}
		sleepUntilCtx(ctx, s.measureTo)
		gwAfter, simAfter = serverSample(&t, gwPID), sampleProc(simPID)
		if measureOverhead && ovErr == nil {
			ovAfter, ovErr = readOverhead(ctx, b.admin, ovURL, ovKey)
		}
	})
	var tl *tally
	if sc.Connections > 0 {
		tl = closedLoop(ctx, s, sc.Connections, send)
	} else {
		tl = openLoop(ctx, s, sc.Rate, cfg.MaxInFlight, send)
	}
	drain := max(0, time.Since(s.measureTo))
	wg.Wait()
	if err := b.st.healthy(); err != nil {
		return RunResult{}, err
	}
	if ovErr != nil {
		b.note("own overhead not available: %v", ovErr)
	}

	r := RunResult{
		Scenario: sc, Target: t.name, OK: tl.ok(), Errors: tl.errors, ErrorKinds: tl.errorKinds,
		Window:     cfg.Duration,
		Drain:      drain,
		GatewayCPU: gwAfter.cpu - gwBefore.cpu,
		SimCPU:     simAfter.cpu - simBefore.cpu,
	}
	r.Throughput = float64(r.OK) / cfg.Duration.Seconds()
	r.Latency, r.TTFB, r.BodyTime = quantilesOf(tl.latency), quantilesOf(tl.ttfb), quantilesOf(tl.bodyTime)
	if sc.Stream && r.OK > 0 {
		r.EventsPerAnswer = float64(tl.events) / float64(r.OK)
	}
	if peak, err := serverPeakRSS(&t, gwPID); err == nil {
		r.GatewayPeakRSS = peak
	}
	if measureOverhead && ovErr == nil {
		r.Overhead = overheadBetween(ovBefore, ovAfter)
	}
	cfg.progress("%-26s %-10s %8.0f/s  p50 %-9s p99 %-9s errors %d", sc.Title(), t.name, r.Throughput,
		fmtDuration(r.Latency.P50), fmtDuration(r.Latency.P99), r.Errors)
	return r, nil
}

// sleepUntilCtx sleeps until at or until ctx is done.
func sleepUntilCtx(ctx context.Context, at time.Time) {
	t := time.NewTimer(time.Until(at))
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
