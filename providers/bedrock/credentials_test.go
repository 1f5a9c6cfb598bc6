package bedrock_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/bedrock"
	"github.com/switchboard-gw/switchboard/providers/sim"
)

// isolateAWS empties the AWS environment for the test: no credentials, no
// profile, shared files that do not exist, and never the instance metadata
// service (169.254.169.254) or a container endpoint.
func isolateAWS(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	return dir
}

func simWithDefaultChain(t *testing.T, profile string) (*bedrock.Provider, error) {
	t.Helper()
	creds, err := bedrock.DefaultCredentials(context.Background(), profile)
	if err != nil {
		return nil, err
	}
	return newSimTarget(t, sim.Options{}, func(c *bedrock.Config) { c.Credentials = creds }).p, nil
}

func TestDefaultChainReadsTheEnvironment(t *testing.T) {
	isolateAWS(t)
	t.Setenv("AWS_ACCESS_KEY_ID", testCreds.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", testCreds.SecretAccessKey)
	t.Setenv("AWS_SESSION_TOKEN", testCreds.SessionToken)
	p, err := simWithDefaultChain(t, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Complete(context.Background(), userRequest(claude, "hi")); err != nil {
		t.Fatal(err)
	}
}

func TestDefaultChainReadsTheSharedFileProfile(t *testing.T) {
	dir := isolateAWS(t)
	file := "[default]\naws_access_key_id = AKIADEFAULT000000000\naws_secret_access_key = wrong\n\n" +
		"[bedrock-prod]\naws_access_key_id = " + testCreds.AccessKeyID + "\naws_secret_access_key = " + testCreds.SecretAccessKey +
		"\naws_session_token = " + testCreds.SessionToken + "\n"
	if err := os.WriteFile(filepath.Join(dir, "credentials"), []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := simWithDefaultChain(t, "bedrock-prod")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Complete(context.Background(), userRequest(claude, "hi")); err != nil {
		t.Fatal(err)
	}
	// AWS_PROFILE selects it too; the default profile's key is refused.
	t.Setenv("AWS_PROFILE", "bedrock-prod")
	if p, err = simWithDefaultChain(t, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Complete(context.Background(), userRequest(claude, "hi")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_PROFILE", "")
	if p, err = simWithDefaultChain(t, ""); err != nil {
		t.Fatal(err)
	}
	_, err = p.Complete(context.Background(), userRequest(claude, "hi"))
	if e := asLLMError(t, err); e.Kind != llm.KindUnauthenticated {
		t.Errorf("default profile: %+v", e)
	}
	// A profile the files do not define fails at once.
	if _, err := bedrock.DefaultCredentials(context.Background(), "nope"); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("unknown profile: %v", err)
	}
}

// No credentials anywhere: the gateway starts, and requests fail as
// Unavailable without any network call (the metadata service is off).
func TestDefaultChainWithoutCredentials(t *testing.T) {
	isolateAWS(t)
	p, err := simWithDefaultChain(t, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Complete(context.Background(), userRequest(claude, "hi"))
	if e := asLLMError(t, err); e.Kind != llm.KindUnavailable || !strings.Contains(e.Message, "AWS credentials") {
		t.Errorf("%+v", e)
	}
}
