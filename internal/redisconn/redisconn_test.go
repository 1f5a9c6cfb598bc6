package redisconn_test

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/switchboard-gw/switchboard/gateway/config"
	"github.com/switchboard-gw/switchboard/internal/redisconn"
	"github.com/switchboard-gw/switchboard/internal/redistest"
	"github.com/switchboard-gw/switchboard/secrets"
)

// env is a mutable environment for env: references.
type env struct {
	mu   sync.Mutex
	vars map[string]string
}

func (e *env) lookup(k string) (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	v, ok := e.vars[k]
	return v, ok
}

func (e *env) set(k, v string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.vars[k] = v
}

// connect parses a configuration file's YAML as the gateway does (defaults,
// validation) and builds its client.
func connect(t *testing.T, yaml string, e *env) (redis.UniversalClient, error) {
	t.Helper()
	cfg, err := config.Parse([]byte(yaml), e.lookup)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	c, err := redisconn.New(context.Background(), cfg.Redis, secrets.Env{LookupEnv: e.lookup})
	if c != nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, err
}

func roundTrip(t *testing.T, c redis.UniversalClient, key string) {
	t.Helper()
	ctx := context.Background()
	if err := c.Set(ctx, key, "v", 0).Err(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	if v, err := c.Get(ctx, key).Result(); err != nil || v != "v" {
		t.Fatalf("GET: %q, %v", v, err)
	}
}

func hostPort(t *testing.T, redisURL string) string {
	u, err := url.Parse(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

func TestURLAndAddrs(t *testing.T) {
	u, prefix := redistest.URL(t), redistest.KeyPrefix(t)
	e := &env{vars: map[string]string{"REDIS_URL": u}}
	for _, yaml := range []string{
		"redis: {url: '" + u + "'}",
		"redis: {url: env:REDIS_URL}",
		"redis: {addrs: ['" + hostPort(t, u) + "'], db: 0}",
	} {
		c, err := connect(t, yaml, e)
		if err != nil {
			t.Fatalf("%s: %v", yaml, err)
		}
		if _, single := c.(*redis.Client); !single {
			t.Errorf("%s: a %T, want a *redis.Client", yaml, c)
		}
		roundTrip(t, c, prefix+"k")
	}
}

func TestModesBuildTheirClients(t *testing.T) {
	e := &env{vars: map[string]string{}}
	for yaml, want := range map[string]string{
		"redis: {addrs: ['127.0.0.1:26379', '127.0.0.1:26380'], master_name: main}": "*redis.Client", // failover clients are *redis.Client
		"redis: {addrs: ['127.0.0.1:7000', '127.0.0.1:7001']}":                      "*redis.ClusterClient",
		"redis: {addrs: ['127.0.0.1:7000'], cluster: true}":                         "*redis.ClusterClient",
		"redis: {url: 'unix:///run/redis/redis.sock'}":                              "*redis.Client",
	} {
		c, err := connect(t, yaml, e)
		if err != nil {
			t.Fatalf("%s: %v", yaml, err)
		}
		if got := typeName(c); got != want {
			t.Errorf("%s: %s, want %s", yaml, got, want)
		}
	}
}

func typeName(c redis.UniversalClient) string {
	switch c.(type) {
	case *redis.ClusterClient:
		return "*redis.ClusterClient"
	case *redis.Client:
		return "*redis.Client"
	}
	return "other"
}

// A password is read through its reference for every new connection: a
// password rotated at the source is used once the old connections go.
func TestPasswordReferenceIsReadForEveryNewConnection(t *testing.T) {
	ctx := context.Background()
	server := redistest.StartServer(t)
	admin := redistest.ClientOf(t, server.URL)
	if err := admin.ConfigSet(ctx, "requirepass", "first-secret-1").Err(); err != nil {
		t.Fatal(err)
	}
	e := &env{vars: map[string]string{"REDIS_PASSWORD": "first-secret-1"}}
	c, err := connect(t, "redis: {addrs: ['"+hostPort(t, server.URL)+"'], password: env:REDIS_PASSWORD}", e)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, c, "k")

	// Rotate: the server and the source change; existing connections are
	// closed (as a server restart or a failover would).
	if err := admin.Do(ctx, "AUTH", "first-secret-1").Err(); err != nil {
		t.Fatal(err)
	}
	if err := admin.ConfigSet(ctx, "requirepass", "second-secret-2").Err(); err != nil {
		t.Fatal(err)
	}
	e.set("REDIS_PASSWORD", "second-secret-2")
	if err := admin.Do(ctx, "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes").Err(); err != nil {
		t.Fatal(err)
	}
	roundTrip(t, c, "k") // retried on a new connection, with the new password

	// A wrong password fails without showing it.
	e.set("REDIS_PASSWORD", "wrong-secret-3")
	bad, err := connect(t, "redis: {addrs: ['"+hostPort(t, server.URL)+"'], password: env:REDIS_PASSWORD, max_retries: 0}", e)
	if err != nil {
		t.Fatal(err)
	}
	err = bad.Ping(ctx).Err()
	if err == nil {
		t.Fatal("PING with a wrong password succeeded")
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("the error shows a password: %v", err)
	}
}

func TestACLUserAndPasswordInAURLReference(t *testing.T) {
	ctx := context.Background()
	server := redistest.StartServer(t)
	admin := redistest.ClientOf(t, server.URL)
	if err := admin.Do(ctx, "ACL", "SETUSER", "switchboard", "on", ">acl-secret", "~*", "+@all").Err(); err != nil {
		t.Fatal(err)
	}
	host := hostPort(t, server.URL)
	e := &env{vars: map[string]string{"REDIS_URL": "redis://switchboard:acl-secret@" + host + "/3", "REDIS_PASSWORD": "acl-secret"}}
	c, err := connect(t, "redis: {url: env:REDIS_URL}", e)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, c, "k")
	if who, err := c.Do(ctx, "ACL", "WHOAMI").Text(); err != nil || who != "switchboard" {
		t.Errorf("ACL WHOAMI = %q, %v", who, err)
	}
	c, err = connect(t, "redis: {addrs: ['"+host+"'], username: switchboard, password: env:REDIS_PASSWORD}", e)
	if err != nil {
		t.Fatal(err)
	}
	if who, err := c.Do(ctx, "ACL", "WHOAMI").Text(); err != nil || who != "switchboard" {
		t.Errorf("ACL WHOAMI = %q, %v", who, err)
	}
}

func TestErrorsShowNoSecret(t *testing.T) {
	e := &env{vars: map[string]string{
		"BAD_URL":    "redis://:url-secret@127.0.0.1:6379/notadb",
		"BAD_SCHEME": "http://:url-secret@127.0.0.1:6379/0",
		"BAD_PARSE":  "redis://:url-secret@[::1/0",
	}}
	for yaml, want := range map[string]string{
		"redis: {url: env:BAD_URL}":                    "redis.url: the value of env:BAD_URL",
		"redis: {url: env:BAD_SCHEME}":                 "redis.url: the value of env:BAD_SCHEME",
		"redis: {url: env:BAD_PARSE}":                  "redis.url: the value of env:BAD_PARSE",
		"redis: {url: env:UNSET}":                      "redis.url: environment variable UNSET is not set",
		"redis: {addrs: ['h:1'], password: env:UNSET}": "redis.password: environment variable UNSET is not set",
		"redis: {addrs: ['h:1'], tls: {enabled: true, ca_cert: /nonexistent/ca.pem}}": "redis.tls.ca_cert",
	} {
		_, err := connect(t, yaml, e)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error containing %q", yaml, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "url-secret") {
			t.Errorf("%s: the error shows a secret: %v", yaml, err)
		}
	}
	if _, err := redisconn.New(context.Background(), config.Redis{}, secrets.Env{}); err == nil {
		t.Error("New without a server: no error")
	}
}

func TestClusterFromSeedAddresses(t *testing.T) {
	addrs := redistest.StartCluster(t, 3)
	e := &env{vars: map[string]string{}}
	for _, yaml := range []string{
		"redis: {addrs: ['" + strings.Join(addrs, "', '") + "']}",
		"redis: {addrs: ['" + addrs[1] + "'], cluster: true}", // one seed finds the rest
	} {
		c, err := connect(t, yaml, e)
		if err != nil {
			t.Fatalf("%s: %v", yaml, err)
		}
		for _, key := range []string{"a", "b", "c", "d", "e", "f"} { // several slots, so several nodes
			roundTrip(t, c, key)
		}
	}
}

func TestSentinelFindsThePrimary(t *testing.T) {
	primary := redistest.StartServer(t)
	sentinel := redistest.StartSentinel(t, "main", hostPort(t, primary.URL))
	c, err := connect(t, "redis: {addrs: ['"+sentinel+"'], master_name: main, db: 2}", &env{vars: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, c, "k")
	if v, err := redistest.ClientOf(t, primary.URL+"?db=2").Get(context.Background(), "k").Result(); err != nil || v != "v" {
		t.Errorf("GET k in db 2 of the primary: %q, %v", v, err)
	}
}
