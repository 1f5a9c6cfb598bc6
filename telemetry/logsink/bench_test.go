package logsink_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/telemetry/logsink"
)

// The benchmarks write an access-sized record (about 400 bytes of JSON)
// through slog to a file, once directly (one write system call per
// record, as the gateway did) and once through a Writer (one per 32 KiB
// or 100 ms).

func benchFile(b *testing.B) *os.File {
	f, err := os.Create(filepath.Join(b.TempDir(), "log"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	return f
}

var accessAttrs = []slog.Attr{
	slog.String("request_id", "req_01JZ8Q4J3M5N7P9R2T4V6X8Z0B"), slog.String("transport", "openai"),
	slog.String("method", "POST"), slog.String("path", "/v1/chat/completions"), slog.Int("status", 200),
	slog.String("outcome", "ok"), slog.Float64("duration_ms", 12.5), slog.Int64("bytes", 1834),
	slog.String("key_id", "key_01JZ8Q4J3M5N7P9R2T4V6X8Z0B"), slog.String("team_id", "team_default"),
	slog.String("operation", "chat"), slog.String("model", "gpt-4o-mini"), slog.String("alias", "chat"),
	slog.String("deployment", "primary"), slog.String("provider", "openai"), slog.Int64("input_tokens", 812),
	slog.Int64("output_tokens", 95),
}

// processCPU is the user and system CPU time the process has used; per
// record it is steadier than wall time on a busy machine, and it counts
// the system calls' kernel time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B) {
	start := processCPU()
	b.Cleanup(func() { b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op") })
}

func benchLog(b *testing.B, w io.Writer, parallel bool) {
	logger := slog.New(slog.NewJSONHandler(w, nil))
	ctx := context.Background()
	b.ReportAllocs()
	reportCPU(b)
	if parallel {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				logger.LogAttrs(ctx, slog.LevelInfo, "access", accessAttrs...)
			}
		})
		return
	}
	for b.Loop() {
		logger.LogAttrs(ctx, slog.LevelInfo, "access", accessAttrs...)
	}
}

func BenchmarkAccessRecordToFile(b *testing.B) { benchLog(b, benchFile(b), false) }

func BenchmarkAccessRecordThroughWriter(b *testing.B) {
	sink := logsink.New(benchFile(b), logsink.Options{})
	defer sink.Close()
	benchLog(b, sink, false)
}

func BenchmarkAccessRecordToFileParallel(b *testing.B) { benchLog(b, benchFile(b), true) }

func BenchmarkAccessRecordThroughWriterParallel(b *testing.B) {
	sink := logsink.New(benchFile(b), logsink.Options{})
	defer sink.Close()
	benchLog(b, sink, true)
}

// BenchmarkWrite is the Writer alone: the cost of taking one record.
func BenchmarkWrite(b *testing.B) {
	sink := logsink.New(benchFile(b), logsink.Options{})
	defer sink.Close()
	record := make([]byte, 400)
	record[len(record)-1] = '\n'
	b.SetBytes(int64(len(record)))
	b.ReportAllocs()
	reportCPU(b)
	for b.Loop() {
		sink.Write(record)
	}
}

func BenchmarkWriteToFile(b *testing.B) {
	f := benchFile(b)
	record := make([]byte, 400)
	record[len(record)-1] = '\n'
	b.SetBytes(int64(len(record)))
	b.ReportAllocs()
	reportCPU(b)
	for b.Loop() {
		f.Write(record)
	}
}
