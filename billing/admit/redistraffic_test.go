package admit_test

import (
	"context"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/switchboard-gw/switchboard/internal/redistest"
)

// redisTraffic counts what a client sends to a private Redis server: the
// round trips it makes (one per command or pipeline, but a new
// connection's handshake) and the commands the server runs (INFO commandstats, so the count includes what a script
// fallback adds).
type redisTraffic struct {
	client     *redis.Client
	roundTrips atomic.Int64
}

// newRedisTraffic starts a private server (no other test's commands in its
// counts) and a client of it that counts its round trips.
func newRedisTraffic(t testing.TB) *redisTraffic {
	t.Helper()
	srv := redistest.StartServer(t)
	rt := &redisTraffic{client: redistest.ClientOf(t, srv.URL)}
	rt.client.AddHook(roundTripHook{&rt.roundTrips})
	return rt
}

// commands is the number of commands the server has run, except INFO and
// the client's own handshake: the script calls (EVAL, EVALSHA) in scripts,
// every command including those the scripts ran in all.
func (rt *redisTraffic) commands(t testing.TB) (scripts, all int64) {
	t.Helper()
	info, err := rt.client.Info(context.Background(), "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(info) {
		name, stats, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || !strings.HasPrefix(name, "cmdstat_") {
			continue
		}
		cmd := strings.TrimPrefix(name, "cmdstat_")
		switch cmd {
		case "info", "ping", "hello", "client|setinfo", "client|setname":
			continue
		}
		calls, _, _ := strings.Cut(strings.TrimPrefix(stats, "calls="), ",")
		c, err := strconv.ParseInt(calls, 10, 64)
		if err != nil {
			t.Fatalf("commandstats line %q", line)
		}
		all += c
		if strings.HasPrefix(cmd, "eval") {
			scripts += c
		}
	}
	return scripts, all
}

// settledCommands is commands once background work (an adjustment run
// off the request path) has landed: the counts stop changing.
func (rt *redisTraffic) settledCommands(t testing.TB) (scripts, all int64) {
	t.Helper()
	scripts, all = rt.commands(t)
	for range 100 {
		time.Sleep(20 * time.Millisecond)
		s, a := rt.commands(t)
		if s == scripts && a == all {
			break
		}
		scripts, all = s, a
	}
	return scripts, all
}

type roundTripHook struct{ n *atomic.Int64 }

func (roundTripHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h roundTripHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if !uncounted(cmd) {
			h.n.Add(1)
		}
		return next(ctx, cmd)
	}
}

func (h roundTripHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, cmd := range cmds {
			if !uncounted(cmd) {
				h.n.Add(1)
				break
			}
		}
		return next(ctx, cmds)
	}
}

// uncounted are the commands of a new connection's handshake and INFO,
// which the benchmark sends itself.
func uncounted(cmd redis.Cmder) bool {
	switch cmd.Name() {
	case "info", "hello", "client", "auth", "select", "ping":
		return true
	}
	return false
}
