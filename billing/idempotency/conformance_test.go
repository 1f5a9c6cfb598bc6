package idempotency_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/idempotency"
)

// newPair returns two engines that share state built from opts: two
// Redis clients on one prefix (two gateway instances), or one Memory
// engine twice.
type newPair func(t *testing.T, opts idempotency.Options) (a, b idempotency.Engine)

// patience bounds every wait in these tests: generous, never a timing
// assertion.
const patience = 20 * time.Second

// runConformance is the behaviour every Engine must have.
func runConformance(t *testing.T, pair newPair) {
	t.Run("SequentialRetryReplays", func(t *testing.T) { testSequential(t, pair) })
	t.Run("DifferentRequestConflicts", func(t *testing.T) { testConflict(t, pair) })
	t.Run("ConcurrentDuplicatesWaitAndReplay", func(t *testing.T) { testConcurrent(t, pair) })
	t.Run("AbandonHandsTheKeyToOneWaiter", func(t *testing.T) { testAbandonTakeover(t, pair) })
	t.Run("AbandonFreesTheKey", func(t *testing.T) { testAbandonFree(t, pair) })
	t.Run("CrashedHolderLapses", func(t *testing.T) { t.Parallel(); testCrashedHolder(t, pair) })
	t.Run("RenewalKeepsALongRequest", func(t *testing.T) { t.Parallel(); testRenewal(t, pair) })
	t.Run("WaitStopsAtContextOrMaxWait", func(t *testing.T) { t.Parallel(); testWaitBounds(t, pair) })
	t.Run("ResultsExpire", func(t *testing.T) { t.Parallel(); testResultExpiry(t, pair) })
	t.Run("FinishOnlyOnce", func(t *testing.T) { testFinishOnce(t, pair) })
	t.Run("EmptyKeyIsInvalid", func(t *testing.T) { testEmptyKey(t, pair) })
}

func begin(t *testing.T, e idempotency.Engine, key, fp string, ttl time.Duration) idempotency.Outcome {
	t.Helper()
	// The context outlives the call: a Started request renews its claim
	// while the context given to Begin lives.
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	t.Cleanup(cancel)
	out, err := e.Begin(ctx, key, fp, ttl)
	if err != nil {
		t.Fatalf("Begin(%q): %v", key, err)
	}
	return out
}

func wantKind(t *testing.T, out idempotency.Outcome, want idempotency.Kind) {
	t.Helper()
	if out.Kind != want {
		t.Fatalf("outcome %v; want %v", out.Kind, want)
	}
}

func testSequential(t *testing.T, pair newPair) {
	a, b := pair(t, idempotency.Options{})
	ctx := context.Background()
	out := begin(t, a, "k1", "fp", time.Hour)
	wantKind(t, out, idempotency.Started)
	if err := out.Complete(ctx, []byte("200 {\"id\":1}")); err != nil {
		t.Fatal(err)
	}
	for _, e := range []idempotency.Engine{a, b} {
		out := begin(t, e, "k1", "fp", time.Hour)
		wantKind(t, out, idempotency.Replay)
		if string(out.Result) != "200 {\"id\":1}" {
			t.Errorf("replayed %q", out.Result)
		}
	}
	// An empty result is a result too.
	out = begin(t, b, "k1-empty", "fp", time.Hour)
	wantKind(t, out, idempotency.Started)
	if err := out.Complete(ctx, nil); err != nil {
		t.Fatal(err)
	}
	out = begin(t, a, "k1-empty", "fp", time.Hour)
	wantKind(t, out, idempotency.Replay)
	if len(out.Result) != 0 {
		t.Errorf("replayed %q; want empty", out.Result)
	}
}

// testConflict: the same key with another fingerprint conflicts, whether
// the first request is running or done, without waiting.
func testConflict(t *testing.T, pair newPair) {
	a, b := pair(t, idempotency.Options{})
	ctx := context.Background()
	out := begin(t, a, "k2", "fp-1", time.Hour)
	wantKind(t, out, idempotency.Started)
	wantKind(t, begin(t, b, "k2", "fp-2", time.Hour), idempotency.Conflict)
	if err := out.Complete(ctx, []byte("r")); err != nil {
		t.Fatal(err)
	}
	wantKind(t, begin(t, b, "k2", "fp-2", time.Hour), idempotency.Conflict)
	wantKind(t, begin(t, a, "k2", "fp-1", time.Hour), idempotency.Replay)
}

