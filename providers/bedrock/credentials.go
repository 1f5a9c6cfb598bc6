package bedrock

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
)

// Credentials are AWS credentials: an access key, and the session token of
// temporary credentials.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
}

// String names the access key without the secret parts, so that
// credentials printed by mistake reveal nothing.
func (c Credentials) String() string {
	id := c.AccessKeyID
	if len(id) > 4 {
		id = id[:4] + "..."
	}
	return "AWS credentials " + id
}

// GoString is String, for %#v.
func (c Credentials) GoString() string { return c.String() }

// CredentialsFunc returns the credentials to sign one request with. It is
// called for every request; sources that fetch credentials cache them.
type CredentialsFunc func(ctx context.Context) (Credentials, error)

// StaticCredentials returns c for every request.
func StaticCredentials(c Credentials) CredentialsFunc {
	return func(context.Context) (Credentials, error) { return c, nil }
}

var errIncomplete = errors.New("the credentials have no access key id or no secret access key")

// DefaultCredentials returns the AWS SDK's default credential chain, as
// the AWS CLI reads it: the AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
// AWS_SESSION_TOKEN variables, then the shared credentials and config files
// (~/.aws/credentials, ~/.aws/config, or AWS_SHARED_CREDENTIALS_FILE and
// AWS_CONFIG_FILE) for profile (AWS_PROFILE, else "default", when empty),
// with their SSO, assume-role, web identity and credential_process
// settings, then the ECS container and EC2 instance roles. Credentials
// that expire are cached and refreshed before they do.
//
// Nothing is fetched here: the chain runs on the first request, so a
// gateway that starts without AWS credentials fails its Bedrock requests
// (KindUnavailable), not its start. Set AWS_EC2_METADATA_DISABLED=true
// where the instance metadata service must not be tried. A profile that
// the files do not define is an error now.
func DefaultCredentials(ctx context.Context, profile string) (CredentialsFunc, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if profile != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(profile))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	return fromSDK(cfg.Credentials), nil
}

// fromSDK adapts an SDK credentials provider (cached by LoadDefaultConfig).
func fromSDK(p aws.CredentialsProvider) CredentialsFunc {
	return func(ctx context.Context) (Credentials, error) {
		if p == nil {
			return Credentials{}, errors.New("no AWS credential source is configured")
		}
		c, err := p.Retrieve(ctx)
		if err != nil {
			return Credentials{}, err
		}
		return Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}, nil
	}
}

func (c Credentials) sdk() aws.Credentials {
	return aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
}
