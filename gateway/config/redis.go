package config

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-gw/switchboard/secrets"
)

// Redis deployment modes, from the redis section's settings.
const (
	// RedisSingle is one server: redis.url, or one address in redis.addrs.
	RedisSingle = "single"
	// RedisSentinel is a Sentinel-managed primary: redis.master_name with
	// the Sentinel addresses in redis.addrs.
	RedisSentinel = "sentinel"
	// RedisCluster is a Redis Cluster: several seed addresses in
	// redis.addrs, or one with redis.cluster: true.
	RedisCluster = "cluster"
)

// Defaults of the redis section, applied when Redis is configured. The
// timeouts are short because Redis sits on the request path: a slow or lost
// server must not hold requests for long.
const (
	DefaultRedisKeyPrefix    = "switchboard:"
	DefaultRedisDialTimeout  = 2 * time.Second
	DefaultRedisReadTimeout  = time.Second
	DefaultRedisWriteTimeout = time.Second
	DefaultRedisMaxRetries   = 3
)

// Redis configures the Redis server (or Sentinel group, or Cluster) that
// gateway instances share rate limits, budgets and idempotency records
// through. Without url and addrs, Redis is off and that state lives in each
// process. Package internal/redisconn builds the client.
type Redis struct {
	// URL is one server: redis://[user@]host:port/db, rediss:// for TLS,
	// unix:///path/redis.sock. It holds no password: put the password in
	// password, or the whole URL in an environment variable or Vault and
	// write a credential reference such as env:REDIS_URL.
	URL string `yaml:"url"`
	// Addrs are host:port addresses: the Sentinels when master_name is set,
	// otherwise one server, or the seed nodes of a Cluster when there are
	// several (or cluster is true).
	Addrs []string `yaml:"addrs"`
	// MasterName selects Sentinel: the name of the monitored primary.
	MasterName string `yaml:"master_name"`
	// Cluster treats addrs as Cluster seeds even when there is only one.
	Cluster bool `yaml:"cluster"`
	// Username is the ACL user (default: the default user).
	Username string `yaml:"username"`
	// Password is a credential reference (env:REDIS_PASSWORD,
	// vault:PATH#FIELD), read again for every new connection so that a
	// rotated password is picked up.
	Password string `yaml:"password"`
	// SentinelUsername and SentinelPassword (a credential reference)
	// authenticate to the Sentinels themselves, when they require it.
	SentinelUsername string `yaml:"sentinel_username"`
	SentinelPassword string `yaml:"sentinel_password"`
	// DB is the database number (not with a Cluster, which has only 0;
	// with url, the database is the URL's path).
	DB  int      `yaml:"db"`
	TLS RedisTLS `yaml:"tls"`
	// KeyPrefix starts every key Switchboard writes (default
	// "switchboard:"), so that one Redis can serve several deployments.
	KeyPrefix string `yaml:"key_prefix"`
	// DialTimeout bounds connecting (default 2s); ReadTimeout and
	// WriteTimeout bound one command's socket reads and writes (default 1s).
	DialTimeout  time.Duration `yaml:"dial_timeout"`
	ReadTimeout  time.Duration `yaml:"read_timeout"`
	WriteTimeout time.Duration `yaml:"write_timeout"`
	// PoolSize is the number of connections per server (default: 10 per
	// CPU).
	PoolSize int `yaml:"pool_size"`
	// MaxRetries is how often a command that failed on the network is
	// retried (default 3; 0 for none).
	MaxRetries *int `yaml:"max_retries"`
}

// RedisTLS configures TLS to Redis. A rediss:// URL turns it on too.
type RedisTLS struct {
	Enabled bool `yaml:"enabled"`
	// CACert is a PEM file of the CAs to trust (default: the system's).
	CACert string `yaml:"ca_cert"`
	// ClientCert and ClientKey are PEM files for mutual TLS.
	ClientCert string `yaml:"client_cert"`
	ClientKey  string `yaml:"client_key"`
	// ServerName overrides the name the server's certificate is checked
	// against (default: the host connected to).
	ServerName         string `yaml:"server_name"`
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify"`
}

