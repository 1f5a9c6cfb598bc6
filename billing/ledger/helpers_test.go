package ledger_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/ledger"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/store/sqlite"
)

// newStore opens a real SQLite store in the test's temporary directory.
func newStore(t testing.TB) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "ledger.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// flakyStore wraps a real store with an outage switch, a hang (writes
// block until released or their context ends), and a log of what it
// stored, in order.
type flakyStore struct {
	ledger.Store
	mu      sync.Mutex
	down    bool
	hang    chan struct{}
	poison  string // records with this request id are refused as invalid
	batches []int
	order   []string // request ids of stored records, first occurrence each, appended once the store has committed them
	seen    map[string]bool
}

var errOutage = fmt.Errorf("store unreachable (test outage)")

func newFlaky(s ledger.Store) *flakyStore { return &flakyStore{Store: s, seen: map[string]bool{}} }

func (f *flakyStore) WriteSpend(ctx context.Context, recs []ledger.Record) error {
	f.mu.Lock()
	down, hang, poison := f.down, f.hang, f.poison
	f.mu.Unlock()
	if hang != nil {
		select {
		case <-hang:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if down {
		return errOutage
	}
	for _, r := range recs {
		if poison != "" && r.RequestID == poison {
			return fmt.Errorf("%w: refused by the test", ledger.ErrInvalidRecord)
		}
	}
	if err := f.Store.WriteSpend(ctx, recs); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.batches = append(f.batches, len(recs))
	for _, r := range recs {
		id := fmt.Sprintf("%s#%d", r.RequestID, r.Attempt)
		if !f.seen[id] {
			f.seen[id] = true
			f.order = append(f.order, id)
		}
	}
	return nil
}

func (f *flakyStore) setDown(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
}

// hold makes writes hang until the returned function is called.
func (f *flakyStore) hold() (release func()) {
	ch := make(chan struct{})
	f.mu.Lock()
	f.hang = ch
	f.mu.Unlock()
	return func() {
		f.mu.Lock()
		f.hang = nil
		f.mu.Unlock()
		close(ch)
	}
}

func (f *flakyStore) batchSizes() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.batches)
}

func (f *flakyStore) storedOrder() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.order)
}

// base is a fixed instant with a microsecond part.
var base = time.Date(2026, 3, 14, 15, 9, 26, 535897000, time.UTC)

// records makes n single-attempt records, req-<prefix>-00000..., a
// millisecond apart.
func records(prefix string, n int) []ledger.Record {
	out := make([]ledger.Record, n)
	for i := range out {
		out[i] = ledger.Record{
			RequestID: fmt.Sprintf("req-%s-%05d", prefix, i), Attempt: 1, Time: base.Add(time.Duration(i) * time.Millisecond),
			KeyID: "key_test", TeamID: "team_default", Alias: "chat", Deployment: "sim", Provider: "sim", Model: "sim-model",
			Reason: llm.AttemptFirst, Outcome: llm.OutcomeOK,
			Usage:       llm.Usage{InputTokens: 100, OutputTokens: 20},
			CostNanoUSD: 1000, PricingVersion: "test",
		}
	}
	return out
}

func ids(recs []ledger.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = fmt.Sprintf("%s#%d", r.RequestID, r.Attempt)
	}
	return out
}

// stored returns the store's totals over all time.
func stored(t testing.TB, s ledger.SpendQuerier) ledger.Totals {
	t.Helper()
	var total ledger.Totals
	err := s.QuerySpend(context.Background(), ledger.Query{Filter: ledger.Filter{From: time.Unix(0, 0), To: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)}},
		func(r ledger.Row) error { total.Add(r.Totals); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return total
}

// eventually polls cond until it holds, failing the test after a generous
// deadline (this is not a timing assertion: only a hang fails).
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// logBuffer collects a writer's log output.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

// fastOptions are options for tests: small batches, short intervals and
// backoff, and a captured log.
func fastOptions(dir string, log *logBuffer) ledger.WriterOptions {
	return ledger.WriterOptions{
		SpoolDir: dir, QueueSize: 1000, BatchSize: 10,
		FlushInterval: 5 * time.Millisecond, RetryMin: 2 * time.Millisecond, RetryMax: 20 * time.Millisecond,
		WriteTimeout: 10 * time.Second, Logger: log.logger(),
	}
}

func newWriter(t testing.TB, s ledger.SpendWriter, o ledger.WriterOptions) *ledger.Writer {
	t.Helper()
	w, err := ledger.NewWriter(s, o)
	if err != nil {
		t.Fatalf("NewWriter: %v", err)
	}
	t.Cleanup(func() { w.Close(context.Background()) })
	return w
}

func enqueueAll(t testing.TB, w *ledger.Writer, recs []ledger.Record) {
	t.Helper()
	for _, r := range recs {
		if err := w.Enqueue(r); err != nil {
			t.Fatalf("Enqueue(%s): %v", r.RequestID, err)
		}
	}
}

func closeWriter(t testing.TB, w *ledger.Writer) {
	t.Helper()
	if err := w.Close(context.Background()); err != nil {
		t.Fatalf("Close: %v", err)
	}
}
