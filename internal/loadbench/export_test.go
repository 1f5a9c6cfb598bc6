package loadbench

import (
	"context"
	"io"
	"time"
)

// Internals exposed to the black-box tests.

func PeakOverlap(intervals [][2]time.Duration) int { return peakOverlap(intervals) }

// ReadAnswer reads body as the load generator does and returns the event
// count and whether the answer is complete.
func ReadAnswer(body io.Reader, bufSize int, stream bool) (events int, complete bool, err error) {
	a := readAnswer(body, make([]byte, bufSize), time.Now())
	return a.events, a.complete(stream), a.err
}

func Quantiles(ds []time.Duration) (p50, p90, p99, max time.Duration) {
	q := quantilesOf(ds)
	return q.P50, q.P90, q.P99, q.Max
}

func CPUTime(pid int) (time.Duration, error) { return cpuTime(pid) }

func MemoryStatus(pid int) (peak, current int64, err error) { return memoryStatus(pid) }

func OpenFilesLimit(pid int) (int64, error) { return openFilesLimit(pid) }

func ValidateConfig(c Config) error { return c.validate() }

// Target names, for building reports in tests.
const (
	TargetDirect    = targetDirect
	TargetBareProxy = targetBareProxy
	TargetGateway   = targetGateway
)

func PeerVersion(p Peer) string { return peerVersion(p) }

func ProcessTree(root int) []int { return processTree(root) }

func TreePeakRSS(root int) (int64, error) { return treePeakRSS(root) }

// StartPeers starts the peers of cfg in front of simURL and stops them
// again, returning what the report would say of each.
func StartPeers(ctx context.Context, cfg Config, simURL, dir string) []PeerInfo {
	peers, infos := startPeers(ctx, &cfg, simURL, dir)
	stopPeers(peers)
	return infos
}
