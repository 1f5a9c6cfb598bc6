package config

import (
	"net/url"
	"regexp"
	"strings"
)

// KindBedrock is AWS Bedrock through its Converse API: requests signed
// with AWS Signature Version 4, answers streamed as binary event streams.
const KindBedrock = "bedrock"

// Bedrock configures a provider of kind bedrock. Its deployments name
// Bedrock model ids or inference profiles
// ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "amazon.nova-pro-v1:0").
//
// Credentials are either the three references below (access_key_id and
// secret_access_key together, session_token for temporary credentials),
// resolved through the secrets layer like every provider key and re-read
// when AWS rejects them; or, without them, the AWS SDK's default chain
// (AWS_ACCESS_KEY_ID and friends, the shared credentials and config files
// with Profile, SSO, web identity, container and instance roles).
type Bedrock struct {
	// Region is the AWS region, such as us-east-1 (required): requests are
	// signed for it and sent to https://bedrock-runtime.{region}.amazonaws.com.
	Region string `yaml:"region"`
	// Endpoint replaces that URL: a VPC or FIPS endpoint, a proxy, a test
	// server. Requests are still signed for Region.
	Endpoint string `yaml:"endpoint"`
	// AccessKeyID is a credential reference (env:..., vault:...) to the
	// access key id.
	AccessKeyID string `yaml:"access_key_id"`
	// SecretAccessKey is a credential reference to the secret access key.
	SecretAccessKey string `yaml:"secret_access_key"`
	// SessionToken is a credential reference to the session token of
	// temporary credentials.
	SessionToken string `yaml:"session_token"`
	// Profile is the shared-config profile the default chain reads, instead
	// of AWS_PROFILE (or "default"). Not with static references.
	Profile string `yaml:"profile"`
}

// awsRegion matches AWS region names: us-east-1, eu-central-2,
// us-gov-west-1, ap-southeast-3.
var awsRegion = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)

func (c *Config) validateBedrock(field string, p *Provider) error {
	b := p.Bedrock
	if b == nil {
		return fieldErr(field+".bedrock", "is required for kind bedrock (at least bedrock.region)")
	}
	bf := field + ".bedrock"
	if b.Region == "" {
		return fieldErr(bf+".region", "is required: the AWS region, such as us-east-1")
	}
	if !awsRegion.MatchString(b.Region) {
		return fieldErr(bf+".region", "%q is not an AWS region such as us-east-1", b.Region)
	}
	if b.Endpoint != "" {
		u, err := url.Parse(b.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
			return fieldErr(bf+".endpoint", "want an http(s) URL without a query, got %q", b.Endpoint)
		}
	}
	if p.Vendor != "" {
		return fieldErr(field+".vendor", "vendor presets are for kind openai")
	}
	if p.BaseURL != "" {
		return fieldErr(field+".base_url", "a bedrock provider takes its URL from bedrock.region (or bedrock.endpoint)")
	}
	if p.Auth != "" {
		return fieldErr(field+".auth", "a bedrock provider signs its requests with AWS credentials; auth is for kind openai")
	}
	if p.APIKey != "" {
		return fieldErr(field+".api_key", "a bedrock provider takes AWS credentials: set bedrock.access_key_id and bedrock.secret_access_key, or leave them out for the default AWS chain")
	}
	switch {
	case (b.AccessKeyID == "") != (b.SecretAccessKey == ""):
		missing := "secret_access_key"
		if b.AccessKeyID == "" {
			missing = "access_key_id"
		}
		return fieldErr(bf+"."+missing, "is required with bedrock.access_key_id and bedrock.secret_access_key: set both, or neither for the default AWS chain")
	case b.SessionToken != "" && b.AccessKeyID == "":
		return fieldErr(bf+".session_token", "goes with bedrock.access_key_id and bedrock.secret_access_key")
	case b.Profile != "" && b.AccessKeyID != "":
		return fieldErr(bf+".profile", "selects credentials of the default AWS chain; it cannot be combined with bedrock.access_key_id")
	}
	if strings.ContainsAny(b.Profile, " \t\r\n[]") {
		return fieldErr(bf+".profile", "%q is not a profile name", b.Profile)
	}
	for _, f := range []struct{ name, ref string }{
		{"access_key_id", b.AccessKeyID}, {"secret_access_key", b.SecretAccessKey}, {"session_token", b.SessionToken},
	} {
		if f.ref == "" {
			continue
		}
		if err := c.checkCredentialRef(bf+"."+f.name, f.ref); err != nil {
			return err
		}
	}
	return nil
}

// credentialRefs are the references of a bedrock section.
func (b *Bedrock) credentialRefs() []string {
	if b == nil {
		return nil
	}
	var refs []string
	for _, r := range []string{b.AccessKeyID, b.SecretAccessKey, b.SessionToken} {
		if r != "" {
			refs = append(refs, r)
		}
	}
	return refs
}
