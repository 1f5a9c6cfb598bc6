package bedrock

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/bedrock/wire"
)

// DefaultName is the instance name when Config.Name is empty.
const DefaultName = "bedrock"

// Config describes one provider instance: one AWS region (or endpoint) and
// one set of credentials.
type Config struct {
	// Name is the instance name reported in errors and responses; it also
	// selects ProviderOptions[Name]. Empty means "bedrock".
	Name string
	// Region is the AWS region the requests are signed for and, without an
	// Endpoint, sent to (us-east-1, eu-central-1, ...). Required.
	Region string
	// Endpoint overrides https://bedrock-runtime.{Region}.amazonaws.com (a
	// VPC endpoint, a FIPS endpoint, the simulator). Requests are still
	// signed for Region.
	Endpoint string
	// Credentials returns the AWS credentials for each call (static ones,
	// the AWS SDK's default chain, or references resolved through the
	// secrets layer). Required.
	Credentials CredentialsFunc
	// Headers are extra static headers sent (and signed) on every call.
	Headers map[string]string
	// HTTPClient sends the calls. Nil means a shared client tuned for many
	// concurrent calls to few hosts, without an overall timeout: streams are
	// long, and deadlines come from each call's context.
	HTTPClient *http.Client
	// DefaultMaxTokens is maxTokens for Claude thinking requests that set
	// none (see wire.RequestOptions); 0 means wire.DefaultMaxTokens.
	DefaultMaxTokens int64
	// Now is the clock requests are signed with; nil means time.Now. The
	// signature is valid for 15 minutes around it.
	Now func() time.Time
}

// Provider calls the Bedrock Runtime Converse API. It is safe for
// concurrent use.
type Provider struct {
	cfg    Config
	client *http.Client
	base   *url.URL
	signer *v4.Signer
	opts   wire.RequestOptions
}

var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)

// New validates cfg and returns a Provider.
func New(cfg Config) (*Provider, error) {
	if cfg.Name == "" {
		cfg.Name = DefaultName
	}
	if !regionPattern.MatchString(cfg.Region) {
		return nil, fmt.Errorf("bedrock provider %q: Config.Region must be an AWS region such as us-east-1, got %q", cfg.Name, cfg.Region)
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = "https://bedrock-runtime." + cfg.Region + ".amazonaws.com"
	}
	base, err := url.Parse(cfg.Endpoint)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" || base.RawQuery != "" {
		return nil, fmt.Errorf("bedrock provider %q: Config.Endpoint must be an absolute http(s) URL without a query, got %q", cfg.Name, cfg.Endpoint)
	}
	if cfg.Credentials == nil {
		return nil, fmt.Errorf("bedrock provider %q: Config.Credentials is required", cfg.Name)
	}
	if cfg.DefaultMaxTokens < 0 {
		return nil, fmt.Errorf("bedrock provider %q: Config.DefaultMaxTokens must not be negative", cfg.Name)
	}
	for k := range cfg.Headers {
		if k == "" || strings.ContainsAny(k, " :\r\n") {
			return nil, fmt.Errorf("bedrock provider %q: invalid header name %q", cfg.Name, k)
		}
		if strings.EqualFold(k, "Authorization") || strings.HasPrefix(strings.ToLower(k), "x-amz-") {
			return nil, fmt.Errorf("bedrock provider %q: header %q is set by request signing", cfg.Name, k)
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	p := &Provider{
		cfg:    cfg,
		client: cfg.HTTPClient,
		base:   base,
		signer: v4.NewSigner(),
		opts:   wire.RequestOptions{Provider: cfg.Name, DefaultMaxTokens: cfg.DefaultMaxTokens},
	}
	if p.client == nil {
		p.client = sharedClient
	}
	return p, nil
}

// Name returns the instance name.
func (p *Provider) Name() string { return p.cfg.Name }

// Region returns the region requests are signed for.
func (p *Provider) Region() string { return p.cfg.Region }

// modelURL returns {endpoint}/model/{modelId}/{action} with the model id
// escaped as one path segment: every byte but the unreserved ones is
// percent-encoded, ":" and "/" of ARNs included, as the AWS SDKs send it
// (and sign it, escaped once more).
func (p *Provider) modelURL(model, action string) (*url.URL, error) {
	if model == "" {
		return nil, &llm.Error{Kind: llm.KindInvalidRequest, Provider: p.cfg.Name, Param: "model", Message: "model: a Bedrock model id is required"}
	}
	u := *p.base
	root := strings.TrimSuffix(u.Path, "/")
	rawRoot := strings.TrimSuffix(u.EscapedPath(), "/")
	u.Path = root + "/model/" + model + "/" + action
	u.RawPath = rawRoot + "/model/" + EscapeLabel(model) + "/" + action
	return &u, nil
}

// EscapeLabel percent-encodes s for use as one path segment, leaving only
// the unreserved characters (RFC 3986: letters, digits, "-", ".", "_", "~").
func EscapeLabel(s string) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	return string(b)
}

func unreserved(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

// sharedClient is used by every Provider without its own client, so that
// connections to the same host are pooled across instances.
var sharedClient = &http.Client{Transport: &http.Transport{
	Proxy: http.ProxyFromEnvironment,
	DialContext: (&net.Dialer{
		Timeout:   10 * time.Second,
		KeepAlive: 30 * time.Second,
	}).DialContext,
	ForceAttemptHTTP2:     true,
	MaxIdleConns:          1024,
	MaxIdleConnsPerHost:   256,
	IdleConnTimeout:       90 * time.Second,
	TLSHandshakeTimeout:   10 * time.Second,
	ExpectContinueTimeout: time.Second,
}}
