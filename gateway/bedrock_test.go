package gateway_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/switchboard-gw/switchboard/gateway"
	"github.com/switchboard-gw/switchboard/gateway/config"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/sim"
	"github.com/switchboard-gw/switchboard/secrets/vault/vaulttest"
)

const bedrockModel = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"

// awsUpstream is a simulated Bedrock that verifies signatures against one
// access key; rotate swaps in a simulator expecting another, as AWS does
// when a key pair is rolled.
type awsUpstream struct {
	current atomic.Pointer[sim.Server]
	srv     *httptest.Server
}

func newAWSUpstream(t *testing.T, id, secret string) *awsUpstream {
	u := &awsUpstream{}
	u.rotate(id, secret)
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.current.Load().ServeHTTP(w, r)
	}))
	t.Cleanup(u.srv.Close)
	return u
}

func (u *awsUpstream) rotate(id, secret string) *sim.Server {
	s := sim.New(sim.Options{AWS: &sim.AWSCredentials{AccessKeyID: id, SecretAccessKey: secret}})
	u.current.Store(s)
	return s
}

func bedrockYAML(endpoint, credentials string) string {
	return fmt.Sprintf(`
providers:
  aws:
    kind: bedrock
    bedrock:
      region: eu-west-1
      endpoint: %s
%s
deployments:
  claude: {provider: aws, model: %q}
aliases:
  claude: {deployments: [claude]}
defaults: {demo: false, env_providers: false}
`, endpoint, credentials, bedrockModel)
}

func completeAndStream(t *testing.T, gw *gateway.Gateway, alias string) {
	t.Helper()
	ctx := context.Background()
	resp, err := gw.Complete(ctx, anyKey, userReq(alias, "hello"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Model != bedrockModel && resp.Model != "sim-chat" || resp.Choices[0].Message.Text() == "" || resp.Usage.InputTokens == 0 {
		t.Errorf("response = %+v", resp)
	}
	s, err := gw.Stream(ctx, anyKey, userReq(alias, "hello"))
	if err != nil {
		t.Fatal(err)
	}
	streamed, err := llm.Collect(s)
	if err != nil {
		t.Fatal(err)
	}
	if streamed.Choices[0].Message.Text() != resp.Choices[0].Message.Text() || streamed.Usage != resp.Usage {
		t.Errorf("streamed %+v, unary %+v", streamed, resp)
	}
}

// A bedrock provider from configuration: env: references resolved once,
// every request signed for the configured region and verified by the
// simulator.
func TestBedrockProviderFromConfig(t *testing.T) {
	u := newAWSUpstream(t, "AKIAENVKEY0000000000", "env-secret")
	cfg, err := config.Parse([]byte(bedrockYAML(u.srv.URL, `      access_key_id: env:BEDROCK_KEY_ID
      secret_access_key: env:BEDROCK_SECRET`)), env("BEDROCK_KEY_ID", "AKIAENVKEY0000000000", "BEDROCK_SECRET", "env-secret"))
	if err != nil {
		t.Fatal(err)
	}
	gw, err := gateway.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	completeAndStream(t, gw, "claude")
	if got := u.current.Load().Served(); got.Requests != 2 || got.Errors != 0 {
		t.Errorf("upstream served %+v", got)
	}
}

// Without references the AWS default chain is used: here the environment.
func TestBedrockProviderWithTheDefaultChain(t *testing.T) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIACHAINKEY00000000", "AWS_SECRET_ACCESS_KEY": "chain-secret", "AWS_SESSION_TOKEN": "",
		"AWS_PROFILE": "", "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI": "", "AWS_WEB_IDENTITY_TOKEN_FILE": "", "AWS_ROLE_ARN": "",
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
	} {
		t.Setenv(k, v)
	}
	u := newAWSUpstream(t, "AKIACHAINKEY00000000", "chain-secret")
	cfg, err := config.Parse([]byte(bedrockYAML(u.srv.URL, "")), env())
	if err != nil {
		t.Fatal(err)
	}
	gw, err := gateway.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	completeAndStream(t, gw, "claude")
	// A profile the shared files do not have fails the start.
	cfg, err = config.Parse([]byte(bedrockYAML(u.srv.URL, "      profile: missing-profile")), env())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gateway.New(cfg); err == nil || !strings.Contains(err.Error(), "providers.aws: bedrock:") {
		t.Errorf("missing profile: %v", err)
	}
}

