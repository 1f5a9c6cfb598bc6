package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/gateway/config"
)

func TestRedisOffByDefault(t *testing.T) {
	cfg, err := config.Parse(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Redis.Enabled() || cfg.Redis.Mode() != "" {
		t.Errorf("redis on without a redis section: %+v", cfg.Redis)
	}
	if l := cfg.RateLimits; l.Backend != config.RateLimitMemory || l.FailureMode != config.FailOpen || l.RedisTimeout != 500*time.Millisecond {
		t.Errorf("rate_limits defaults: %+v", l)
	}
}

func TestRedisSectionParses(t *testing.T) {
	cfg, err := config.Parse([]byte(`
redis:
  url: redis://cache.internal:6380/2
  username: switchboard
  password: env:REDIS_PASSWORD
  key_prefix: "sb-prod:"
  read_timeout: 250ms
  pool_size: 20
  max_retries: 0
  tls: {enabled: true, ca_cert: /etc/ssl/redis-ca.pem, server_name: cache}
rate_limits: {failure_mode: closed, redis_timeout: 200ms}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.Redis
	if r.Mode() != config.RedisSingle || r.URL != "redis://cache.internal:6380/2" || r.Username != "switchboard" ||
		r.Password != "env:REDIS_PASSWORD" || r.KeyPrefix != "sb-prod:" || r.ReadTimeout != 250*time.Millisecond ||
		r.WriteTimeout != config.DefaultRedisWriteTimeout || r.DialTimeout != config.DefaultRedisDialTimeout ||
		r.PoolSize != 20 || r.MaxRetriesOrDefault() != 0 || !r.TLSEnabled() || r.TLS.CACert != "/etc/ssl/redis-ca.pem" {
		t.Errorf("redis: %+v", r)
	}
	if l := cfg.RateLimits; l.Backend != config.RateLimitRedis || l.FailureMode != config.FailClosed || l.RedisTimeout != 200*time.Millisecond {
		t.Errorf("rate_limits: %+v (the backend defaults to redis when redis is configured)", l)
	}
}

func TestRedisModes(t *testing.T) {
	cases := map[string]string{
		"redis: {url: 'redis://localhost:6379/0'}":                                config.RedisSingle,
		"redis: {url: 'unix:///run/redis.sock'}":                                  config.RedisSingle,
		"redis: {url: env:REDIS_URL}":                                             config.RedisSingle,
		"redis: {addrs: ['10.0.0.1:6379'], db: 3}":                                config.RedisSingle,
		"redis: {addrs: ['s1:26379', 's2:26379', 's3:26379'], master_name: main}": config.RedisSentinel,
		"redis: {addrs: ['n1:7000', 'n2:7000']}":                                  config.RedisCluster,
		"redis: {addrs: ['cluster.internal:7000'], cluster: true}":                config.RedisCluster,
	}
	for yaml, mode := range cases {
		cfg, err := config.Parse([]byte(yaml), nil)
		if err != nil {
			t.Errorf("%s: %v", yaml, err)
			continue
		}
		if got := cfg.Redis.Mode(); got != mode {
			t.Errorf("%s: mode %q, want %q", yaml, got, mode)
		}
		if cfg.Redis.KeyPrefix != config.DefaultRedisKeyPrefix {
			t.Errorf("%s: key prefix %q, want the default", yaml, cfg.Redis.KeyPrefix)
		}
	}
}

func TestRedisSectionErrorsNameTheField(t *testing.T) {
	cases := map[string]string{
		"redis: {url: 'redis://:hunter2@cache:6379/0'}":                     "redis.url",
		"redis: {url: 'redis://u:hunter2@cache:6379/0'}":                    "redis.url",
		"redis: {url: 'redis://cache:6379/0?password=hunter2'}":             "redis.url",
		"redis: {url: 'hunter2'}":                                           "redis.url",
		"redis: {url: 'memcached://cache:11211'}":                           "redis.url",
		"redis: {url: 'redis://cache:6379/zero'}":                           "redis.url",
		"redis: {url: 'redis:///0'}":                                        "redis.url",
		"redis: {url: 'redis://c:6379', addrs: ['c:6379']}":                 "redis.url",
		"redis: {url: 'redis://c:6379', master_name: m}":                    "redis.master_name",
		"redis: {url: 'redis://c:6379', db: 2}":                             "redis.db",
		"redis: {url: 'redis://c:6379', cluster: true}":                     "redis.cluster",
		"redis: {password: env:REDIS_PASSWORD}":                             "redis.url",
		"redis: {addrs: ['cache']}":                                         "redis.addrs[0]",
		"redis: {addrs: ['a:1', 'b:99999']}":                                "redis.addrs[1]",
		"redis: {addrs: ['a:1', 'b:2'], db: 1}":                             "redis.db",
		"redis: {addrs: ['a:1'], master_name: m, cluster: true}":            "redis.cluster",
		"redis: {addrs: ['a:1'], password: 'hunter2'}":                      "redis.password",
		"redis: {addrs: ['a:1'], password: 'vault:secret/data/r#pw'}":       "redis.password",
		"redis: {addrs: ['a:1'], sentinel_password: env:X}":                 "redis.sentinel_password",
		"redis: {addrs: ['a:1'], key_prefix: '{sb}:'}":                      "redis.key_prefix",
		"redis: {addrs: ['a:1'], read_timeout: -1s}":                        "redis.read_timeout",
		"redis: {addrs: ['a:1'], max_retries: -1}":                          "redis.max_retries",
		"redis: {addrs: ['a:1'], pool_size: -1}":                            "redis.pool_size",
		"redis: {addrs: ['a:1'], tls: {client_cert: /c.pem}}":               "redis.tls",
		"redis: {addrs: ['a:1'], tls: {ca_cert: /ca.pem}}":                  "redis.tls.enabled",
		"rate_limits: {backend: redis}":                                     "rate_limits.backend",
		"rate_limits: {backend: etcd}":                                      "rate_limits.backend",
		"rate_limits: {failure_mode: maybe}":                                "rate_limits.failure_mode",
		"rate_limits: {redis_timeout: -1s}":                                 "rate_limits.redis_timeout",
		"redis: {addrs: ['a:1'], db: -1}":                                   "redis.db",
		"redis: {addrs: ['a:1'], tls: {enabled: true, client_key: /k.pem}}": "redis.tls",
	}
	for yaml, field := range cases {
		_, err := config.Parse([]byte(yaml), nil)
		if err == nil || !strings.Contains(err.Error(), field+":") {
			t.Errorf("%s: %v, want an error naming %s", yaml, err, field)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: the error repeats a secret: %v", yaml, err)
		}
	}
}

func TestRedisVaultPasswordNeedsVaultAndTurnsItOn(t *testing.T) {
	env := map[string]string{"VAULT_ADDR": "http://127.0.0.1:8200", "VAULT_TOKEN": "t"}
	cfg, err := config.Parse([]byte("redis: {addrs: ['a:1'], password: 'vault:secret/data/redis#password'}"), func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.UsesVault() {
		t.Error("UsesVault is false although redis.password is a vault: reference")
	}
}

func TestRedisStringHoldsNoSecret(t *testing.T) {
	cfg, err := config.Parse([]byte("redis: {url: env:REDIS_URL, password: env:REDIS_PASSWORD, tls: {enabled: true}}"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Redis.String(); got != "redis at env:REDIS_URL (tls)" {
		t.Errorf("String() = %q", got)
	}
	cfg, err = config.Parse([]byte("redis: {addrs: ['s1:26379', 's2:26379'], master_name: main}"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Redis.String(); got != "redis sentinel master main via s1:26379,s2:26379" {
		t.Errorf("String() = %q", got)
	}
}
