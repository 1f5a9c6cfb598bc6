package gateway

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/switchboard-gw/switchboard/gateway/config"
	"github.com/switchboard-gw/switchboard/secrets"
	"github.com/switchboard-gw/switchboard/secrets/vault"
)

// OpenSecrets returns the resolver for the configuration's credential
// references: the environment always, and Vault when the file has a
// secrets.vault section or a reference uses vault: (with VAULT_ADDR). It
// connects and authenticates to Vault now, so a wrong address or token is
// reported at start. Close the result to stop the Vault token renewal.
func OpenSecrets(ctx context.Context, cfg *config.Config, logger *slog.Logger) (secrets.Schemes, error) {
	res := secrets.Schemes{secrets.SchemeEnv: secrets.Env{LookupEnv: cfg.LookupEnv}}
	v := cfg.VaultSettings()
	if v == nil || (!cfg.VaultExplicit() && !cfg.UsesVault()) {
		return res, nil
	}
	vc, err := vaultConfig(ctx, v, res, logger)
	if err != nil {
		return nil, err
	}
	r, err := vault.New(ctx, vc)
	if err != nil {
		return nil, fmt.Errorf("secrets.vault: %w", err)
	}
	if logger != nil {
		logger.Info("vault: connected", "vault", v.String())
	}
	res[secrets.SchemeVault] = r
	return res, nil
}

// vaultConfig turns the configuration's settings into the resolver's,
// resolving the login credentials from the environment.
func vaultConfig(ctx context.Context, v *config.Vault, env secrets.Resolver, logger *slog.Logger) (vault.Config, error) {
	vc := vault.Config{
		Address:       v.Address,
		Namespace:     v.Namespace,
		CacheTTL:      v.CacheTTL,
		MaxStaleness:  v.MaxStaleness,
		RetryInterval: v.RetryInterval,
		Timeout:       v.Timeout,
		TLS: vault.TLS{
			CACert:             v.TLS.CACert,
			ClientCert:         v.TLS.ClientCert,
			ClientKey:          v.TLS.ClientKey,
			ServerName:         v.TLS.ServerName,
			InsecureSkipVerify: v.TLS.InsecureSkipVerify,
		},
		Logger: logger,
	}
	resolve := func(field, ref string) (string, error) {
		val, err := env.Resolve(ctx, ref)
		if err != nil {
			return "", fmt.Errorf("secrets.vault.%s: %w", field, err)
		}
		return val, nil
	}
	var err error
	if v.AppRole != nil {
		vc.AppRole = &vault.AppRole{Mount: v.AppRole.Mount}
		if vc.AppRole.RoleID, err = resolve("approle.role_id", v.AppRole.RoleID); err != nil {
			return vc, err
		}
		if vc.AppRole.SecretID, err = resolve("approle.secret_id", v.AppRole.SecretID); err != nil {
			return vc, err
		}
		return vc, nil
	}
	vc.Token, err = resolve("token", v.Token)
	return vc, err
}
