package sim

import (
	"context"
	"crypto/rsa"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// Options configures a simulator. The zero value is a fast, healthy server.
type Options struct {
	// Latency is waited before a unary response (chat or embeddings).
	Latency time.Duration
	// TTFT is waited before the first streamed chunk.
	TTFT time.Duration
	// InterChunkDelay is waited between streamed chunks.
	InterChunkDelay time.Duration
	// WordsPerChunk is the number of tokens per streamed content chunk; 0
	// means 1, like real streams.
	WordsPerChunk int
	// Faults are server-wide faults, each applied to a random share of chat
	// and embeddings requests, for chaos tests.
	Faults []FaultRule
	// Seed makes the fault rolls reproducible. Content never depends on it:
	// it is always a function of the request.
	Seed int64
	// APIKey, when set, is the bearer token every request must carry;
	// otherwise no authentication is checked.
	APIKey string
	// GoogleServiceAccounts are the service accounts POST /token issues
	// access tokens to, by client_email: an assertion must verify against
	// the account's public key. When set, the Vertex AI routes accept only
	// the access tokens the simulator issued (see vertex_routes.go).
	GoogleServiceAccounts map[string]*rsa.PublicKey
	// AccessTokenLifetime is how long issued access tokens live; 0 means an
	// hour, Google's lifetime.
	AccessTokenLifetime time.Duration
	// Now is the clock the token endpoint checks assertions and access
	// tokens against; nil means time.Now. Tests share it with the client.
	Now func() time.Time
	// AWS, when set, is the access key the Bedrock dialect verifies SigV4
	// signatures against; otherwise any well-formed, current signature is
	// accepted (see bedrock_routes.go).
	AWS *AWSCredentials
}

// Server is a simulated LLM provider. It implements http.Handler and speaks
// each dialect on its own paths (today OpenAI's, under /v1).
type Server struct {
	opts   Options
	dice   faultDice
	routes map[string]http.HandlerFunc
	// prefixRoutes serve dialects whose paths are not fixed (Gemini puts
	// the model in the path); they are tried in order after routes.
	prefixRoutes []prefixRoute
	served       counters
	// tokens issues and checks Vertex AI access tokens.
	tokens accessTokens
}

// New returns a simulator configured by opts.
func New(opts Options) *Server {
	if opts.WordsPerChunk <= 0 {
		opts.WordsPerChunk = 1
	}
	s := &Server{opts: opts, routes: make(map[string]http.HandlerFunc)}
	s.dice.seed = mix64(uint64(opts.Seed))
	s.registerOpenAI()
	s.registerAnthropic()
	s.registerGemini()
	s.registerAzure()
	s.tokens.init(opts.Now)
	s.registerVertex()
	s.registerBedrock()
	return s
}

// ServeHTTP routes by path to the dialect that owns it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := s.routes[r.URL.Path]; h != nil {
		h(w, r)
		return
	}
	for _, p := range s.prefixRoutes {
		if strings.HasPrefix(r.URL.Path, p.prefix) {
			p.handler(w, r)
			return
		}
	}
	s.openAINotFound(w, r)
}

// prefixRoute hands every path under prefix to handler.
type prefixRoute struct {
	prefix  string
	handler http.HandlerFunc
}

// Transport returns an http.RoundTripper that serves requests from this
// simulator in memory; see HandlerTransport.
func (s *Server) Transport() http.RoundTripper { return HandlerTransport(s) }

// Totals counts what a simulator has served.
type Totals struct {
	// Requests counts requests to the chat and embeddings endpoints.
	Requests int64
	// Errors counts those answered with an error status, cut off, or
	// abandoned by the client.
	Errors int64
	// PromptTokens and CompletionTokens count the tokens of answered
	// requests: prompt tokens as reported in usage (embedding inputs
	// included), completion tokens as actually sent (a stream cut short
	// counts what was sent before the cut).
	PromptTokens     int64
	CompletionTokens int64
	// CachedTokens, CacheWriteTokens and ReasoningTokens are the reported
	// subsets (cache reads and writes of the prompt, reasoning of the
	// completion).
	CachedTokens     int64
	CacheWriteTokens int64
	ReasoningTokens  int64
	// AccessTokens counts the OAuth2 access tokens POST /token issued.
	AccessTokens int64
}

// Served returns the totals so far.
func (s *Server) Served() Totals {
	c := &s.served
	return Totals{
		Requests:         c.requests.Load(),
		Errors:           c.errors.Load(),
		PromptTokens:     c.prompt.Load(),
		CompletionTokens: c.completion.Load(),
		CachedTokens:     c.cached.Load(),
		CacheWriteTokens: c.cacheWrite.Load(),
		ReasoningTokens:  c.reasoning.Load(),
		AccessTokens:     s.tokens.issued.Load(),
	}
}

type counters struct {
	requests, errors                                  atomic.Int64
	prompt, completion, cached, cacheWrite, reasoning atomic.Int64
}

// sleep waits d or until ctx is done, and reports whether the full wait
// happened.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// effective returns override when set, else base.
func effective(base, override time.Duration) time.Duration {
	if override != 0 {
		return override
	}
	return base
}
