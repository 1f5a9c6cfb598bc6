package redistest_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/switchboard-gw/switchboard/internal/redistest"
)

func TestKeyPrefixesAreDistinctAndCleanedUp(t *testing.T) {
	ctx := context.Background()
	c := redistest.Client(t)
	var prefix string
	t.Run("writer", func(t *testing.T) {
		prefix = redistest.KeyPrefix(t)
		other := redistest.KeyPrefix(t)
		if prefix == other || !strings.HasPrefix(prefix, "test:") {
			t.Fatalf("prefixes %q and %q: want two distinct test: prefixes", prefix, other)
		}
		for _, k := range []string{"a", "b", "c"} {
			if err := c.Set(ctx, prefix+k, "v", 0).Err(); err != nil {
				t.Fatal(err)
			}
		}
	})
	// The subtest's cleanup has run: its keys are gone.
	keys, err := c.Keys(ctx, prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 0 {
		t.Errorf("keys left under %s after the test: %v", prefix, keys)
	}
}

func TestPrivateServerStopsAndStartsOnTheSameURL(t *testing.T) {
	ctx := context.Background()
	s := redistest.StartServer(t)
	c := redistest.ClientOf(t, s.URL)
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	url := s.URL
	s.Stop(t)
	if err := c.Ping(ctx).Err(); err == nil {
		t.Fatal("PING succeeded on a stopped server")
	}
	s.Start(t)
	if s.URL != url {
		t.Errorf("URL changed across a restart: %s, then %s", url, s.URL)
	}
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("PING after the restart: %v", err)
	}
	// No persistence: the restarted server is empty.
	if err := c.Get(ctx, "k").Err(); !errors.Is(err, redis.Nil) {
		t.Errorf("GET k after a restart: %v, want redis.Nil (nothing persisted)", err)
	}
}

func TestClosedURLRefusesConnections(t *testing.T) {
	opts, err := redis.ParseURL(redistest.ClosedURL(t))
	if err != nil {
		t.Fatal(err)
	}
	opts.MaxRetries, opts.DialerRetries = -1, 1
	c := redis.NewClient(opts)
	defer c.Close()
	if err := c.Ping(context.Background()).Err(); err == nil {
		t.Fatal("PING succeeded on the closed URL")
	}
}

func TestClusterServesKeysOfEverySlot(t *testing.T) {
	ctx := context.Background()
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: redistest.StartCluster(t, 3)})
	defer c.Close()
	for i := range 50 {
		key := "k" + string(rune('a'+i%26)) + strings.Repeat("x", i)
		if err := c.Set(ctx, key, i, 0).Err(); err != nil {
			t.Fatalf("SET %s: %v", key, err)
		}
	}
	var masters atomic.Int32 // ForEachMaster calls concurrently
	if err := c.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
		masters.Add(1)
		return nil
	}); err != nil || masters.Load() != 3 {
		t.Fatalf("%d masters, %v", masters.Load(), err)
	}
}

func TestSentinelNamesThePrimary(t *testing.T) {
	primary := redistest.StartServer(t)
	opts, err := redis.ParseURL(primary.URL)
	if err != nil {
		t.Fatal(err)
	}
	sentinel := redistest.StartSentinel(t, "main", opts.Addr)
	c := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: "main", SentinelAddrs: []string{sentinel}})
	defer c.Close()
	if err := c.Set(context.Background(), "k", "v", 0).Err(); err != nil {
		t.Fatalf("SET through Sentinel: %v", err)
	}
	if v, err := redistest.ClientOf(t, primary.URL).Get(context.Background(), "k").Result(); err != nil || v != "v" {
		t.Fatalf("GET on the primary: %q, %v", v, err)
	}
}
