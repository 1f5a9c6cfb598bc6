package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/ledger"
)

func TestWriterWritesFullBatchesThenTheRestOnClose(t *testing.T) {
	store := newFlaky(newStore(t))
	var log logBuffer
	o := fastOptions(t.TempDir(), &log)
	o.FlushInterval = time.Hour // only full batches until Close
	w := newWriter(t, store, o)

	enqueueAll(t, w, records("a", 25))
	eventually(t, "two full batches are written", func() bool { return w.Stats().Written == 20 })
	if got := w.Stats().QueueLength; got != 5 {
		t.Errorf("queue length %d, want the 5 records of an unfilled batch", got)
	}
	closeWriter(t, w)
	if got := store.batchSizes(); !slices.Equal(got, []int{10, 10, 5}) {
		t.Errorf("batches %v, want [10 10 5]", got)
	}
	if got := stored(t, store); got.Attempts != 25 || got.CostNanoUSD != 25_000 {
		t.Errorf("stored %+v, want 25 attempts costing 25000", got)
	}
}

func TestWriterFlushesAPartialBatchAfterTheInterval(t *testing.T) {
	store := newFlaky(newStore(t))
	var log logBuffer
	o := fastOptions(t.TempDir(), &log)
	o.BatchSize = 1000
	w := newWriter(t, store, o)
	enqueueAll(t, w, records("a", 3))
	eventually(t, "the partial batch is written", func() bool { return w.Stats().Written == 3 })
	if got := stored(t, store).Attempts; got != 3 {
		t.Errorf("%d records stored, want 3", got)
	}
	if st := w.Stats(); st.Spooled != 0 || st.QueueLength != 0 || st.InFlight != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestWriterSpoolsWhileTheStoreIsDownAndReplaysInOrder(t *testing.T) {
	store := newFlaky(newStore(t))
	store.setDown(true)
	var log logBuffer
	dir := t.TempDir()
	w := newWriter(t, store, fastOptions(dir, &log))

	first := records("a", 95)
	enqueueAll(t, w, first)
	eventually(t, "every record is spooled", func() bool { st := w.Stats(); return st.SpoolRecords == 95 && st.Spooled == 95 })
	if got := stored(t, store).Attempts; got != 0 {
		t.Fatalf("%d records stored during the outage", got)
	}
	st := w.Stats()
	if st.Failed == 0 || st.Spooled != 95 || st.SpoolBytes == 0 || st.SpoolSegments == 0 {
		t.Errorf("stats during the outage: %+v", st)
	}
	segments, _ := filepath.Glob(filepath.Join(dir, "spend-*.jsonl"))
	if len(segments) != st.SpoolSegments {
		t.Errorf("%d segment files, stats say %d", len(segments), st.SpoolSegments)
	}

	// The store comes back while records keep arriving: they go behind
	// the spool.
	store.setDown(false)
	second := records("b", 40)
	enqueueAll(t, w, second)
	eventually(t, "the spool is replayed", func() bool {
		st := w.Stats()
		return st.SpoolRecords == 0 && st.SpoolSegments == 0 && len(store.storedOrder()) == 135
	})
	if got, want := store.storedOrder(), ids(append(first, second...)); !slices.Equal(got, want) {
		t.Errorf("stored in order\n%v\nwant\n%v", got, want)
	}
	if segments, _ := filepath.Glob(filepath.Join(dir, "spend-*")); len(segments) != 0 {
		t.Errorf("segments left after replay: %v", segments)
	}
	if st := w.Stats(); st.Replayed < 95 || st.Dropped != 0 || st.Corrupt != 0 {
		t.Errorf("stats after replay: %+v", st)
	}
	if !strings.Contains(log.String(), "spooling the batch") {
		t.Errorf("no warning about the outage in the log:\n%s", log.String())
	}
}

func TestWriterSpillsToTheSpoolWhenTheQueueIsFull(t *testing.T) {
	store := newFlaky(newStore(t))
	release := store.hold() // the store hangs: nothing leaves the queue
	var log logBuffer
	o := fastOptions(t.TempDir(), &log)
	o.QueueSize, o.BatchSize = 8, 4
	w := newWriter(t, store, o)

	recs := records("a", 60)
	enqueueAll(t, w, recs) // would deadlock if Enqueue waited for the store
	st := w.Stats()
	if st.Spooled == 0 || st.QueueLength > 8 {
		t.Fatalf("stats after overfilling the queue: %+v; want records spooled by Enqueue", st)
	}
	release()
	eventually(t, "every record is stored", func() bool {
		st := w.Stats()
		return st.SpoolRecords == 0 && st.QueueLength == 0 && len(store.storedOrder()) == 60
	})
	if got := store.storedOrder(); !slices.Equal(got, ids(recs)) {
		t.Errorf("stored in order\n%v\nwant\n%v", got, ids(recs))
	}
	closeWriter(t, w)
	if got := stored(t, store); got.Attempts != 60 || got.Requests != 60 {
		t.Errorf("stored %+v, want 60 requests of one attempt", got)
	}
}

func TestWriterCloseFlushesTheQueueToTheStore(t *testing.T) {
	store := newFlaky(newStore(t))
	var log logBuffer
	o := fastOptions(t.TempDir(), &log)
	o.BatchSize, o.FlushInterval = 1000, time.Hour
	w := newWriter(t, store, o)
	enqueueAll(t, w, records("a", 30))
	closeWriter(t, w)
	if got := stored(t, store).Attempts; got != 30 {
		t.Errorf("%d records stored after Close, want 30", got)
	}
	if st := w.Stats(); st.QueueLength != 0 || st.SpoolRecords != 0 || st.Written != 30 {
		t.Errorf("stats after Close: %+v", st)
	}
}

func TestWriterCloseSpoolsWhileTheStoreIsDownAndARestartReplays(t *testing.T) {
	store := newFlaky(newStore(t))
	store.setDown(true)
	var log logBuffer
	dir := t.TempDir()
	o := fastOptions(dir, &log)
	o.FlushInterval = time.Hour
	w := newWriter(t, store, o)
	recs := records("a", 35)
	enqueueAll(t, w, recs)
	closeWriter(t, w)
	if st := w.Stats(); st.SpoolRecords != 35 || st.QueueLength != 0 || st.InFlight != 0 {
		t.Fatalf("stats after Close during an outage: %+v; want all 35 spooled", st)
	}

	// A record that arrives after Close (a request finishing late) is
	// spooled too.
	late := records("late", 1)
	if err := w.Enqueue(late[0]); err != nil {
		t.Fatalf("Enqueue after Close: %v", err)
	}

	store.setDown(false)
	again := newWriter(t, store, fastOptions(dir, &log))
	eventually(t, "the restarted writer replays the spool", func() bool {
		return again.Stats().SpoolRecords == 0 && len(store.storedOrder()) == 36
	})
	if got := store.storedOrder(); !slices.Equal(got, ids(append(recs, late...))) {
		t.Errorf("stored in order\n%v\nwant\n%v", got, ids(append(recs, late...)))
	}
	if !strings.Contains(log.String(), "replaying spooled spend records") {
		t.Errorf("the restart does not say it replays:\n%s", log.String())
	}
}

func TestWriterCloseStopsWaitingForAHangingStoreWhenItsContextEnds(t *testing.T) {
	store := newFlaky(newStore(t))
	release := store.hold()
	defer release()
	var log logBuffer
	o := fastOptions(t.TempDir(), &log)
	o.WriteTimeout = time.Hour
	w := newWriter(t, store, o)
	enqueueAll(t, w, records("a", 25))
	eventually(t, "a write is under way", func() bool { return w.Stats().InFlight > 0 })

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := w.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if st := w.Stats(); st.SpoolRecords != 25 || st.QueueLength != 0 || st.InFlight != 0 {
		t.Errorf("stats after Close: %+v; want all 25 spooled", st)
	}
}

func TestWriterSkipsATruncatedLastLineAndReplaysTheRest(t *testing.T) {
	store := newFlaky(newStore(t))
	store.setDown(true)
	var log logBuffer
	dir := t.TempDir()
	w := newWriter(t, store, fastOptions(dir, &log))
	recs := records("a", 20)
	enqueueAll(t, w, recs)
	closeWriter(t, w)

	// A crash in the middle of an append leaves half a line.
	segments, _ := filepath.Glob(filepath.Join(dir, "spend-*.jsonl"))
	if len(segments) == 0 {
		t.Fatal("no spool segment")
	}
	last := segments[len(segments)-1]
	f, err := os.OpenFile(last, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"request_id":"req-torn","attempt":1,"time":"2026-03-14T15:`); err != nil {
		t.Fatal(err)
	}
	f.Close()

	store.setDown(false)
	again := newWriter(t, store, fastOptions(dir, &log))
	eventually(t, "the spool is replayed", func() bool { return again.Stats().SpoolSegments == 0 })
	if got := stored(t, store).Attempts; got != 20 {
		t.Errorf("%d records stored, want the 20 complete ones", got)
	}
	if st := again.Stats(); st.Corrupt != 1 {
		t.Errorf("Corrupt = %d, want 1", st.Corrupt)
	}
	if !strings.Contains(log.String(), "truncated line") {
		t.Errorf("no warning about the truncated line:\n%s", log.String())
	}
	if kept, _ := filepath.Glob(filepath.Join(dir, "*.corrupt")); len(kept) != 0 {
		t.Errorf("a torn tail (expected after a crash) should not keep the segment: %v", kept)
	}
}

func TestWriterKeepsASegmentWithUnreadableLinesForInspection(t *testing.T) {
	store := newFlaky(newStore(t))
	store.setDown(true)
	var log logBuffer
	dir := t.TempDir()
	o := fastOptions(dir, &log)
	o.BatchSize = 100
	w := newWriter(t, store, o)
	enqueueAll(t, w, records("a", 5))
	closeWriter(t, w)
	segments, _ := filepath.Glob(filepath.Join(dir, "spend-*.jsonl"))
	if len(segments) != 1 {
		t.Fatalf("segments %v, want one", segments)
	}
	data, err := os.ReadFile(segments[0])
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	lines[2] = "this line was damaged on disk\n"
	if err := os.WriteFile(segments[0], []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}

	store.setDown(false)
	again := newWriter(t, store, fastOptions(dir, &log))
	eventually(t, "the spool is replayed", func() bool { return again.Stats().SpoolSegments == 0 })
	if got := stored(t, store).Attempts; got != 4 {
		t.Errorf("%d records stored, want the 4 readable ones", got)
	}
	if _, err := os.Stat(segments[0] + ".corrupt"); err != nil {
		t.Errorf("the damaged segment is not kept as .corrupt: %v", err)
	}
	if !strings.Contains(log.String(), "lines=[3]") {
		t.Errorf("the warning does not name line 3:\n%s", log.String())
	}
}

func TestWriterConcurrentEnqueueLosesAndDoublesNothing(t *testing.T) {
	store := newFlaky(newStore(t))
	var log logBuffer
	dir := t.TempDir()
	o := fastOptions(dir, &log)
	o.QueueSize, o.BatchSize = 64, 32
	w := newWriter(t, store, o)

	const goroutines, each = 12, 200
	stopFlapping := make(chan struct{})
	flapped := make(chan struct{})
	go func() { // outages come and go during the load
		defer close(flapped)
		for i := 0; ; i++ {
			select {
			case <-stopFlapping:
				store.setDown(false)
				return
			case <-time.After(3 * time.Millisecond):
				store.setDown(i%2 == 0)
			}
		}
	}()
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for _, r := range records(fmt.Sprint(g), each) {
				if err := w.Enqueue(r); err != nil {
					t.Errorf("Enqueue: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stopFlapping)
	<-flapped
	closeWriter(t, w)

	again := newWriter(t, store, fastOptions(dir, &log)) // replays what Close left in the spool
	eventually(t, "everything is stored", func() bool { return again.Stats().SpoolSegments == 0 })
	got := stored(t, store)
	if got.Attempts != goroutines*each || got.Requests != goroutines*each {
		t.Errorf("stored %d attempts of %d requests, want %d of each", got.Attempts, got.Requests, goroutines*each)
	}
	if st := w.Stats(); st.Dropped != 0 {
		t.Errorf("dropped %d", st.Dropped)
	}
	// Each goroutine's records reach the store in the order it enqueued
	// them.
	pos := map[string]int{}
	for i, id := range store.storedOrder() {
		pos[id] = i
	}
	for g := range goroutines {
		want := ids(records(fmt.Sprint(g), each))
		if !slices.IsSortedFunc(want, func(a, b string) int { return pos[a] - pos[b] }) {
			t.Errorf("goroutine %d's records were stored out of order", g)
		}
	}
}

func TestEnqueueRefusesARecordThatCannotBeStored(t *testing.T) {
	var log logBuffer
	w := newWriter(t, newStore(t), fastOptions(t.TempDir(), &log))
	r := records("a", 1)[0]
	r.Attempt = 0
	if err := w.Enqueue(r); !errors.Is(err, ledger.ErrInvalidRecord) {
		t.Errorf("Enqueue(attempt 0) = %v, want ErrInvalidRecord", err)
	}
}

func TestWriterSetsAsideARecordTheStoreRefuses(t *testing.T) {
	store := newFlaky(newStore(t))
	recs := records("a", 10)
	store.poison = recs[4].RequestID
	var log logBuffer
	dir := t.TempDir()
	w := newWriter(t, store, fastOptions(dir, &log))
	enqueueAll(t, w, recs)
	closeWriter(t, w)
	if got := stored(t, store).Attempts; got != 9 {
		t.Errorf("%d stored, want the 9 others", got)
	}
	if st := w.Stats(); st.Rejected != 1 || st.SpoolRecords != 0 {
		t.Errorf("stats %+v, want 1 rejected and an empty spool", st)
	}
	data, err := os.ReadFile(filepath.Join(dir, "rejected.jsonl"))
	if err != nil || !strings.Contains(string(data), recs[4].RequestID) {
		t.Errorf("rejected file: %v\n%s", err, data)
	}
}

func TestNewWriterRefusesASpoolItCannotRead(t *testing.T) {
	dir := t.TempDir()
	seg := filepath.Join(dir, "spend-00000000000000000001.jsonl")
	if err := os.WriteFile(seg, []byte(`{"format":"switchboard-spend-spool","version":99}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var log logBuffer
	_, err := ledger.NewWriter(newStore(t), fastOptions(dir, &log))
	if err == nil || !strings.Contains(err.Error(), "version 99") {
		t.Errorf("NewWriter on a spool of version 99: %v", err)
	}
}

func TestNewWriterRemovesASegmentCutOffInItsHeader(t *testing.T) {
	dir := t.TempDir()
	seg := filepath.Join(dir, "spend-00000000000000000007.jsonl")
	if err := os.WriteFile(seg, []byte(`{"format":"switchbo`), 0o600); err != nil {
		t.Fatal(err)
	}
	var log logBuffer
	w := newWriter(t, newStore(t), fastOptions(dir, &log))
	if st := w.Stats(); st.SpoolSegments != 0 {
		t.Errorf("stats %+v", st)
	}
	if _, err := os.Stat(seg); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the empty segment is still there: %v", err)
	}
}

func TestASpoolDirectoryHasOneWriter(t *testing.T) {
	dir := t.TempDir()
	var log logBuffer
	newWriter(t, newStore(t), fastOptions(dir, &log))
	if _, err := ledger.NewWriter(newStore(t), fastOptions(dir, &log)); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("second NewWriter on one spool: %v", err)
	}
}

func TestNewWriterNeedsAStoreAndASpoolDirectory(t *testing.T) {
	if _, err := ledger.NewWriter(newStore(t), ledger.WriterOptions{}); err == nil {
		t.Error("NewWriter without SpoolDir succeeded")
	}
	if _, err := ledger.NewWriter(nil, ledger.WriterOptions{SpoolDir: t.TempDir()}); err == nil {
		t.Error("NewWriter without a store succeeded")
	}
}

// breakDir replaces dir by a regular file, so nothing can be created in it
// (this works as root too, unlike permissions), and returns the repair.
func breakDir(t *testing.T, dir string) (repair func()) {
	t.Helper()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return func() {
		if err := os.Remove(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
	}
}

func TestWriterKeepsRecordsInMemoryWhileTheStoreAndTheDiskFail(t *testing.T) {
	store := newFlaky(newStore(t))
	store.setDown(true)
	var log logBuffer
	dir := filepath.Join(t.TempDir(), "spool")
	w := newWriter(t, store, fastOptions(dir, &log))
	repair := breakDir(t, dir)

	recs := records("a", 30)
	enqueueAll(t, w, recs)
	eventually(t, "the disk failure is reported", func() bool { return strings.Contains(log.String(), "cannot write the spool") })
	if st := w.Stats(); st.Dropped != 0 || st.QueueLength+st.InFlight == 0 {
		t.Fatalf("stats while store and disk fail: %+v; want the records kept in memory", st)
	}

	repair()
	store.setDown(false)
	eventually(t, "everything is stored", func() bool { return len(store.storedOrder()) == 30 })
	if got := store.storedOrder(); !slices.Equal(got, ids(recs)) {
		t.Errorf("stored in order\n%v\nwant\n%v", got, ids(recs))
	}
	closeWriter(t, w)
	if st := w.Stats(); st.Dropped != 0 {
		t.Errorf("dropped %d", st.Dropped)
	}
}

func TestCloseReportsRecordsNeitherTheStoreNorTheDiskTook(t *testing.T) {
	store := newFlaky(newStore(t))
	store.setDown(true)
	var log logBuffer
	dir := filepath.Join(t.TempDir(), "spool")
	o := fastOptions(dir, &log)
	o.FlushInterval = time.Hour
	w := newWriter(t, store, o)
	breakDir(t, dir)
	enqueueAll(t, w, records("a", 5))
	err := w.Close(context.Background())
	if !errors.Is(err, ledger.ErrDropped) {
		t.Fatalf("Close = %v, want ErrDropped", err)
	}
	if st := w.Stats(); st.Dropped != 5 {
		t.Errorf("Dropped = %d, want 5", st.Dropped)
	}
	if err := w.Enqueue(records("late", 1)[0]); !errors.Is(err, ledger.ErrDropped) {
		t.Errorf("Enqueue after Close with no disk = %v, want ErrDropped", err)
	}
}