// testConcurrent: 20 concurrent Begins with one key over both engines
// give exactly one Started; every other one waits and replays its result.
func testConcurrent(t *testing.T, pair newPair) {
	a, b := pair(t, idempotency.Options{})
	want := []byte("200 the one answer")
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		started int
		replays int
		errs    = make(chan error, 20)
	)
	for i := 0; i < 20; i++ {
		e := a
		if i%2 == 1 {
			e = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), patience)
			defer cancel()
			out, err := e.Begin(ctx, "k3", "fp", time.Hour)
			if err != nil {
				errs <- err
				return
			}
			switch out.Kind {
			case idempotency.Started:
				mu.Lock()
				started++
				mu.Unlock()
				time.Sleep(50 * time.Millisecond) // the upstream call, while the others arrive
				if err := out.Complete(ctx, want); err != nil {
					errs <- err
				}
			case idempotency.Replay:
				if !bytes.Equal(out.Result, want) {
					errs <- fmt.Errorf("replayed %q", out.Result)
				}
				mu.Lock()
				replays++
				mu.Unlock()
			default:
				errs <- fmt.Errorf("outcome %v", out.Kind)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if started != 1 || replays != 19 {
		t.Errorf("started %d, replayed %d; want 1 and 19", started, replays)
	}
}

// testAbandonTakeover: when the running request abandons, exactly one
// waiter takes over as Started and the others replay its result.
func testAbandonTakeover(t *testing.T, pair newPair) {
	a, b := pair(t, idempotency.Options{})
	ctx := context.Background()
	first := begin(t, a, "k4", "fp", time.Hour)
	wantKind(t, first, idempotency.Started)

	outcomes := make(chan idempotency.Outcome, 4)
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		e := a
		if i%2 == 1 {
			e = b
		}
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), patience)
			defer cancel()
			out, err := e.Begin(ctx, "k4", "fp", time.Hour)
			if err != nil {
				errs <- err
				return
			}
			outcomes <- out
		}()
	}
	time.Sleep(30 * time.Millisecond) // let the waiters start waiting
	if err := first.Abandon(ctx); err != nil {
		t.Fatal(err)
	}
	var second idempotency.Outcome
	select {
	case second = <-outcomes:
	case err := <-errs:
		t.Fatal(err)
	case <-time.After(patience):
		t.Fatal("no waiter took over after Abandon")
	}
	wantKind(t, second, idempotency.Started)
	if err := second.Complete(ctx, []byte("second")); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		select {
		case out := <-outcomes:
			wantKind(t, out, idempotency.Replay)
			if string(out.Result) != "second" {
				t.Errorf("replayed %q; want the taker's result", out.Result)
			}
		case err := <-errs:
			t.Fatal(err)
		}
	}
}

func testAbandonFree(t *testing.T, pair newPair) {
	a, b := pair(t, idempotency.Options{})
	ctx := context.Background()
	out := begin(t, a, "k5", "fp", time.Hour)
	wantKind(t, out, idempotency.Started)
	if err := out.Abandon(ctx); err != nil {
		t.Fatal(err)
	}
	// After an abandon even another fingerprint may use the key.
	out = begin(t, b, "k5", "fp-other", time.Hour)
	wantKind(t, out, idempotency.Started)
	if err := out.Abandon(ctx); err != nil {
		t.Fatal(err)
	}
}

