package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// EnvURL names the variable holding the URL of the shared test server.
const EnvURL = "SWITCHBOARD_TEST_REDIS_URL"

// URL returns the shared test server's URL (redis://127.0.0.1:PORT/0), or
// skips the test.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvURL)
	if u == "" {
		t.Skipf("%s is not set: this test needs Redis; `make test` starts one, or run "+
			"`scripts/redis-test.sh run -- go test ./...`", EnvURL)
	}
	return u
}

// Client returns a client of the shared test server, closed when the test
// ends. It skips where URL would and fails the test when the server does
// not answer.
func Client(t testing.TB) *redis.Client {
	t.Helper()
	return ClientOf(t, URL(t))
}

// ClientOf returns a client of the server at url, closed when the test
// ends; it fails the test when the server does not answer a PING.
func ClientOf(t testing.TB, url string) *redis.Client {
	t.Helper()
	c := newClient(t, url)
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("redistest: the server at %s does not answer: %v", url, err)
	}
	return c
}

func newClient(t testing.TB, url string) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("redistest: %s must be a redis:// URL: %v", EnvURL, err)
	}
	// Maintenance notifications are a Redis Enterprise feature: without
	// this the client probes for them on every new connection.
	opts.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	// One dial attempt, not five 100ms apart: tests that stop a server
	// should see it gone at once.
	opts.DialerRetries = 1
	return redis.NewClient(opts)
}

// KeyPrefix returns a fresh key prefix ("test:<random>:") on the shared
// test server, and deletes every key under it when the test ends. Code
// under test that namespaces its keys with it never collides with another
// test, in this package or another one running at the same time.
func KeyPrefix(t testing.TB) string {
	t.Helper()
	url := URL(t)
	var b [8]byte
	rand.Read(b[:])
	prefix := "test:" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		c := newClient(t, url)
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// The prefix is hex and colons: no glob characters to escape.
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Errorf("redistest: scan the keys under %s: %v", prefix, err)
			return
		}
		for len(keys) > 0 {
			n := min(len(keys), 500)
			if err := c.Del(ctx, keys[:n]...).Err(); err != nil {
				t.Errorf("redistest: delete the keys under %s: %v", prefix, err)
				return
			}
			keys = keys[n:]
		}
	})
	return prefix
}

// ClosedURL returns a redis:// URL of a loopback port where nothing
// listens, for tests of what happens when Redis cannot be reached: a
// connection to it is refused at once. (The port was free a moment ago; it
// is taken again only by a coincidence that a test cannot rule out anyway.)
func ClosedURL(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("redistest: find a free port: %v", err)
	}
	addr := l.Addr().String()
	l.Close()
	return "redis://" + addr + "/0"
}
