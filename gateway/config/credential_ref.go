package config

import (
	"context"

	"github.com/switchboard-gw/switchboard/secrets"
)

// checkCredentialRef checks a credential reference other than api_key
// (azure.bearer_token, vertex.credentials) the way api_key is checked: a
// reference, never a literal secret; a vault: one needs Vault; an env: one
// must be set.
func (c *Config) checkCredentialRef(field, ref string) error {
	if err := secrets.CheckRef(ref); err != nil {
		return fieldErr(field, "%v", err)
	}
	if err := c.checkVaultRef(field, ref); err != nil {
		return err
	}
	if secrets.Scheme(ref) == secrets.SchemeEnv {
		if _, err := (secrets.Env{LookupEnv: c.LookupEnv}).Resolve(context.Background(), ref); err != nil {
			return fieldErr(field, "%v", err)
		}
	}
	return nil
}

// cloudCredentialRefs are a provider's references besides api_key.
func (p *Provider) cloudCredentialRefs() []string {
	var refs []string
	if p.Azure != nil && p.Azure.BearerToken != "" {
		refs = append(refs, p.Azure.BearerToken)
	}
	if p.Vertex != nil && p.Vertex.Credentials != "" {
		refs = append(refs, p.Vertex.Credentials)
	}
	refs = append(refs, p.Bedrock.credentialRefs()...)
	return refs
}
