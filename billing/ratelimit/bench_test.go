package ratelimit_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/switchboard-gw/switchboard/billing/ratelimit"
	"github.com/switchboard-gw/switchboard/internal/redistest"
)

// benchLimits are a typical request's limits: its key's RPM and TPM, its
// team's RPM, its deployment's TPM; large enough never to reject at
// benchTokens a request.
func benchLimits(key string) []ratelimit.Limit {
	const most = ratelimit.MaxPerMinute
	return append(append(ratelimit.Scoped("key:"+key, most, most), ratelimit.Scoped("team:t", most, 0)...),
		ratelimit.Scoped("deployment:d", 0, most)...)
}

const benchTokens = 10

func benchmarkCheck(b *testing.B, l ratelimit.Limiter) {
	ctx := context.Background()
	b.Run("serial", func(b *testing.B) {
		limits := benchLimits("k")
		for b.Loop() {
			if d, err := l.Check(ctx, limits, benchTokens); err != nil || !d.Allowed {
				b.Fatal(d, err)
			}
		}
	})
	// Many keys at once, as a gateway sees them.
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				i++
				if d, err := l.Check(ctx, benchLimits(strconv.Itoa(i%1000)), benchTokens); err != nil || !d.Allowed {
					b.Fatal(d, err)
				}
			}
		})
	})
}

func BenchmarkCheckMemory(b *testing.B) {
	benchmarkCheck(b, ratelimit.NewMemory(ratelimit.MemoryOptions{}))
}

// BenchmarkCheckRedis is one script round trip on loopback per check.
func BenchmarkCheckRedis(b *testing.B) {
	benchmarkCheck(b, ratelimit.NewRedis(redistest.Client(b), ratelimit.RedisOptions{KeyPrefix: redistest.KeyPrefix(b)}))
}

// BenchmarkRedisPing is the bare round trip, for comparison.
func BenchmarkRedisPing(b *testing.B) {
	c := redistest.Client(b)
	for b.Loop() {
		if err := c.Ping(context.Background()).Err(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSetHeaders(b *testing.B) {
	m := ratelimit.NewMemory(ratelimit.MemoryOptions{})
	d, err := m.Check(context.Background(), benchLimits("k"), 500)
	if err != nil {
		b.Fatal(err)
	}
	h := make(map[string][]string, 8)
	for b.Loop() {
		ratelimit.SetHeaders(h, d)
	}
}
