package loadbench

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"
)

// HeldResult is the held-streams scenario against one target: many streams
// opened over a short ramp and kept open together by a slow simulated model.
type HeldResult struct {
	Target string
	// Streams is how many were opened; OK how many ended with [DONE].
	Streams, OK, Errors int
	ErrorKinds          map[string]int
	// PeakOpen is the most streams that were open (first byte received,
	// last byte not yet) at the same moment.
	PeakOpen int
	// Duration is from the first request to the last answer.
	Duration time.Duration
	// GatewayPeakRSS is the gateway's peak resident memory during the
	// scenario; GatewayPeakFDs the most descriptors it had open.
	GatewayPeakRSS int64
	GatewayPeakFDs int
	GatewayCPU     time.Duration
	// OpenFilesLimit is the soft limit of the process serving the streams.
	OpenFilesLimit int64
	// Skipped says why the scenario did not run, when it did not.
	Skipped string
}

// hold runs the held-streams scenario against t.
func (b *bench) hold(ctx context.Context, t target) (HeldResult, error) {
	cfg := b.cfg
	n := cfg.HeldStreams
	res := HeldResult{Target: t.name, Streams: n, ErrorKinds: map[string]int{}}
	gwPID := b.st.gateway.proc.pid()
	server := b.st.sim
	need := int64(n) + 256
	if t.gw != nil {
		gwPID, server = t.gw.proc.pid(), t.gw.proc
		need = 2*int64(n) + 256 // a client connection and an upstream one per stream
	}
	limit, err := openFilesLimit(server.pid())
	if err != nil {
		return res, err
	}
	res.OpenFilesLimit = limit
	if limit < need {
		res.Skipped = fmt.Sprintf("the %s may open %d files, %d streams need %d", server.name, limit, n, need)
		cfg.progress("held streams %-8s skipped: %s", t.name, res.Skipped)
		return res, nil
	}
	streamTime := time.Duration(cfg.HeldChunks+2) * cfg.HeldChunkDelay
	cfg.progress("%-26s %-10s ramp-up %s, each stream about %s", fmt.Sprintf("%d held streams", n), t.name, cfg.HeldRampUp, streamTime)
	if err := resetPeakRSS(gwPID); err != nil {
		b.note("peak RSS is the peak since the gateway started: clear_refs failed (%v)", err)
	}

	client := newClient(0, 64)
	defer client.CloseIdleConnections()
	body := heldStreamBody(t.model, cfg.HeldChunkDelay, cfg.HeldChunks)
	ctx, cancel := context.WithTimeout(ctx, cfg.HeldRampUp+streamTime+2*requestTimeout)
	defer cancel()

	sampled := make(chan struct{})
	stopSampling := make(chan struct{})
	go func() { // the gateway's descriptors while the streams run
		defer close(sampled)
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stopSampling:
				return
			case <-tick.C:
				if fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", gwPID)); err == nil {
					res.GatewayPeakFDs = max(res.GatewayPeakFDs, len(fds))
				}
			}
		}
	}()

	cpuBefore := sampleProc(gwPID)
	begin := time.Now()
	intervals := make([][2]time.Duration, n) // open from first byte to last, relative to begin
	results := make([]result, n)
	var wg sync.WaitGroup
	interval := cfg.HeldRampUp / time.Duration(n)
	for i := range n {
		sleepUntilCtx(ctx, begin.Add(time.Duration(i)*interval))
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			start := time.Now()
			r := call(ctx, client, &t, body, true, start)
			offset := start.Sub(begin)
			results[i] = r
			if r.ttfb > 0 {
				intervals[i] = [2]time.Duration{offset + r.ttfb, offset + r.latency}
			}
		})
	}
	wg.Wait()
	res.Duration = time.Since(begin)
	res.GatewayCPU = sampleProc(gwPID).cpu - cpuBefore.cpu
	close(stopSampling)
	<-sampled
	if err := b.st.healthy(); err != nil {
		return res, err
	}

	for _, r := range results {
		if r.err != nil {
			res.Errors++
			if len(res.ErrorKinds) < 20 {
				res.ErrorKinds[r.err.Error()]++
			}
			continue
		}
		res.OK++
	}
	res.Errors += n - res.OK - res.Errors // never started (deadline)
	res.PeakOpen = peakOverlap(intervals)
	if peak, _, err := memoryStatus(gwPID); err == nil {
		res.GatewayPeakRSS = peak
	}
	cfg.progress("%-26s %-10s ok %d, errors %d, peak open %d, gateway peak RSS %s", fmt.Sprintf("%d held streams", n), t.name,
		res.OK, res.Errors, res.PeakOpen, fmtBytes(res.GatewayPeakRSS))
	return res, nil
}

// peakOverlap returns the most intervals [start, end] that contain a common
// moment. Zero intervals (streams that never opened) are ignored.
func peakOverlap(intervals [][2]time.Duration) int {
	type edge struct {
		at    time.Duration
		delta int
	}
	edges := make([]edge, 0, 2*len(intervals))
	for _, iv := range intervals {
		if iv[1] == 0 {
			continue
		}
		edges = append(edges, edge{iv[0], +1}, edge{iv[1], -1})
	}
	// At equal times, openings first: touching intervals overlap.
	slices.SortFunc(edges, func(a, b edge) int {
		if c := cmp.Compare(a.at, b.at); c != 0 {
			return c
		}
		return cmp.Compare(b.delta, a.delta)
	})
	open, peak := 0, 0
	for _, e := range edges {
		open += e.delta
		peak = max(peak, open)
	}
	return peak
}
