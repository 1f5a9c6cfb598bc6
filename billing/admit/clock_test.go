package admit_test

import (
	"sync"
	"testing"
	"time"
)

// fakeTime is a settable clock.
type fakeTime struct {
	mu sync.Mutex
	t  time.Time
}

func time_(offset time.Duration) *fakeTime {
	return &fakeTime{t: time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC).Add(offset)}
}

func (f *fakeTime) get() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeTime) add(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

// eventually waits for cond, generously: asynchronous corrections land
// within microseconds, but the machine may be busy.
func eventually(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
