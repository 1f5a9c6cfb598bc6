package gateway

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/switchboard-gw/switchboard/gateway/config"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/bedrock"
	"github.com/switchboard-gw/switchboard/providers/sim"
	"github.com/switchboard-gw/switchboard/secrets"
)

// newBedrockProvider builds an AWS Bedrock provider. Its credentials are
// the bedrock section's references, resolved like every provider key (read
// once from the environment; from Vault on every request through the
// resolver's cache, and read again at once when AWS rejects them, so that a
// rotated key pair costs the caller nothing), or, without references, the
// AWS SDK's default chain for the section's profile.
func newBedrockProvider(name string, pc *config.Provider, resolver secrets.Resolver) (llm.Provider, error) {
	b := pc.Bedrock
	if b == nil {
		return nil, errors.New("bedrock: the bedrock section is required")
	}
	ctx := context.Background()
	var creds bedrock.CredentialsFunc
	var cred *secrets.Credential
	var err error
	if b.AccessKeyID == "" {
		if creds, err = bedrock.DefaultCredentials(ctx, b.Profile); err != nil {
			return nil, fmt.Errorf("bedrock: %w", err)
		}
	} else if creds, cred, err = bedrockKeyCredentials(ctx, resolver, b); err != nil {
		return nil, err
	}
	p, err := bedrock.New(bedrock.Config{
		Name:        name,
		Region:      b.Region,
		Endpoint:    b.Endpoint,
		Credentials: creds,
		Headers:     pc.Headers,
		HTTPClient:  httpClientFor(pc),
	})
	if err != nil {
		return nil, err
	}
	return withCredentialRefresh(p, cred), nil
}

// bedrockKeyCredentials resolves the access key references. When one of
// them is refreshable (Vault), the three are bound into one
// secrets.Credential whose value joins them, so that the 401 refresh of
// withCredentialRefresh re-reads all three and notices a rotation of any.
func bedrockKeyCredentials(ctx context.Context, resolver secrets.Resolver, b *config.Bedrock) (bedrock.CredentialsFunc, *secrets.Credential, error) {
	refs := awsKeyRefs{resolver: resolver, id: b.AccessKeyID, secret: b.SecretAccessKey, token: b.SessionToken}
	if !refs.refreshable() {
		v, err := refs.Resolve(ctx, "")
		if err != nil {
			return nil, nil, err
		}
		return bedrock.StaticCredentials(splitAWSKeys(v)), nil, nil
	}
	cred := secrets.NewCredential(refs, refs.String())
	if _, err := cred.Get(ctx); err != nil {
		return nil, nil, err
	}
	return func(ctx context.Context) (bedrock.Credentials, error) {
		v, err := cred.Get(ctx)
		if err != nil {
			return bedrock.Credentials{}, err
		}
		return splitAWSKeys(v), nil
	}, cred, nil
}

// awsKeyRefs resolves the access key id, secret and session token
// references together, as one value: the three joined by NUL, which none
// of them contains.
type awsKeyRefs struct {
	resolver          secrets.Resolver
	id, secret, token string
}

const awsKeySeparator = "\x00"

func (a awsKeyRefs) Resolve(ctx context.Context, _ string) (string, error) {
	vals := make([]string, 0, 3)
	for _, f := range []struct{ field, ref string }{
		{"bedrock.access_key_id", a.id}, {"bedrock.secret_access_key", a.secret}, {"bedrock.session_token", a.token},
	} {
		if f.ref == "" {
			vals = append(vals, "")
			continue
		}
		v, err := a.resolver.Resolve(ctx, f.ref)
		if err != nil {
			return "", fmt.Errorf("%s: %w", f.field, err)
		}
		vals = append(vals, strings.TrimSpace(v))
	}
	return strings.Join(vals, awsKeySeparator), nil
}

// Invalidate makes the next Resolve read every reference again.
func (a awsKeyRefs) Invalidate(string) {
	inv, ok := a.resolver.(secrets.Invalidator)
	if !ok {
		return
	}
	for _, ref := range []string{a.id, a.secret, a.token} {
		if ref != "" {
			inv.Invalidate(ref)
		}
	}
}

func (a awsKeyRefs) refreshable() bool {
	r, ok := a.resolver.(interface{ Refreshable(ref string) bool })
	if !ok {
		return false
	}
	for _, ref := range []string{a.id, a.secret, a.token} {
		if ref != "" && r.Refreshable(ref) {
			return true
		}
	}
	return false
}

// String names the references, never their values.
func (a awsKeyRefs) String() string {
	s := a.id + "," + a.secret
	if a.token != "" {
		s += "," + a.token
	}
	return s
}

func splitAWSKeys(v string) bedrock.Credentials {
	parts := strings.SplitN(v, awsKeySeparator, 3)
	for len(parts) < 3 {
		parts = append(parts, "")
	}
	return bedrock.Credentials{AccessKeyID: parts[0], SecretAccessKey: parts[1], SessionToken: parts[2]}
}

// simAWS is the access key the in-process simulator's Bedrock dialect
// checks signatures against: the demo signs its requests for real.
var simAWS = sim.AWSCredentials{AccessKeyID: "AKIASIMULATOR0000000", SecretAccessKey: "sim-secret-access-key-not-a-secret"}

// newSimBedrock reaches the in-process simulator through the real Bedrock
// translator, requests signed with SigV4 and verified by the simulator.
func newSimBedrock(name string, opts sim.Options) (llm.Provider, error) {
	creds := simAWS
	opts.AWS = &creds
	s := sim.New(opts)
	return bedrock.New(bedrock.Config{
		Name:        name,
		Region:      "us-east-1",
		Endpoint:    simHost,
		Credentials: bedrock.StaticCredentials(bedrock.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey}),
		HTTPClient:  &http.Client{Transport: s.Transport()},
	})
}
