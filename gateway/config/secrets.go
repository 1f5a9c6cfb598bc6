package config

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"time"

	"github.com/switchboard-gw/switchboard/secrets"
)

// Secrets configures where credential references are resolved besides
// the environment, which is always available.
type Secrets struct {
	// Vault enables "vault:PATH#FIELD" references.
	Vault *Vault `yaml:"vault"`
}

// Vault configures the HashiCorp Vault server that vault: references are
// read from. Without this section, VAULT_ADDR (with VAULT_TOKEN) enables
// Vault when some reference uses it.
type Vault struct {
	// Address is the Vault URL; VAULT_ADDR when empty.
	Address string `yaml:"address"`
	// Token is an env: reference to a Vault token; env:VAULT_TOKEN when
	// neither token nor approle is set.
	Token string `yaml:"token"`
	// AppRole authenticates with a role ID and secret ID instead of a token.
	AppRole *VaultAppRole `yaml:"approle"`
	// Namespace is the Vault Enterprise namespace; VAULT_NAMESPACE when empty.
	Namespace string `yaml:"namespace"`
	// CacheTTL is how long a value is served from memory before Vault is
	// read again (default 5m).
	CacheTTL time.Duration `yaml:"cache_ttl"`
	// MaxStaleness is how long past its cache TTL the last good value is
	// still served while Vault cannot be reached (default 1h).
	MaxStaleness time.Duration `yaml:"max_staleness"`
	// RetryInterval is how long stale values are served before Vault is
	// tried again after a failed read (default 5s).
	RetryInterval time.Duration `yaml:"retry_interval"`
	// Timeout bounds one Vault request (default 10s).
	Timeout time.Duration `yaml:"timeout"`
	TLS     VaultTLS      `yaml:"tls"`
}

// VaultAppRole holds env: references to the AppRole credentials.
type VaultAppRole struct {
	// Mount is where the AppRole auth method is mounted (default approle).
	Mount string `yaml:"mount"`
	// RoleID is a reference, env:VAULT_ROLE_ID when empty.
	RoleID string `yaml:"role_id"`
	// SecretID is a reference, env:VAULT_SECRET_ID when empty.
	SecretID string `yaml:"secret_id"`
}

// VaultTLS configures the connection to an https Vault address.
type VaultTLS struct {
	CACert             string `yaml:"ca_cert"`
	ClientCert         string `yaml:"client_cert"`
	ClientKey          string `yaml:"client_key"`
	ServerName         string `yaml:"server_name"`
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify"`
}

// VaultSettings returns the Vault settings in effect: the secrets.vault
// section with the environment defaults filled in, or, without the
// section, settings from VAULT_ADDR and VAULT_TOKEN. It returns nil when
// Vault is not configured at all.
func (c *Config) VaultSettings() *Vault {
	lookup := c.lookupEnv()
	v := Vault{}
	if c.Secrets.Vault != nil {
		v = *c.Secrets.Vault
	} else if addr, _ := lookup("VAULT_ADDR"); addr == "" {
		return nil
	}
	if v.Address == "" {
		v.Address, _ = lookup("VAULT_ADDR")
	}
	if v.Namespace == "" {
		v.Namespace, _ = lookup("VAULT_NAMESPACE")
	}
	if v.AppRole != nil {
		ar := *v.AppRole
		ar.RoleID = firstSet(ar.RoleID, "env:VAULT_ROLE_ID")
		ar.SecretID = firstSet(ar.SecretID, "env:VAULT_SECRET_ID")
		v.AppRole = &ar
	} else if v.Token == "" {
		v.Token = "env:VAULT_TOKEN"
	}
	return &v
}

// VaultExplicit reports whether the file has a secrets.vault section (then
// Vault is opened at start even if no reference uses it yet).
func (c *Config) VaultExplicit() bool { return c.Secrets.Vault != nil }

