package overhead_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

// upstreamDelay is how long the fake upstream takes to answer: much longer
// than anything the test's "gateway" does, so that an overhead that wrongly
// included the upstream's time could not go unnoticed.
const upstreamDelay = 300 * time.Millisecond

// gatewayWork stands for the gateway's own processing before and after the
// upstream call.
const gatewayWork = 5 * time.Millisecond

func slowUpstream(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		time.Sleep(upstreamDelay)
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// exchange does what a provider does around one upstream call.
func exchange(t *testing.T, ctx context.Context, client *http.Client, url string) {
	t.Helper()
	probe := overhead.From(ctx)
	ctx = probe.TraceUpstream(ctx)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(`{"q":1}`))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	probe.Sent()
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	probe.Received()
}

// The own time of a unary request counts the gateway's work before and
// after the upstream call, not the upstream's answer time.
func TestUnaryOwnTimeExcludesTheUpstream(t *testing.T) {
	up := slowUpstream(t)
	var rec overhead.Recorder
	var probe overhead.Probe
	ctx := overhead.With(context.Background(), &probe)

	probe.Start()
	time.Sleep(gatewayWork)
	exchange(t, ctx, up.Client(), up.URL)
	time.Sleep(gatewayWork)
	probe.UnaryDone(&rec)
	probe.UnaryDone(&rec) // recorded once only

	s := rec.Snapshot()
	if s.Unary.Count != 1 || s.StreamRequest.Count != 0 || s.StreamChunk.Count != 0 {
		t.Fatalf("counts: unary %d, stream request %d, chunk %d; want 1, 0, 0", s.Unary.Count, s.StreamRequest.Count, s.StreamChunk.Count)
	}
	own := s.Unary.Max
	if own < 2*gatewayWork {
		t.Errorf("own time %v is less than the gateway's work %v", own, 2*gatewayWork)
	}
	if own >= upstreamDelay {
		t.Errorf("own time %v includes the upstream's %v", own, upstreamDelay)
	}
}

// When a request is retried on a second deployment, the time between the
// attempts is the gateway's, the two upstream waits are not.
func TestRetriedRequestCountsTheGapBetweenAttempts(t *testing.T) {
	up := slowUpstream(t)
	var rec overhead.Recorder
	var probe overhead.Probe
	ctx := overhead.With(context.Background(), &probe)

	probe.Start()
	exchange(t, ctx, up.Client(), up.URL)
	time.Sleep(gatewayWork) // deciding to fail over
	exchange(t, ctx, up.Client(), up.URL)
	probe.UnaryDone(&rec)

	own := rec.Snapshot().Unary.Max
	if own < gatewayWork || own >= upstreamDelay {
		t.Errorf("own time %v: want at least %v and less than one upstream answer (%v)", own, gatewayWork, upstreamDelay)
	}
}

// A stream records its request part once, each flush once as a write, and
// each chunk with its share of the flush; the request middleware's
// UnaryDone does nothing for a stream.
func TestStreamRecordsRequestWritesAndChunks(t *testing.T) {
	up := slowUpstream(t)
	var rec overhead.Recorder
	var probe overhead.Probe
	ctx := overhead.With(context.Background(), &probe)

	probe.Start()
	exchange(t, ctx, up.Client(), up.URL) // headers and the first chunk
	probe.ChunkWritten()
	probe.ChunkDone(&rec)
	for range 3 {
		time.Sleep(10 * time.Millisecond) // the upstream producing the next chunk
		probe.Received()
		probe.ChunkWritten()
		probe.ChunkDone(&rec)
	}
	probe.ChunkDone(&rec) // nothing read since the last flush: nothing to record
	time.Sleep(10 * time.Millisecond)
	probe.Received() // two chunks that arrived together,
	probe.ChunkWritten()
	time.Sleep(gatewayWork)
	probe.Received()
	probe.ChunkWritten()
	probe.ChunkDone(&rec) // flushed in one write
	probe.UnaryDone(&rec)

	s := rec.Snapshot()
	if s.StreamRequest.Count != 1 || s.StreamWrite.Count != 5 || s.StreamChunk.Count != 6 || s.Unary.Count != 0 {
		t.Fatalf("counts: stream request %d, write %d, chunk %d, unary %d; want 1, 5, 6, 0",
			s.StreamRequest.Count, s.StreamWrite.Count, s.StreamChunk.Count, s.Unary.Count)
	}
	if s.StreamWrite.Max >= 10*time.Millisecond {
		t.Errorf("a write's own time %v includes the wait for the upstream", s.StreamWrite.Max)
	}
	if s.StreamWrite.Max < gatewayWork {
		t.Errorf("the shared write counted %v, less than its older chunk waited (%v)", s.StreamWrite.Max, gatewayWork)
	}
	// The chunks share their writes' time: together they have all of it
	// (but for the nanoseconds of integer division).
	if d := s.StreamWrite.Histogram.Sum - s.StreamChunk.Histogram.Sum; d < 0 || d > 5 {
		t.Errorf("chunks total %v, writes %v", s.StreamChunk.Histogram.Sum, s.StreamWrite.Histogram.Sum)
	}
}