// The sim provider's bedrock dialect: the in-process simulator behind the
// real Bedrock translator, signatures verified.
func TestSimProviderBedrockDialect(t *testing.T) {
	cfg, err := config.Parse([]byte(`
providers:
  sim-bedrock: {kind: sim, dialect: bedrock}
deployments:
  demo-bedrock: {provider: sim-bedrock, model: sim-chat}
aliases:
  demo-bedrock: {deployments: [demo-bedrock]}
defaults: {demo: false, env_providers: false}
`), env())
	if err != nil {
		t.Fatal(err)
	}
	gw, err := gateway.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	completeAndStream(t, gw, "demo-bedrock")
	_, err = gw.Complete(context.Background(), anyKey, userReq("demo-bedrock", "hi [[sim status=429]]"))
	if e := llm.AsError(err); e.Kind != llm.KindRateLimited || e.Provider != "sim-bedrock" {
		t.Errorf("rate limit: %+v", e)
	}
}

// A key pair rotated in Vault and at AWS reaches the gateway without a
// failed call: AWS's 403 (UnrecognizedClientException) makes the gateway
// read the three references again at once and, the pair having changed,
// repeat the request.
func TestBedrockVaultKeyRotation(t *testing.T) {
	v := vaulttest.StartDev(t)
	v.PutKV(t, "switchboard/aws", map[string]any{"id": "AKIAOLDKEY0000000000", "secret": "old-secret"})
	u := newAWSUpstream(t, "AKIAOLDKEY0000000000", "old-secret")
	yaml := `
secrets:
  vault: {address: ` + v.Addr + `, token: env:VAULT_TOKEN, cache_ttl: 1h}
` + bedrockYAML(u.srv.URL, `      access_key_id: vault:secret/data/switchboard/aws#id
      secret_access_key: vault:secret/data/switchboard/aws#secret`)
	cfg, err := config.Parse([]byte(yaml), env("VAULT_TOKEN", v.RootToken))
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	creds, err := gateway.OpenSecrets(context.Background(), cfg, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = creds.Close() })
	gw, err := gateway.New(cfg, gateway.WithSecrets(creds))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := gw.Complete(ctx, anyKey, userReq("claude", "hello")); err != nil {
		t.Fatalf("before rotation: %v", err)
	}
	v.PutKV(t, "switchboard/aws", map[string]any{"id": "AKIANEWKEY0000000000", "secret": "new-secret"})
	rotated := u.rotate("AKIANEWKEY0000000000", "new-secret")
	if _, err := gw.Complete(ctx, anyKey, userReq("claude", "hello after rotation")); err != nil {
		t.Fatalf("after rotation: %v", err)
	}
	if got := rotated.Served(); got.Requests != 2 || got.Errors != 1 {
		t.Errorf("upstream saw %+v, want one 403 then one success", got)
	}
	// Rotated at AWS only: the stored pair is wrong, say so.
	u.rotate("AKIAELSEWHERE0000000", "elsewhere")
	_, err = gw.Complete(ctx, anyKey, userReq("claude", "hello"))
	if e := llm.AsError(err); e.Kind != llm.KindUnauthenticated || e.Provider != "aws" {
		t.Fatalf("wrong pair in Vault: %+v", e)
	}
	for _, secret := range []string{"old-secret", "new-secret", v.RootToken} {
		if strings.Contains(err.Error(), secret) || strings.Contains(logs.String(), secret) {
			t.Error("a secret appears in an error or the log")
		}
	}
}