// UsesVault reports whether a credential reference of the configuration
// (provider keys, the server secret, the Redis URL and passwords) is a
// vault: reference.
func (c *Config) UsesVault() bool {
	for _, ref := range c.credentialRefs() {
		if secrets.Scheme(ref) == secrets.SchemeVault {
			return true
		}
	}
	return false
}

func (c *Config) credentialRefs() []string {
	refs := []string{c.Server.ServerSecret, c.Redis.Password, c.Redis.SentinelPassword}
	if secrets.Scheme(c.Redis.URL) == secrets.SchemeVault {
		refs = append(refs, c.Redis.URL)
	}
	names := make([]string, 0, len(c.Providers))
	for n := range c.Providers {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if p := c.Providers[n]; p != nil {
			refs = append(refs, p.APIKey)
			refs = append(refs, p.cloudCredentialRefs()...)
		}
	}
	return refs
}

// validateSecrets checks the Vault settings when Vault is configured
// explicitly or used.
func (c *Config) validateSecrets() error {
	if c.Secrets.Vault == nil && !c.UsesVault() {
		return nil
	}
	v := c.VaultSettings()
	if v == nil {
		return nil // a vault: reference is reported where it is used
	}
	const field = "secrets.vault"
	if v.Address == "" {
		return fieldErr(field+".address", "is required (or set VAULT_ADDR)")
	}
	if u, err := url.Parse(v.Address); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fieldErr(field+".address", "want an http(s) URL, got %q", v.Address)
	}
	if v.Token != "" && v.AppRole != nil {
		return fieldErr(field, "set either token or approle, not both")
	}
	if v.AppRole != nil {
		if err := c.checkVaultLogin(field+".approle.role_id", v.AppRole.RoleID); err != nil {
			return err
		}
		if err := c.checkVaultLogin(field+".approle.secret_id", v.AppRole.SecretID); err != nil {
			return err
		}
	} else if err := c.checkVaultLogin(field+".token", v.Token); err != nil {
		return err
	}
	for name, d := range map[string]time.Duration{
		"cache_ttl": v.CacheTTL, "max_staleness": v.MaxStaleness, "retry_interval": v.RetryInterval, "timeout": v.Timeout,
	} {
		if d < 0 {
			return fieldErr(field+"."+name, "must not be negative")
		}
	}
	if (v.TLS.ClientCert == "") != (v.TLS.ClientKey == "") {
		return fieldErr(field+".tls", "set both client_cert and client_key, or neither")
	}
	return nil
}

// checkVaultLogin checks a credential Switchboard logs in to Vault with:
// an env: reference (a vault: one could not be read before logging in)
// whose variable is set.
func (c *Config) checkVaultLogin(field, ref string) error {
	if secrets.Scheme(ref) != secrets.SchemeEnv {
		return fieldErr(field, "want an env: reference such as env:VAULT_TOKEN")
	}
	if _, err := (secrets.Env{LookupEnv: c.lookupEnv()}).Resolve(context.Background(), ref); err != nil {
		return fieldErr(field, "%v", err)
	}
	return nil
}

// checkVaultRef fails when ref is a vault: reference and Vault is not
// configured.
func (c *Config) checkVaultRef(field, ref string) error {
	if secrets.Scheme(ref) != secrets.SchemeVault || c.VaultSettings() != nil {
		return nil
	}
	return fieldErr(field, "%s is a vault: reference, but Vault is not configured: add a secrets.vault section or set VAULT_ADDR and VAULT_TOKEN", ref)
}

func (c *Config) lookupEnv() func(string) (string, bool) {
	if c.LookupEnv != nil {
		return c.LookupEnv
	}
	return func(string) (string, bool) { return "", false }
}

func firstSet(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

// String describes the Vault settings without any credential value.
func (v *Vault) String() string {
	auth := "token " + v.Token
	if v.AppRole != nil {
		auth = fmt.Sprintf("approle %s (role_id %s, secret_id %s)", firstSet(v.AppRole.Mount, "approle"), v.AppRole.RoleID, v.AppRole.SecretID)
	}
	return "vault at " + v.Address + " with " + auth
}
