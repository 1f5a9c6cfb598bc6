package loadbench

import (
	"context"
	"runtime"
	"sync"
	"syscall"
	"time"
)

// schedule is the timeline of one run: load starts at begin; requests
// count from measureFrom (after the warm-up) to measureTo.
type schedule struct {
	begin, measureFrom, measureTo time.Time
}

func newSchedule(warmup, duration time.Duration) schedule {
	begin := time.Now()
	return schedule{begin: begin, measureFrom: begin.Add(warmup), measureTo: begin.Add(warmup + duration)}
}

// sendFunc sends one request whose latency counts from start.
type sendFunc func(ctx context.Context, start time.Time) result

// maxRequestsPerRun bounds every loop in count as well as in time.
const maxRequestsPerRun = 10_000_000

// closedLoop runs connections workers, each sending its next request as soon
// as the previous one is answered, until measureTo. A request counts when it
// started and ended inside the measured window.
func closedLoop(ctx context.Context, s schedule, connections int, send sendFunc) *tally {
	t := newTally()
	perWorker := maxRequestsPerRun / max(connections, 1)
	var wg sync.WaitGroup
	for range connections {
		wg.Go(func() {
			for range perWorker {
				start := time.Now()
				if !start.Before(s.measureTo) || ctx.Err() != nil {
					return
				}
				r := send(ctx, start)
				if !start.Before(s.measureFrom) && !start.Add(r.latency).After(s.measureTo) {
					t.add(r)
				}
			}
		})
	}
	wg.Wait()
	return t
}

// openLoop starts requests at a constant rate from begin to measureTo,
// whatever the answers do, and measures each from its scheduled start, so
// that queueing in the server shows in the latency instead of slowing the
// load down (no coordinated omission). A request counts when it was
// scheduled inside the measured window. At most maxInFlight requests are
// outstanding; beyond that the schedule waits, and the wait still counts in
// the latency of the delayed requests.
func openLoop(ctx context.Context, s schedule, rate, maxInFlight int, send sendFunc) *tally {
	t := newTally()
	interval := time.Second / time.Duration(rate)
	total := min(int(s.measureTo.Sub(s.begin)/interval), maxRequestsPerRun)
	slots := make(chan struct{}, maxInFlight)
	var wg sync.WaitGroup
	dispatched := make(chan struct{})
	go func() {
		defer close(dispatched)
		// The schedule sleeps on its own OS thread with nanosleep: the Go
		// timer's wake-up is up to a millisecond late, which would add that
		// much to every latency measured from the schedule.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		setTimerSlack(1)
		for i := range total {
			at := s.begin.Add(time.Duration(i) * interval)
			sleepUntil(at)
			if ctx.Err() != nil {
				return
			}
			slots <- struct{}{}
			wg.Go(func() {
				defer func() { <-slots }()
				r := send(ctx, at)
				if !at.Before(s.measureFrom) {
					t.add(r)
				}
			})
		}
	}()
	<-dispatched
	wg.Wait()
	return t
}

// spinMargin is how long before a scheduled start sleepUntil stops sleeping
// and spins: longer than the kernel's usual wake-up lateness on a VM.
const spinMargin = 150 * time.Microsecond

// sleepUntil returns at at, within a few microseconds when the machine is
// not saturated. It must run on a locked OS thread.
func sleepUntil(at time.Time) {
	if d := time.Until(at) - spinMargin; d > 0 {
		ts := syscall.NsecToTimespec(int64(d))
		for syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
		}
	}
	for time.Now().Before(at) {
	}
}

// setTimerSlack sets the calling thread's timer slack (PR_SET_TIMERSLACK),
// which otherwise adds up to 50 µs to every sleep.
func setTimerSlack(ns uintptr) {
	const prSetTimerSlack = 29
	_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerSlack, ns, 0)
}
