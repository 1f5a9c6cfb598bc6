package vault

import (
	"fmt"

	"github.com/hashicorp/vault/api"
)

// newClient builds the Vault API client from cfg alone. The library's
// environment defaults (VAULT_TOKEN, VAULT_NAMESPACE, ...) are overridden
// so that the configuration, as validated, is what is used.
func newClient(cfg Config) (*api.Client, error) {
	c := api.DefaultConfig()
	if c.Error != nil {
		return nil, fmt.Errorf("vault: client defaults: %w", c.Error)
	}
	c.Address = cfg.Address
	c.Timeout = cfg.Timeout
	// Retries are the Resolver's business: it serves the last good value
	// and backs off, instead of holding a request through the library's
	// retry waits.
	c.MaxRetries = 0
	if cfg.TLS != (TLS{}) {
		if err := c.ConfigureTLS(&api.TLSConfig{
			CACert:        cfg.TLS.CACert,
			ClientCert:    cfg.TLS.ClientCert,
			ClientKey:     cfg.TLS.ClientKey,
			TLSServerName: cfg.TLS.ServerName,
			Insecure:      cfg.TLS.InsecureSkipVerify,
		}); err != nil {
			return nil, fmt.Errorf("vault: TLS: %w", err)
		}
	}
	client, err := api.NewClient(c)
	if err != nil {
		return nil, fmt.Errorf("vault: client: %w", err)
	}
	client.ClearToken()
	client.ClearNamespace()
	if cfg.Namespace != "" {
		client.SetNamespace(cfg.Namespace)
	}
	return client, nil
}
