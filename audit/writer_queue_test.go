package audit_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/audit"
	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
)

// gatedStore is a real store whose first batch write waits for the test:
// entered is closed when it starts, and it goes on when release is closed,
// failing (as every later write does) once failing is set.
type gatedStore struct {
	audit.RequestStore
	entered, release chan struct{}
	once             sync.Once
	failing          atomic.Bool
	calls            atomic.Int64
}

var errStoreDown = errors.New("store is down")

func newGatedStore(st audit.RequestStore) *gatedStore {
	return &gatedStore{RequestStore: st, entered: make(chan struct{}), release: make(chan struct{})}
}

func (g *gatedStore) WriteRequests(ctx context.Context, records []audit.RequestRecord, payloads []audit.Payload) error {
	g.calls.Add(1)
	g.once.Do(func() {
		close(g.entered)
		<-g.release
	})
	if g.failing.Load() {
		return errStoreDown
	}
	return g.RequestStore.WriteRequests(ctx, records, payloads)
}

// syncBuffer is a log destination safe for the writer's goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// finishEmbeds completes n embeddings requests, ids prefix0, prefix1, ...
func finishEmbeds(t *testing.T, log *audit.RequestLog, p *auth.Principal, prefix string, n int) {
	t.Helper()
	for i := range n {
		log.ObserveEmbed(t.Context(), meta(fmt.Sprintf("%s%d", prefix, i)), p, &llm.EmbedRequest{Model: "embed", Inputs: []string{"x"}}).
			FinishEmbed(&llm.EmbedResponse{Model: "e", Embeddings: [][]float32{{1}}}, nil)
	}
}

// startLog runs l's writer until the returned stop is called, which waits
// for Run to return.
func startLog(l *audit.RequestLog) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	return func() {
		cancel()
		<-done
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func storedRequests(t *testing.T, st audit.RequestStore) int {
	t.Helper()
	recs, err := st.ListRequests(t.Context(), audit.RequestQuery{Limit: 10_000})
	if err != nil {
		t.Fatal(err)
	}
	return len(recs)
}

func TestARunningWriterDropsRecordsPastTheQueueBoundAndCountsThem(t *testing.T) {
	st := openStore(t)
	tn := newTenancy(t, st)
	gate := newGatedStore(st)
	logs := &syncBuffer{}
	log := audit.NewRequestLog(gate, audit.RequestLogOptions{
		Teams: st, QueueSize: 5, BatchSize: 2, FlushInterval: time.Hour,
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
	})
	defer startLog(log)()

	finishEmbeds(t, log, tn.principal(), "req_a", 2) // a full batch: the writer takes it to the store
	<-gate.entered
	finishEmbeds(t, log, tn.principal(), "req_b", 10) // the store is stuck: 5 fit, 5 are dropped
	if s := log.Stats(); s.Queued != 5 || s.Dropped != 5 {
		t.Fatalf("stats while the store is stuck: %+v, want 5 queued and 5 dropped", s)
	}
	close(gate.release)
	flush(t, log)
	if s := log.Stats(); s.Queued != 0 || s.Written != 7 || s.Dropped != 5 {
		t.Errorf("stats after the store answered: %+v, want 7 written and 5 dropped", s)
	}
	if n := storedRequests(t, st); n != 7 {
		t.Errorf("%d records stored, want 7", n)
	}
	if n := strings.Count(logs.String(), "queue is full"); n != 1 {
		t.Errorf("the full queue was reported %d times, want once:\n%s", n, logs)
	}
}

func TestFlushWritesEveryRecordQueuedBeforeIt(t *testing.T) {
	st := openStore(t)
	tn := newTenancy(t, st)
	// Batches that do not divide the count, and an interval that never
	// elapses: only Flush writes the last, partial batch.
	log := audit.NewRequestLog(st, audit.RequestLogOptions{Teams: st, BatchSize: 64, FlushInterval: time.Hour})
	defer startLog(log)()

	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() { finishEmbeds(t, log, tn.principal(), fmt.Sprintf("req_%d_", g), 75) })
	}
	wg.Wait()
	flush(t, log)
	if s := log.Stats(); s.Written != 300 || s.Queued != 0 || s.Dropped != 0 {
		t.Errorf("stats after Flush: %+v, want 300 written", s)
	}
	if n := storedRequests(t, st); n != 300 {
		t.Errorf("%d records stored, want 300", n)
	}
	flush(t, log) // nothing queued: returns at once
}

