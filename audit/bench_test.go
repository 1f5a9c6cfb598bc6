package audit_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/audit"
	"github.com/switchboard-gw/switchboard/auth"
)

// BenchmarkObserveChat measures what a request record costs the request
// path: hashing and measuring the prompt, and handing the finished record
// to the queue (Run is not running, so past the queue's size records are
// dropped, which costs the same as queueing them).
func BenchmarkObserveChat(b *testing.B) {
	st := openStore(b)
	log := audit.NewRequestLog(st, audit.RequestLogOptions{Teams: st})
	req := chatRequest(strings.Repeat("Summarise the quarterly plan in three bullet points. ", 20)) // ~1 kB
	resp := answer("Done.")
	p := &auth.Principal{KeyID: "key_bench", TeamID: auth.DefaultTeamID} // capture off: the default
	b.ReportAllocs()
	for b.Loop() {
		o := log.ObserveChat(b.Context(), meta("req_bench"), p, req, false)
		o.Finish(resp, nil)
	}
}

// BenchmarkObserveChatWriterRunning is BenchmarkObserveChat with Run
// writing: the hand-off to a live writer (and any wake-up of its goroutine)
// is what each request pays. The store discards the batches, so the
// figure is the queue's, not SQLite's.
func BenchmarkObserveChatWriterRunning(b *testing.B) {
	log, p := runningBenchLog(b)
	req := chatRequest(strings.Repeat("Summarise the quarterly plan in three bullet points. ", 20))
	resp := answer("Done.")
	b.ReportAllocs()
	for b.Loop() {
		log.ObserveChat(b.Context(), meta("req_bench"), p, req, false).Finish(resp, nil)
	}
}

// BenchmarkObserveChatWriterRunningParallel is the same from concurrent
// requests, where the queue's lock is contended.
func BenchmarkObserveChatWriterRunningParallel(b *testing.B) {
	log, p := runningBenchLog(b)
	req := chatRequest(strings.Repeat("Summarise the quarterly plan in three bullet points. ", 20))
	resp := answer("Done.")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			log.ObserveChat(context.Background(), meta("req_bench"), p, req, false).Finish(resp, nil)
		}
	})
}

// BenchmarkObserveChatWriterRunningPaced spaces the requests (200µs
// apart, an otherwise idle gateway at a few thousand requests a second) and
// reports the process's CPU time per record: a writer goroutine woken per
// record shows there, as it does not in a tight loop where the writer
// never goes to sleep.
func BenchmarkObserveChatWriterRunningPaced(b *testing.B) {
	log, p := runningBenchLog(b)
	req := chatRequest(strings.Repeat("Summarise the quarterly plan in three bullet points. ", 20))
	resp := answer("Done.")
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		log.ObserveChat(b.Context(), meta("req_bench"), p, req, false).Finish(resp, nil)
		time.Sleep(200 * time.Microsecond)
	}
	b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
}

// processCPU is the user and system CPU time the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// discardWrites is a real store whose batch writes are thrown away, so
// that a benchmark measures the writer, not the database.
type discardWrites struct{ audit.RequestStore }

func (discardWrites) WriteRequests(context.Context, []audit.RequestRecord, []audit.Payload) error {
	return nil
}

func runningBenchLog(b *testing.B) (*audit.RequestLog, *auth.Principal) {
	st := openStore(b)
	log := audit.NewRequestLog(discardWrites{st}, audit.RequestLogOptions{Teams: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- log.Run(ctx) }()
	b.Cleanup(func() {
		cancel()
		<-done
		b.ReportMetric(float64(log.Stats().Dropped)/float64(b.N), "dropped/op")
	})
	return log, &auth.Principal{KeyID: "key_bench", TeamID: auth.DefaultTeamID}
}

func BenchmarkPromptHash(b *testing.B) {
	req := chatRequest(strings.Repeat("x", 4096))
	b.SetBytes(4096)
	for b.Loop() {
		audit.PromptHash(req)
	}
}
