package vault

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"
)

// Defaults of the Config durations.
const (
	// DefaultCacheTTL is how long a value is served from memory before
	// Vault is asked again. Short enough that a rotation is picked up within
	// minutes even when no upstream rejects the old key.
	DefaultCacheTTL = 5 * time.Minute
	// DefaultMaxStaleness is how long after its TTL ran out the last good
	// value is still served while Vault cannot be reached.
	DefaultMaxStaleness = time.Hour
	// DefaultRetryInterval is how long stale values are served without
	// asking Vault again after a failed read, so that an outage does not
	// add a Vault timeout to every request.
	DefaultRetryInterval = 5 * time.Second
	// DefaultTimeout bounds one Vault request.
	DefaultTimeout = 10 * time.Second
	// DefaultAppRoleMount is where the AppRole auth method is mounted.
	DefaultAppRoleMount = "approle"
)

// Config configures a Resolver. Token and AppRole hold values, not
// references: the caller resolves those first (they usually come from the
// environment).
type Config struct {
	// Address is the Vault URL, e.g. https://vault.internal:8200.
	Address string
	// Token authenticates directly. Exactly one of Token and AppRole.
	Token string
	// AppRole authenticates with a role ID and secret ID and logs in again
	// whenever the token can no longer be renewed.
	AppRole *AppRole
	// Namespace is the Vault Enterprise namespace, if any.
	Namespace string

	// CacheTTL: see DefaultCacheTTL. A negative value disables caching
	// (every Resolve reads Vault), which is meant for tests.
	CacheTTL time.Duration
	// MaxStaleness: see DefaultMaxStaleness. A negative value disables
	// serving stale values.
	MaxStaleness time.Duration
	// RetryInterval: see DefaultRetryInterval. A negative value retries on
	// every Resolve.
	RetryInterval time.Duration
	// Timeout: see DefaultTimeout.
	Timeout time.Duration

	TLS TLS

	// Logger receives warnings (stale values served, renewal failures);
	// slog.Default() when nil. It never receives a secret.
	Logger *slog.Logger
}

// AppRole holds the credentials of the AppRole auth method.
type AppRole struct {
	// Mount is the auth method's path; DefaultAppRoleMount when empty.
	Mount    string
	RoleID   string
	SecretID string
}

// TLS configures the connection to an https Vault address.
type TLS struct {
	// CACert is a PEM file of the CA that signed Vault's certificate.
	CACert string
	// ClientCert and ClientKey are PEM files for mutual TLS.
	ClientCert string
	ClientKey  string
	// ServerName overrides the name checked in Vault's certificate.
	ServerName string
	// InsecureSkipVerify disables certificate checks (never in production).
	InsecureSkipVerify bool
}

// withDefaults returns c with zero durations replaced by the defaults and
// negative ones by zero, after checking it.
func (c Config) withDefaults() (Config, error) {
	if c.Address == "" {
		return c, errors.New("vault: no address (set secrets.vault.address or VAULT_ADDR)")
	}
	if u, err := url.Parse(c.Address); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("vault: address %q is not an http(s) URL", c.Address)
	}
	switch {
	case c.Token != "" && c.AppRole != nil:
		return c, errors.New("vault: set either a token or AppRole credentials, not both")
	case c.Token == "" && c.AppRole == nil:
		return c, errors.New("vault: no credentials (set a token or AppRole credentials)")
	case c.AppRole != nil && (c.AppRole.RoleID == "" || c.AppRole.SecretID == ""):
		return c, errors.New("vault: AppRole needs both a role ID and a secret ID")
	}
	if (c.TLS.ClientCert == "") != (c.TLS.ClientKey == "") {
		return c, errors.New("vault: set both TLS client_cert and client_key, or neither")
	}
	c.CacheTTL = orDefault(c.CacheTTL, DefaultCacheTTL)
	c.MaxStaleness = orDefault(c.MaxStaleness, DefaultMaxStaleness)
	c.RetryInterval = orDefault(c.RetryInterval, DefaultRetryInterval)
	c.Timeout = orDefault(c.Timeout, DefaultTimeout)
	if c.AppRole != nil && c.AppRole.Mount == "" {
		ar := *c.AppRole
		ar.Mount = DefaultAppRoleMount
		c.AppRole = &ar
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c, nil
}

func orDefault(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0
	}
	return d
}
