package loadbench_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/internal/loadbench"
)

// buildSwitchboard builds the real binary the benchmark drives.
func buildSwitchboard(t *testing.T) string {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(here), "..", "..")
	bin := filepath.Join(t.TempDir(), "switchboard")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/switchboard")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// A miniature benchmark, end to end: the simulator and the gateway start,
// a virtual key is made, loads run against both, the held streams all stay
// open together, the gateway reports its own overhead, and the report
// prints. (Its figures mean nothing at this size; only that every part
// works.)
func TestRunMeasuresDirectAndGateway(t *testing.T) {
	cfg := loadbench.DefaultConfig()
	cfg.Binary = buildSwitchboard(t)
	cfg.Warmup, cfg.Duration = 100*time.Millisecond, 400*time.Millisecond
	cfg.Rate = 100
	cfg.HeldStreams, cfg.HeldChunks, cfg.HeldChunkDelay, cfg.HeldRampUp = 20, 4, 100*time.Millisecond, 100*time.Millisecond
	cfg.Only = []string{loadbench.UnaryOpen, loadbench.StreamOpen, loadbench.HeldStreams}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// With PostgreSQL and Redis (make test starts both), the
	// production-backed configurations run too.
	wantRuns := 4
	if dsn := os.Getenv("SWITCHBOARD_TEST_POSTGRES_DSN"); dsn != "" {
		cfg.Backends = loadbench.ProductionBackends(dsn, os.Getenv("SWITCHBOARD_TEST_REDIS_URL"))
		wantRuns += 2 * len(cfg.Backends)
	}

	rep, err := loadbench.Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Runs) != wantRuns || len(rep.Held) != 2 {
		t.Fatalf("%d runs and %d holds, want %d and 2", len(rep.Runs), len(rep.Held), wantRuns)
	}
	for _, r := range rep.Runs {
		if r.OK == 0 || r.Errors != 0 || r.Latency.P50 <= 0 || r.TTFB.P50 <= 0 {
			t.Errorf("%s %s: %d ok, %d errors (%v), p50 %v, TTFB p50 %v", r.Scenario.Title(), r.Target, r.OK, r.Errors, r.ErrorKinds, r.Latency.P50, r.TTFB.P50)
		}
		if r.Scenario.Stream && r.EventsPerAnswer < 3 {
			t.Errorf("%s %s: %.1f events per stream", r.Scenario.Title(), r.Target, r.EventsPerAnswer)
		}
		if strings.HasPrefix(r.Target, loadbench.TargetGateway) {
			if r.Overhead == nil || r.GatewayPeakRSS <= 0 {
				t.Errorf("%s: no overhead or RSS measured (notes: %v)", r.Scenario.Title(), rep.Notes)
			} else if r.Overhead.Unary.Count == 0 && r.Overhead.StreamChunk.Count == 0 {
				t.Errorf("%s: the gateway measured no overhead", r.Scenario.Title())
			}
		}
	}
	for _, h := range rep.Held {
		if h.Skipped != "" || h.OK != cfg.HeldStreams || h.Errors != 0 || h.PeakOpen != cfg.HeldStreams {
			t.Errorf("held streams %s: %+v", h.Target, h)
		}
	}
	var out bytes.Buffer
	rep.Print(&out)
	want := []string{"unary, 100 req/s", "added by gateway", "own overhead", "held streams", "targets"}
	for _, b := range cfg.Backends {
		want = append(want, "added by gateway/"+b.Name, "gateway/"+b.Name+", unary, 500 req/s: added p50")
	}
	for _, want := range want {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}