func TestRecordsAreWrittenWithinTheFlushIntervalWithoutAFullBatch(t *testing.T) {
	st := openStore(t)
	tn := newTenancy(t, st)
	log := audit.NewRequestLog(st, audit.RequestLogOptions{Teams: st, BatchSize: 100, FlushInterval: 10 * time.Millisecond})
	defer startLog(log)()

	finishEmbeds(t, log, tn.principal(), "req_a", 3)
	waitFor(t, "the interval to write 3 records", func() bool { return log.Stats().Written == 3 })
	// Several intervals without a record stop the writer's timer; the
	// next record must start it again.
	time.Sleep(50 * time.Millisecond)
	finishEmbeds(t, log, tn.principal(), "req_b", 2)
	waitFor(t, "the interval to write 2 more records", func() bool { return log.Stats().Written == 5 })
	if n := storedRequests(t, st); n != 5 {
		t.Errorf("%d records stored, want 5", n)
	}
}

func TestTheFinalDrainWritesWhatIsQueued(t *testing.T) {
	st := openStore(t)
	tn := newTenancy(t, st)
	log := audit.NewRequestLog(st, audit.RequestLogOptions{Teams: st, BatchSize: 10, FlushInterval: time.Hour})
	stop := startLog(log)
	finishEmbeds(t, log, tn.principal(), "req_", 25)
	stop()
	if s := log.Stats(); s.Written != 25 || s.Queued != 0 {
		t.Errorf("stats after Run returned: %+v, want 25 written", s)
	}
	if n := storedRequests(t, st); n != 25 {
		t.Errorf("%d records stored, want 25", n)
	}
}

func TestTheFinalDrainDropsTheRestOnceTheStoreFails(t *testing.T) {
	st := openStore(t)
	tn := newTenancy(t, st)
	gate := newGatedStore(st)
	logs := &syncBuffer{}
	log := audit.NewRequestLog(gate, audit.RequestLogOptions{
		Teams: st, BatchSize: 10, FlushInterval: time.Hour,
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- log.Run(ctx) }()

	finishEmbeds(t, log, tn.principal(), "req_a", 10) // a full batch, held in the store
	<-gate.entered
	finishEmbeds(t, log, tn.principal(), "req_b", 25) // three more batches' worth, queued
	cancel()
	gate.failing.Store(true)
	close(gate.release)
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	// The held batch is tried its three times; the drain tries the next
	// batch once and then drops the rest without asking the store again.
	if s, calls := log.Stats(), gate.calls.Load(); s.Written != 0 || s.Dropped != 35 || s.Queued != 0 || calls != 4 {
		t.Errorf("stats %+v after %d store writes, want 35 dropped after 4 writes", s, calls)
	}
	if !strings.Contains(logs.String(), "while shutting down") {
		t.Errorf("the drain's failure was not logged:\n%s", logs)
	}
}

func TestAPayloadPastTheByteBoundIsSkippedButItsRecordKept(t *testing.T) {
	st := openStore(t)
	tn := newTenancy(t, st)
	on := true
	if _, err := tn.teams.Update(t.Context(), auth.UpdateTeamParams{ID: tn.team.ID, PayloadCapture: &on}); err != nil {
		t.Fatal(err)
	}
	log := audit.NewRequestLog(st, audit.RequestLogOptions{Teams: st, MaxQueuedPayloadBytes: 1})
	defer startLog(log)()
	log.ObserveChat(t.Context(), meta("req_big"), tn.principal(), chatRequest("hello"), false).Finish(answer("Done."), nil)
	flush(t, log)
	recs, _, err := audit.ListRequests(t.Context(), st, audit.ListRequestsParams{})
	if err != nil || len(recs) != 1 || recs[0].PayloadCaptured {
		t.Fatalf("records %+v, %v: want one, without its payload", recs, err)
	}
	if s := log.Stats(); s.PayloadsSkipped != 1 || s.Written != 1 {
		t.Errorf("stats %+v, want 1 payload skipped", s)
	}
}
