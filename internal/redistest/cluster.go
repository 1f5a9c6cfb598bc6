package redistest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// StartCluster starts a Redis Cluster of nodes primaries (no replicas) on
// loopback, each owning an equal share of the 16384 slots, waits until every
// node reports the cluster healthy, and returns their host:port addresses.
// The processes are stopped and their files deleted when the test ends.
// About a second or two; it skips where URL would.
func StartCluster(t testing.TB, nodes int) []string {
	t.Helper()
	URL(t)
	addrs := make([]string, nodes)
	for i := range addrs {
		dir := t.TempDir()
		addrs[i] = startProcess(t, dir, clusterPort, "--cluster-enabled", "yes",
			"--cluster-config-file", filepath.Join(dir, "nodes.conf"), "--cluster-node-timeout", "5000")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const slots = 16384
	for i, addr := range addrs {
		c := redis.NewClient(&redis.Options{Addr: addr})
		first, last := i*slots/nodes, (i+1)*slots/nodes-1
		if err := c.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", first, last).Err(); err != nil {
			t.Fatalf("redistest: cluster addslotsrange on %s: %v", addr, err)
		}
		if i > 0 {
			host, port, _ := net.SplitHostPort(addrs[0])
			if err := c.Do(ctx, "CLUSTER", "MEET", host, port).Err(); err != nil {
				t.Fatalf("redistest: cluster meet %s: %v", addr, err)
			}
		}
		c.Close()
	}
	for _, addr := range addrs {
		c := redis.NewClient(&redis.Options{Addr: addr})
		for {
			info, err := c.ClusterInfo(ctx).Result()
			if err == nil && strings.Contains(info, "cluster_state:ok") && strings.Contains(info, "cluster_known_nodes:"+strconv.Itoa(nodes)) {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("redistest: the cluster did not form within a minute: %v\n%s", err, info)
			}
			time.Sleep(50 * time.Millisecond)
		}
		c.Close()
	}
	return addrs
}

// StartSentinel starts a Sentinel that monitors the primary at
// primaryAddr under the name master, and returns its host:port. It is
// stopped when the test ends.
func StartSentinel(t testing.TB, master, primaryAddr string) string {
	t.Helper()
	URL(t)
	host, port, err := net.SplitHostPort(primaryAddr)
	if err != nil {
		t.Fatalf("redistest: primary address %q: %v", primaryAddr, err)
	}
	dir := t.TempDir()
	// Sentinel rewrites its configuration file: it must be a file of its
	// own, not arguments.
	conf := filepath.Join(dir, "sentinel.conf")
	body := fmt.Sprintf("sentinel monitor %s %s %s 1\nsentinel down-after-milliseconds %s 5000\n", master, host, port, master)
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return startProcess(t, dir, freePort, "--sentinel")
}

// startProcess starts redis-server in dir on a free loopback port with no
// persistence, waits until it answers, stops it when the test ends, and
// returns its address. A sentinel.conf in dir is passed as the
// configuration file.
func startProcess(t testing.TB, dir string, pickPort func(testing.TB) int, extra ...string) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redistest: redis-server not found: install the Debian package redis-server (make deps-redis)")
	}
	for attempt := 0; ; attempt++ {
		port := pickPort(t)
		var args []string
		if conf := filepath.Join(dir, "sentinel.conf"); fileExists(conf) {
			args = append(args, conf)
		}
		args = append(args, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
			"--dir", dir, "--logfile", filepath.Join(dir, "server.log"))
		args = append(args, extra...)
		cmd := exec.Command(bin, args...)
		if err := cmd.Start(); err != nil {
			t.Fatalf("redistest: start redis-server: %v", err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		t.Cleanup(func() {
			cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				<-exited
			}
		})
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if waitForPing(addr, exited) {
			return addr
		}
		if attempt == 2 {
			log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			t.Fatalf("redistest: redis-server %s did not start:\n%s", strings.Join(extra, " "), log)
		}
		// The port was taken between the check and the start: try another.
	}
}

func waitForPing(addr string, exited <-chan struct{}) bool {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialerRetries: 1})
	defer c.Close()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("redistest: find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// clusterPort returns a free loopback port whose cluster bus port (10000
// above it) is free too.
func clusterPort(t testing.TB) int {
	for range 100 {
		port := 20000 + rand.IntN(25000)
		a, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue
		}
		b, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port+10000)))
		a.Close()
		if err != nil {
			continue
		}
		b.Close()
		return port
	}
	t.Fatal("redistest: no free pair of loopback ports for a cluster node")
	return 0
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
