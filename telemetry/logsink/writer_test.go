package logsink_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/telemetry/logsink"
)

// output is a destination that keeps each write it gets, optionally
// failing them or holding them until released.
type output struct {
	mu     sync.Mutex
	writes [][]byte
	fail   bool
	// hold, when set, makes the next write wait until it is closed;
	// entered is closed when that write starts.
	hold, entered chan struct{}
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	hold, entered := o.hold, o.entered
	o.hold = nil
	o.mu.Unlock()
	if hold != nil {
		close(entered)
		<-hold
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.fail {
		return 0, errors.New("output refused the write")
	}
	o.writes = append(o.writes, bytes.Clone(p))
	return len(p), nil
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return string(bytes.Join(o.writes, nil))
}

// lines returns the output's lines; it fails the test if a write did not
// end a line (a record split between writes).
func (o *output) lines(t *testing.T) []string {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	for _, w := range o.writes {
		if !bytes.HasSuffix(w, []byte("\n")) {
			t.Fatalf("a write ends inside a record: %q", w)
		}
		out = append(out, strings.Split(strings.TrimSuffix(string(w), "\n"), "\n")...)
	}
	return out
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

func TestRecordsFromManyGoroutinesArriveWholeAndInOrder(t *testing.T) {
	out := &output{}
	// A small buffer, so that there are many writes and many records
	// arrive while one is under way.
	sink := logsink.New(out, logsink.Options{BufferSize: 512, FlushDelay: time.Millisecond})
	logger := slog.New(slog.NewJSONHandler(sink, nil))
	const goroutines, records = 4, 500
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range records {
				logger.Info("access", "g", g, "i", i, "path", "/v1/chat/completions")
			}
		})
	}
	wg.Wait()
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	next := make([]int, goroutines)
	lines := out.lines(t)
	for _, line := range lines {
		var rec struct{ G, I int }
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a whole record: %q", line)
		}
		if rec.I != next[rec.G] {
			t.Fatalf("goroutine %d: record %d after %d", rec.G, rec.I, next[rec.G]-1)
		}
		next[rec.G]++
	}
	if len(lines) != goroutines*records {
		t.Errorf("%d records written, want %d", len(lines), goroutines*records)
	}
	if s := sink.Stats(); s.Dropped != 0 || s.WriteErrors != 0 || s.Writes < 2 {
		t.Errorf("stats %+v", s)
	}
}

func TestBufferedRecordsAreWrittenAfterTheFlushDelayWithoutFurtherWrites(t *testing.T) {
	out := &output{}
	sink := logsink.New(out, logsink.Options{FlushDelay: 10 * time.Millisecond})
	defer sink.Close()
	fmt.Fprintln(sink, "first")
	fmt.Fprintln(sink, "second")
	waitFor(t, "the flush delay to write the records", func() bool { return out.String() == "first\nsecond\n" })
	// The timer is armed again by the next record.
	fmt.Fprintln(sink, "third")
	waitFor(t, "the next flush", func() bool { return out.String() == "first\nsecond\nthird\n" })
}

func TestAFullBufferIsWrittenWithoutWaitingForTheDelay(t *testing.T) {
	out := &output{}
	sink := logsink.New(out, logsink.Options{BufferSize: 64, FlushDelay: time.Hour})
	defer sink.Close()
	record := strings.Repeat("x", 39) + "\n"
	sink.Write([]byte(record))
	sink.Write([]byte(record)) // 80 bytes: past the buffer size
	waitFor(t, "the full buffer to be written", func() bool { return out.String() == record+record })
}

func TestCloseWritesWhatIsBufferedAndLaterRecordsGoStraightOut(t *testing.T) {
	out := &output{}
	sink := logsink.New(out, logsink.Options{FlushDelay: time.Hour})
	fmt.Fprintln(sink, "one")
	fmt.Fprintln(sink, "two")
	if got := out.String(); got != "" {
		t.Fatalf("written before the delay, the buffer size or Close: %q", got)
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "one\ntwo\n" {
		t.Fatalf("after Close: %q", got)
	}
	fmt.Fprintln(sink, "late")
	if got := out.String(); got != "one\ntwo\nlate\n" {
		t.Errorf("a record after Close: %q", got)
	}
}

func TestWarningsAndErrorsAreWrittenAtOnce(t *testing.T) {
	out := &output{}
	sink := logsink.New(out, logsink.Options{FlushDelay: time.Hour})
	defer sink.Close()
	logger := slog.New(logsink.NewHandler(slog.NewTextHandler(sink, nil), sink, slog.LevelWarn)).With("component", "test")
	logger.Info("access", "n", 1)
	if got := out.String(); got != "" {
		t.Fatalf("an info record was written at once: %q", got)
	}
	logger.Warn("upstream failing")
	lines := out.lines(t)
	if len(lines) != 2 || !strings.Contains(lines[0], "msg=access") || !strings.Contains(lines[1], `msg="upstream failing"`) ||
		!strings.Contains(lines[1], "component=test") {
		t.Fatalf("after a warning: %q", lines)
	}
	logger.WithGroup("g").Error("boom")
	if lines := out.lines(t); len(lines) != 3 || !strings.Contains(lines[2], "msg=boom") {
		t.Errorf("after an error: %q", lines)
	}
}

func TestAFailingOutputFailsNoWrite(t *testing.T) {
	out := &output{fail: true}
	sink := logsink.New(out, logsink.Options{FlushDelay: time.Hour})
	if n, err := fmt.Fprintln(sink, "lost"); err != nil || n != 5 {
		t.Fatalf("Write: %d, %v", n, err)
	}
	if err := sink.Flush(); err == nil {
		t.Error("Flush hid the output's error")
	}
	out.mu.Lock()
	out.fail = false
	out.mu.Unlock()
	fmt.Fprintln(sink, "kept")
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	if got, s := out.String(), sink.Stats(); got != "kept\n" || s.WriteErrors != 1 || s.Writes != 2 {
		t.Errorf("output %q, stats %+v", got, s)
	}
}

func TestAStuckOutputHoldsOnlyTheWriterInsideItAndDropsPastTheBound(t *testing.T) {
	release := make(chan struct{})
	out := &output{hold: release, entered: make(chan struct{})}
	sink := logsink.New(out, logsink.Options{BufferSize: 64, MaxBuffered: 256, FlushDelay: time.Hour})
	const total = 100
	// 32 bytes each: two fill the buffer.
	record := func(i int) []byte { return fmt.Appendf(nil, "record %08d ..................\n", i) }
	stuck := make(chan struct{})
	go func() {
		defer close(stuck)
		sink.Write(record(0))
		sink.Write(record(1)) // fills the buffer: this goroutine writes it, and is stuck there
	}()
	<-out.entered
	for i := 2; i < total; i++ { // none of these may wait for the stuck write
		sink.Write(record(i))
	}
	dropped := sink.Stats().Dropped
	if dropped == 0 {
		t.Fatal("nothing dropped with the output stuck and the bound reached")
	}
	close(release)
	<-stuck
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	lines := out.lines(t)
	if int64(len(lines))+dropped != total {
		t.Errorf("%d written and %d dropped of %d", len(lines), dropped, total)
	}
	last := -1
	for _, line := range lines {
		var i int
		if _, err := fmt.Sscanf(line, "record %d", &i); err != nil || i <= last {
			t.Fatalf("record %q after %d", line, last)
		}
		last = i
	}
}