// Enabled reports whether Redis is configured.
func (r Redis) Enabled() bool { return r.URL != "" || len(r.Addrs) > 0 }

// Mode is RedisSingle, RedisSentinel or RedisCluster, or "" when Redis is
// not configured.
func (r Redis) Mode() string {
	switch {
	case !r.Enabled():
		return ""
	case r.MasterName != "":
		return RedisSentinel
	case r.Cluster || len(r.Addrs) > 1:
		return RedisCluster
	}
	return RedisSingle
}

// TLSEnabled reports whether connections use TLS (tls.enabled, or a
// rediss:// URL).
func (r Redis) TLSEnabled() bool { return r.TLS.Enabled || strings.HasPrefix(r.URL, "rediss://") }

// MaxRetriesOrDefault is the number of retries of a failed command.
func (r Redis) MaxRetriesOrDefault() int {
	if r.MaxRetries == nil {
		return DefaultRedisMaxRetries
	}
	return *r.MaxRetries
}

// String describes the connection without any credential: the URL when it
// is written in the file (it holds no password), the reference otherwise.
func (r Redis) String() string {
	var where string
	switch r.Mode() {
	case "":
		return "redis off"
	case RedisSentinel:
		where = fmt.Sprintf("redis sentinel master %s via %s", r.MasterName, strings.Join(r.Addrs, ","))
	case RedisCluster:
		where = "redis cluster via " + strings.Join(r.Addrs, ",")
	default:
		where = "redis at " + r.URL
		if r.URL == "" {
			where = fmt.Sprintf("redis at %s db %d", r.Addrs[0], r.DB)
		}
	}
	if r.TLSEnabled() {
		where += " (tls)"
	}
	return where
}

func (c *Config) applyRedisDefaults() {
	r := &c.Redis
	if !r.Enabled() {
		return
	}
	if r.KeyPrefix == "" {
		r.KeyPrefix = DefaultRedisKeyPrefix
	}
	if r.DialTimeout == 0 {
		r.DialTimeout = DefaultRedisDialTimeout
	}
	if r.ReadTimeout == 0 {
		r.ReadTimeout = DefaultRedisReadTimeout
	}
	if r.WriteTimeout == 0 {
		r.WriteTimeout = DefaultRedisWriteTimeout
	}
}

