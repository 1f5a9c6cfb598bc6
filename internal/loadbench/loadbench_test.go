package loadbench_test

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/switchboard-gw/switchboard/internal/loadbench"
)

func TestPeakOverlap(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		intervals [][2]time.Duration
		want      int
	}{
		{nil, 0},
		{[][2]time.Duration{{0, 10 * ms}, {5 * ms, 15 * ms}, {20 * ms, 30 * ms}}, 2},
		{[][2]time.Duration{{0, 10 * ms}, {10 * ms, 20 * ms}}, 2}, // touching counts
		{[][2]time.Duration{{0, 10 * ms}, {1 * ms, 9 * ms}, {2 * ms, 8 * ms}, {0, 0}}, 3},
	} {
		if got := loadbench.PeakOverlap(tc.intervals); got != tc.want {
			t.Errorf("PeakOverlap(%v) = %d, want %d", tc.intervals, got, tc.want)
		}
	}
}

// Events are counted however the body is split into reads, and a stream is
// complete only with its [DONE].
func TestReadAnswerCountsEventsAcrossReads(t *testing.T) {
	stream := "data: {\"a\":1}\n\ndata: {\"a\":2}\n\ndata: [DONE]\n\n"
	for _, size := range []int{1, 2, 3, 7, 64} {
		events, complete, err := loadbench.ReadAnswer(iotest.OneByteReader(strings.NewReader(stream)), size, true)
		if err != nil || events != 3 || !complete {
			t.Errorf("buffer %d: %d events, complete %v, err %v", size, events, complete, err)
		}
	}
	if _, complete, _ := loadbench.ReadAnswer(strings.NewReader("data: {}\n\n"), 64, true); complete {
		t.Error("a stream without [DONE] counted as complete")
	}
	if _, complete, _ := loadbench.ReadAnswer(strings.NewReader(`{"choices":[{"finish_reason":"stop"}]}`), 8, false); !complete {
		t.Error("a unary answer with finish_reason counted as incomplete")
	}
	if _, _, err := loadbench.ReadAnswer(iotest.ErrReader(io.ErrUnexpectedEOF), 8, false); err == nil {
		t.Error("a read error was not reported")
	}
}

func TestQuantiles(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i))
	}
	p50, p90, p99, max := loadbench.Quantiles(ds)
	if p50 != 50 || p90 != 90 || p99 != 99 || max != 100 {
		t.Fatalf("quantiles %v %v %v %v", p50, p90, p99, max)
	}
	if p50, _, _, _ := loadbench.Quantiles(nil); p50 != 0 {
		t.Fatal("quantiles of nothing")
	}
}

// The /proc readers work on this very process.
func TestProcReaders(t *testing.T) {
	pid := os.Getpid()
	if _, err := loadbench.CPUTime(pid); err != nil {
		t.Fatal(err)
	}
	peak, current, err := loadbench.MemoryStatus(pid)
	if err != nil || current <= 0 || peak < current {
		t.Fatalf("memory: peak %d, current %d, err %v", peak, current, err)
	}
	if limit, err := loadbench.OpenFilesLimit(pid); err != nil || limit <= 0 {
		t.Fatalf("open files limit %d, err %v", limit, err)
	}
}

func TestConfigValidation(t *testing.T) {
	good := loadbench.DefaultConfig()
	good.Binary = "switchboard"
	if err := loadbench.ValidateConfig(good); err != nil {
		t.Fatalf("default config: %v", err)
	}
	bad := good
	bad.Binary, bad.Rate, bad.Only = "", 0, []string{"nope"}
	err := loadbench.ValidateConfig(bad)
	for _, want := range []string{"Binary", "Rate", `"nope"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not mention %s", err, want)
		}
	}
}

// The targets are judged from the runs, and a missing scenario is reported
// as not measured rather than passed or failed.
func TestTargetsAreEvaluated(t *testing.T) {
	cfg := loadbench.DefaultConfig()
	sc := loadbench.Scenarios(cfg)
	rep := &loadbench.Report{Config: cfg, Runs: []loadbench.RunResult{
		{Scenario: sc[0], Target: loadbench.TargetDirect, OK: 1000, Throughput: 10000},
		{Scenario: sc[0], Target: loadbench.TargetGateway, OK: 1000, Throughput: 4000},
	}}
	checks := rep.Targets()
	if !checks[0].Pass || checks[0].Missing {
		t.Fatalf("40%% of direct throughput should pass the 30%% target: %+v", checks[0])
	}
	for _, c := range checks[1:] {
		if !c.Missing || c.Pass {
			t.Fatalf("unmeasured target judged: %+v", c)
		}
	}
	var out bytes.Buffer
	rep.Print(&out)
	if !strings.Contains(out.String(), "PASS  unary, 50 connections") {
		t.Fatalf("report:\n%s", out.String())
	}
}
