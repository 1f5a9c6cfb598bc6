package idempotency_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/idempotency"
	"github.com/switchboard-gw/switchboard/internal/redistest"
)

// BenchmarkBeginComplete measures the idempotency cost of a request that
// carries a key: Begin on a fresh key, then Complete with a 1 KiB result.
func BenchmarkBeginComplete(b *testing.B) {
	b.Run("memory", func(b *testing.B) { benchBeginComplete(b, idempotency.NewMemory(idempotency.Options{}), false) })
	b.Run("memory-parallel", func(b *testing.B) { benchBeginComplete(b, idempotency.NewMemory(idempotency.Options{}), true) })
	b.Run("redis", func(b *testing.B) { benchBeginComplete(b, benchRedis(b), false) })
	b.Run("redis-parallel", func(b *testing.B) { benchBeginComplete(b, benchRedis(b), true) })
}

// BenchmarkReplay measures a retried request: Begin on a completed key.
func BenchmarkReplay(b *testing.B) {
	b.Run("memory", func(b *testing.B) { benchReplay(b, idempotency.NewMemory(idempotency.Options{})) })
	b.Run("redis", func(b *testing.B) { benchReplay(b, benchRedis(b)) })
}

func benchRedis(b *testing.B) idempotency.Engine {
	return idempotency.NewRedis(redistest.Client(b), redistest.KeyPrefix(b), idempotency.Options{})
}

var benchResult = make([]byte, 1024)

func benchBeginComplete(b *testing.B, e idempotency.Engine, parallel bool) {
	ctx := context.Background()
	var n atomic.Int64
	one := func() {
		key := "bench-" + strconv.FormatInt(n.Add(1), 10)
		out, err := e.Begin(ctx, key, "fp", time.Minute)
		if err != nil || out.Kind != idempotency.Started {
			b.Fatalf("Begin: %v %v", out.Kind, err)
		}
		if err := out.Complete(ctx, benchResult); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	if !parallel {
		for b.Loop() {
			one()
		}
		return
	}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			one()
		}
	})
}

func benchReplay(b *testing.B, e idempotency.Engine) {
	ctx := context.Background()
	out, err := e.Begin(ctx, "bench-replay", "fp", time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	if err := out.Complete(ctx, benchResult); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		out, err := e.Begin(ctx, "bench-replay", "fp", time.Hour)
		if err != nil || out.Kind != idempotency.Replay {
			b.Fatalf("Begin: %v %v", out.Kind, err)
		}
	}
}