func (c *Config) validateRedis() error {
	r := c.Redis
	if !r.Enabled() {
		if r.MasterName != "" || r.Cluster || r.Password != "" || r.Username != "" || r.DB != 0 || r.TLS != (RedisTLS{}) ||
			r.SentinelPassword != "" || r.KeyPrefix != "" {
			return fieldErr("redis.url", "set url or addrs: the other redis settings have no server to apply to")
		}
		return nil
	}
	if r.URL != "" && len(r.Addrs) > 0 {
		return fieldErr("redis.url", "set url or addrs, not both")
	}
	if r.URL != "" {
		if err := c.checkRedisURL(r); err != nil {
			return err
		}
	}
	for i, a := range r.Addrs {
		if err := checkHostPort(a); err != nil {
			return fieldErr(fmt.Sprintf("redis.addrs[%d]", i), "%v", err)
		}
	}
	mode := r.Mode()
	switch {
	case r.MasterName != "" && r.Cluster:
		return fieldErr("redis.cluster", "a Sentinel setup (master_name) is not a Cluster: set one or the other")
	case mode == RedisCluster && r.DB != 0:
		return fieldErr("redis.db", "Redis Cluster has only database 0")
	case r.DB < 0:
		return fieldErr("redis.db", "must not be negative")
	case mode != RedisSentinel && (r.SentinelUsername != "" || r.SentinelPassword != ""):
		return fieldErr("redis.sentinel_password", "is for Sentinel (redis.master_name)")
	case strings.ContainsAny(r.KeyPrefix, "{}"):
		// Packages put their own {hash tags} after the prefix so that the
		// keys one script touches share a Cluster slot; braces in the
		// prefix would become the tag of every key.
		return fieldErr("redis.key_prefix", "must not contain { or }")
	case r.PoolSize < 0:
		return fieldErr("redis.pool_size", "must not be negative")
	case r.MaxRetries != nil && *r.MaxRetries < 0:
		return fieldErr("redis.max_retries", "must not be negative (0 for no retries)")
	}
	for _, f := range []struct{ field, ref string }{{"redis.password", r.Password}, {"redis.sentinel_password", r.SentinelPassword}} {
		field, ref := f.field, f.ref
		if ref == "" {
			continue
		}
		if err := secrets.CheckRef(ref); err != nil {
			return fieldErr(field, "%v", err)
		}
		if err := c.checkVaultRef(field, ref); err != nil {
			return err
		}
	}
	for field, d := range map[string]time.Duration{
		"redis.dial_timeout": r.DialTimeout, "redis.read_timeout": r.ReadTimeout, "redis.write_timeout": r.WriteTimeout,
	} {
		if d <= 0 {
			return fieldErr(field, "must be positive")
		}
	}
	t := r.TLS
	switch {
	case (t.ClientCert == "") != (t.ClientKey == ""):
		return fieldErr("redis.tls", "set both client_cert and client_key, or neither")
	case !r.TLSEnabled() && (t.CACert != "" || t.ClientCert != "" || t.ServerName != "" || t.InsecureSkipVerify):
		return fieldErr("redis.tls.enabled", "set it to true (or use a rediss:// URL) for the other tls settings to apply")
	}
	return nil
}

// checkRedisURL accepts a credential reference, or a literal URL without a
// password: a password belongs in redis.password, the environment or
// Vault, never in a configuration file.
func (c *Config) checkRedisURL(r Redis) error {
	const field = "redis.url"
	switch {
	case r.MasterName != "":
		return fieldErr("redis.master_name", "Sentinel takes the Sentinel addresses in redis.addrs, not redis.url")
	case r.Cluster:
		return fieldErr("redis.cluster", "a Cluster takes its seed addresses in redis.addrs, not redis.url")
	case r.DB != 0:
		return fieldErr("redis.db", "with redis.url, the database is the URL's path (redis://host:6379/2)")
	}
	scheme, _, isURL := strings.Cut(r.URL, "://")
	if !isURL {
		if err := secrets.CheckRef(r.URL); err != nil {
			return fieldErr(field, "%v", err)
		}
		return c.checkVaultRef(field, r.URL)
	}
	u, err := url.Parse(r.URL)
	if err != nil {
		return fieldErr(field, "is not a valid URL (want redis://host:port/db, rediss://... or unix:///path)")
	}
	if _, hasPassword := u.User.Password(); hasPassword || u.Query().Has("password") {
		return fieldErr(field, "holds a password: write it as redis.password: env:REDIS_PASSWORD, or put the URL in an environment variable and write url: env:REDIS_URL")
	}
	switch scheme {
	case "redis", "rediss":
		if u.Hostname() == "" {
			return fieldErr(field, "names no host")
		}
		if db := strings.Trim(u.Path, "/"); db != "" {
			if n, err := strconv.Atoi(db); err != nil || n < 0 {
				return fieldErr(field, "the path must be a database number, got %q", u.Path)
			}
		}
	case "unix":
		if u.Path == "" {
			return fieldErr(field, "names no socket path")
		}
	default:
		return fieldErr(field, "unknown scheme %q (want redis, rediss or unix)", scheme)
	}
	return nil
}

// checkHostPort checks a host:port address.
func checkHostPort(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return fmt.Errorf("want host:port, got %q", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("invalid port in %q", addr)
	}
	return nil
}