// testCrashedHolder: a holder that stops renewing (its gateway died: here
// its context ends) frees the key within LockTTL; a waiter takes over, and
// the old holder can no longer store a result.
func testCrashedHolder(t *testing.T, pair newPair) {
	a, b := pair(t, idempotency.Options{LockTTL: 200 * time.Millisecond})
	crashed, crash := context.WithCancel(context.Background())
	ghost, err := a.Begin(crashed, "k6", "fp", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	wantKind(t, ghost, idempotency.Started)
	crash()

	taker := begin(t, b, "k6", "fp", time.Hour) // waits for the lapse
	wantKind(t, taker, idempotency.Started)
	if err := ghost.Complete(context.Background(), []byte("ghost")); !errors.Is(err, idempotency.ErrLeaseLost) {
		t.Errorf("the lapsed holder's Complete: %v; want ErrLeaseLost", err)
	}
	if err := taker.Complete(context.Background(), []byte("taker")); err != nil {
		t.Fatal(err)
	}
	if out := begin(t, a, "k6", "fp", time.Hour); string(out.Result) != "taker" {
		t.Errorf("replayed %q; want the taker's", out.Result)
	}

	// A lapsed holder whose key nobody took still stores its result.
	late, stop := context.WithCancel(context.Background())
	slow, err := a.Begin(late, "k6-late", "fp", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	stop()
	time.Sleep(400 * time.Millisecond)
	if err := slow.Complete(context.Background(), []byte("late")); err != nil {
		t.Fatalf("Complete after an untaken lapse: %v", err)
	}
	if out := begin(t, b, "k6-late", "fp", time.Hour); out.Kind != idempotency.Replay || string(out.Result) != "late" {
		t.Errorf("outcome %v %q; want a replay of the late result", out.Kind, out.Result)
	}
}

// testRenewal: a request running for many LockTTLs keeps its key while its
// context lives.
func testRenewal(t *testing.T, pair newPair) {
	a, b := pair(t, idempotency.Options{LockTTL: 600 * time.Millisecond})
	out := begin(t, a, "k7", "fp", time.Hour)
	wantKind(t, out, idempotency.Started)
	time.Sleep(1500 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if dup, err := b.Begin(ctx, "k7", "fp", time.Hour); !errors.Is(err, idempotency.ErrInProgress) {
		t.Fatalf("duplicate of a long request: %v %v; want ErrInProgress", dup.Kind, err)
	}
	if err := out.Complete(context.Background(), []byte("done")); err != nil {
		t.Fatalf("Complete after renewals: %v", err)
	}
}

func testWaitBounds(t *testing.T, pair newPair) {
	a, _ := pair(t, idempotency.Options{})
	out := begin(t, a, "k8", "fp", time.Hour)
	wantKind(t, out, idempotency.Started)
	defer out.Abandon(context.Background())

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err := a.Begin(ctx, "k8", "fp", time.Hour)
	if !errors.Is(err, idempotency.ErrInProgress) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("wait cut by the context: %v; want ErrInProgress and DeadlineExceeded", err)
	}

	_, bounded := pair(t, idempotency.Options{MaxWait: 30 * time.Millisecond})
	held := begin(t, bounded, "k8-max", "fp", time.Hour)
	defer held.Abandon(context.Background())
	if _, err := bounded.Begin(context.Background(), "k8-max", "fp", time.Hour); !errors.Is(err, idempotency.ErrInProgress) {
		t.Errorf("wait cut by MaxWait: %v; want ErrInProgress", err)
	}
}

// testResultExpiry: a stored result is forgotten after its ttl and the key
// can run again.
func testResultExpiry(t *testing.T, pair newPair) {
	a, b := pair(t, idempotency.Options{})
	out := begin(t, a, "k9", "fp", 100*time.Millisecond)
	wantKind(t, out, idempotency.Started)
	if err := out.Complete(context.Background(), []byte("short-lived")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(patience)
	for {
		out := begin(t, b, "k9", "fp", time.Hour)
		if out.Kind == idempotency.Started {
			out.Abandon(context.Background())
			return
		}
		wantKind(t, out, idempotency.Replay)
		if time.Now().After(deadline) {
			t.Fatal("the result never expired")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func testFinishOnce(t *testing.T, pair newPair) {
	a, _ := pair(t, idempotency.Options{})
	ctx := context.Background()
	out := begin(t, a, "k10", "fp", time.Hour)
	if err := out.Complete(ctx, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := out.Complete(ctx, []byte("y")); !errors.Is(err, idempotency.ErrNotStarted) {
		t.Errorf("second Complete: %v; want ErrNotStarted", err)
	}
	if err := out.Abandon(ctx); !errors.Is(err, idempotency.ErrNotStarted) {
		t.Errorf("Abandon after Complete: %v; want ErrNotStarted", err)
	}
	replay := begin(t, a, "k10", "fp", time.Hour)
	if string(replay.Result) != "x" {
		t.Errorf("replayed %q; want the first result", replay.Result)
	}
	if err := replay.Complete(ctx, nil); !errors.Is(err, idempotency.ErrNotStarted) {
		t.Errorf("Complete on a replay: %v; want ErrNotStarted", err)
	}
}

func testEmptyKey(t *testing.T, pair newPair) {
	a, _ := pair(t, idempotency.Options{})
	if _, err := a.Begin(context.Background(), "", "fp", time.Hour); !errors.Is(err, idempotency.ErrInvalid) {
		t.Errorf("empty key: %v; want ErrInvalid", err)
	}
}

func TestFingerprint(t *testing.T) {
	if idempotency.Fingerprint([]byte("ab"), []byte("c")) == idempotency.Fingerprint([]byte("a"), []byte("bc")) {
		t.Error("different part boundaries give the same fingerprint")
	}
	if idempotency.Fingerprint([]byte("x")) != idempotency.Fingerprint([]byte("x")) {
		t.Error("fingerprint is not deterministic")
	}
}
