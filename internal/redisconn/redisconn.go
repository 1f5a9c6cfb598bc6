package redisconn

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/switchboard-gw/switchboard/gateway/config"
	"github.com/switchboard-gw/switchboard/secrets"
)

// New builds the client that cfg describes; resolver resolves its
// credential references (secrets.Schemes in the gateway). The client
// connects lazily: New fails only on a bad configuration (an unreadable
// reference, a malformed URL, unreadable TLS files), and the first command
// reports an unreachable server. cfg must have passed config validation.
func New(ctx context.Context, cfg config.Redis, resolver secrets.Resolver) (redis.UniversalClient, error) {
	if !cfg.Enabled() {
		return nil, errors.New("redis: not configured (set redis.url or redis.addrs)")
	}
	opts, network, err := universalOptions(ctx, cfg, resolver)
	if err != nil {
		return nil, err
	}
	// One dial attempt per connection: commands are already retried
	// (redis.max_retries), and go-redis's default of five dial attempts 100ms
	// apart would hold every request for seconds while Redis is down.
	const dialAttempts = 1
	switch cfg.Mode() {
	case config.RedisSentinel:
		o := opts.Failover()
		o.DialerRetries = dialAttempts
		return redis.NewFailoverClient(o), nil
	case config.RedisCluster:
		o := opts.Cluster()
		o.DialerRetries = dialAttempts
		return redis.NewClusterClient(o), nil
	default:
		o := opts.Simple()
		o.Network = network
		o.DialerRetries = dialAttempts
		return redis.NewClient(o), nil
	}
}

// universalOptions turns cfg into go-redis options; network is "unix" for a
// unix:// URL and "tcp" otherwise.
func universalOptions(ctx context.Context, cfg config.Redis, resolver secrets.Resolver) (*redis.UniversalOptions, string, error) {
	opts := &redis.UniversalOptions{
		Addrs:         cfg.Addrs,
		DB:            cfg.DB,
		Username:      cfg.Username,
		MasterName:    cfg.MasterName,
		IsClusterMode: cfg.Mode() == config.RedisCluster,
		DialTimeout:   cfg.DialTimeout,
		ReadTimeout:   cfg.ReadTimeout,
		WriteTimeout:  cfg.WriteTimeout,
		PoolSize:      cfg.PoolSize,
		MaxRetries:    cfg.MaxRetriesOrDefault(),
		ClientName:    "switchboard",
		// Maintenance notifications are a Redis Enterprise feature: without
		// this the client probes for them on every new connection.
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = -1 // go-redis reads 0 as its default (3), -1 as none
	}
	network := "tcp"
	var host string
	if cfg.URL != "" {
		u, err := fromURL(ctx, cfg.URL, resolver)
		if err != nil {
			return nil, "", err
		}
		opts.Addrs = []string{u.Addr}
		opts.DB = u.DB
		network = u.Network
		host, _, _ = strings.Cut(u.Addr, ":")
		if opts.Username == "" {
			opts.Username = u.Username
		}
		if u.Password != "" && cfg.Password == "" {
			opts.Password = u.Password
		}
	} else {
		host, _, _ = strings.Cut(cfg.Addrs[0], ":")
	}
	if cfg.Password != "" {
		if _, err := resolver.Resolve(ctx, cfg.Password); err != nil {
			return nil, "", fmt.Errorf("redis.password: %w", err)
		}
		username, ref := opts.Username, cfg.Password
		opts.CredentialsProviderContext = func(ctx context.Context) (string, string, error) {
			password, err := resolver.Resolve(ctx, ref)
			if err != nil {
				return "", "", fmt.Errorf("redis.password: %w", err)
			}
			return username, password, nil
		}
	}
	if cfg.SentinelPassword != "" {
		password, err := resolver.Resolve(ctx, cfg.SentinelPassword)
		if err != nil {
			return nil, "", fmt.Errorf("redis.sentinel_password: %w", err)
		}
		opts.SentinelUsername, opts.SentinelPassword = cfg.SentinelUsername, password
	}
	if cfg.TLSEnabled() {
		tc, err := tlsConfig(cfg.TLS, host)
		if err != nil {
			return nil, "", err
		}
		opts.TLSConfig = tc
	}
	return opts, network, nil
}

// fromURL reads redis.url, resolving it first when it is a credential
// reference. Its errors never quote the URL, which may hold a password.
func fromURL(ctx context.Context, ref string, resolver secrets.Resolver) (*redis.Options, error) {
	raw := ref
	if !strings.Contains(ref, "://") {
		v, err := resolver.Resolve(ctx, ref)
		if err != nil {
			return nil, fmt.Errorf("redis.url: %w", err)
		}
		raw = v
	}
	o, err := redis.ParseURL(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error quotes the whole URL
		}
		return nil, fmt.Errorf("redis.url: %s is not a valid redis://, rediss:// or unix:// URL: %w", describe(ref), err)
	}
	return o, nil
}

// describe names where a URL came from without showing a value that may
// be secret.
func describe(ref string) string {
	if strings.Contains(ref, "://") {
		return "the URL"
	}
	return "the value of " + ref
}

// tlsConfig builds the TLS settings; host is the server name checked by
// default.
func tlsConfig(t config.RedisTLS, host string) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: host, InsecureSkipVerify: t.InsecureSkipVerify}
	if t.ServerName != "" {
		tc.ServerName = t.ServerName
	}
	if t.CACert != "" {
		pem, err := os.ReadFile(t.CACert)
		if err != nil {
			return nil, fmt.Errorf("redis.tls.ca_cert: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("redis.tls.ca_cert: %s holds no PEM certificate", t.CACert)
		}
		tc.RootCAs = pool
	}
	if t.ClientCert != "" {
		cert, err := tls.LoadX509KeyPair(t.ClientCert, t.ClientKey)
		if err != nil {
			return nil, fmt.Errorf("redis.tls.client_cert: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}