// A request answered without an upstream call (a bad request, /v1/models)
// is not a gateway overhead sample.
func TestRequestWithoutUpstreamIsNotRecorded(t *testing.T) {
	var rec overhead.Recorder
	var probe overhead.Probe
	probe.Start()
	probe.UnaryDone(&rec)
	probe.ChunkDone(&rec)
	if s := rec.Snapshot(); s.Unary.Count+s.StreamRequest.Count+s.StreamChunk.Count != 0 {
		t.Fatalf("recorded %+v", s)
	}
}

// Without a probe in the context every call is a no-op, and the context is
// returned as is.
func TestNilProbeIsANoOp(t *testing.T) {
	ctx := context.Background()
	p := overhead.From(ctx)
	if p != nil {
		t.Fatal("probe in an empty context")
	}
	if p.TraceUpstream(ctx) != ctx {
		t.Fatal("TraceUpstream changed the context without a probe")
	}
	p.Start()
	p.Sent()
	p.Received()
	p.UnaryDone(new(overhead.Recorder))
	p.ChunkDone(new(overhead.Recorder))
}

func TestNowIsMonotonicAndNeverZero(t *testing.T) {
	a := overhead.Now()
	b := overhead.Now()
	if a <= 0 || b < a {
		t.Fatalf("Now went %d then %d", a, b)
	}
}

// BenchmarkProbeUnary is the instrumentation's whole cost for one unary
// request: the stamps, the client trace, and the histogram record.
func BenchmarkProbeUnary(b *testing.B) {
	var rec overhead.Recorder
	b.ReportAllocs()
	for b.Loop() {
		var probe overhead.Probe
		ctx := overhead.With(context.Background(), &probe)
		probe.Start()
		_ = overhead.From(ctx).TraceUpstream(ctx)
		probe.Sent()
		probe.Received()
		probe.UnaryDone(&rec)
	}
}

// BenchmarkProbeChunk is the instrumentation's cost per stream chunk.
func BenchmarkProbeChunk(b *testing.B) {
	var rec overhead.Recorder
	var probe overhead.Probe
	probe.Start()
	probe.Sent()
	b.ReportAllocs()
	for b.Loop() {
		probe.Received()
		probe.ChunkWritten()
		probe.ChunkDone(&rec)
	}
}

// Hedged attempts mark one probe from several goroutines at once; that
// must be safe (run with -race).
func TestProbeIsSafeForConcurrentAttempts(t *testing.T) {
	var rec overhead.Recorder
	var probe overhead.Probe
	ctx := overhead.With(context.Background(), &probe)
	probe.Start()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 200 {
				_ = probe.TraceUpstream(ctx)
				probe.Sent()
				probe.Received()
				probe.ChunkWritten()
				probe.ChunkDone(&rec)
			}
		})
	}
	wg.Wait()
	probe.UnaryDone(&rec)
	if s := rec.Snapshot(); s.StreamRequest.Count != 1 || s.StreamChunk.Count == 0 {
		t.Fatalf("counts: stream request %d, chunk %d", s.StreamRequest.Count, s.StreamChunk.Count)
	}
}
