package vertex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// TokenSourceConfig configures a TokenSource.
type TokenSourceConfig struct {
	// Provider names the provider in errors.
	Provider string
	// Account is the service account whose tokens are minted.
	Account *ServiceAccount
	// TokenURI, when set, replaces the account's token_uri (a test server).
	TokenURI string
	// Scope is the OAuth2 scope asked for; empty means CloudPlatformScope.
	Scope string
	// HTTPClient makes the exchange; nil means http.DefaultClient's
	// transport with a 30s timeout.
	HTTPClient *http.Client
	// Now is the clock; nil means time.Now. Tests move it to expire tokens.
	Now func() time.Time
}

// TokenSource mints OAuth2 access tokens for a service account and caches
// them. It is safe for concurrent use:
//
//   - A token is reused until refreshMargin before it expires (5 minutes
//     for Google's one-hour tokens, a quarter of the lifetime for shorter
//     ones). In that margin the first caller starts a refresh in the
//     background and every caller keeps using the current token; only a
//     token about to expire makes callers wait.
//   - Refreshes are single-flight: however many callers need a token at
//     once, one exchange is made and all of them get its result. The
//     exchange runs on its own deadline, so a caller giving up does not
//     fail the others.
//   - Invalidate drops a token the API rejected (a 401), so that the next
//     Token mints a new one.
type TokenSource struct {
	cfg      TokenSourceConfig
	tokenURI string
	client   *http.Client

	// cached is read without the lock on every request; it is replaced
	// (under mu) when a token is minted or invalidated.
	cached atomic.Pointer[cachedToken]

	mu       sync.Mutex
	inflight *tokenFetch
}

// cachedToken is a token and its times.
type cachedToken struct {
	token     string
	expiry    time.Time // when the token stops working
	refreshAt time.Time // when to start replacing it
}

// tokenFetch is one exchange in progress; done is closed when it ends.
type tokenFetch struct {
	done  chan struct{}
	token string
	err   error
}

// exchangeTimeout bounds one token exchange.
const exchangeTimeout = 30 * time.Second

// expiryLeeway is how long before its expiry a token is no longer handed
// out at all: a request must reach the API before the token dies.
const expiryLeeway = 10 * time.Second

var tokenClient = &http.Client{Timeout: exchangeTimeout}

// NewTokenSource returns a TokenSource for cfg.Account.
func NewTokenSource(cfg TokenSourceConfig) (*TokenSource, error) {
	if cfg.Account == nil {
		return nil, errors.New("vertex: TokenSourceConfig.Account is required")
	}
	ts := &TokenSource{cfg: cfg, tokenURI: cfg.Account.TokenURI, client: cfg.HTTPClient}
	if cfg.TokenURI != "" {
		if err := checkTokenURI(cfg.TokenURI); err != nil {
			return nil, fmt.Errorf("vertex: TokenURI: %w", err)
		}
		ts.tokenURI = cfg.TokenURI
	}
	if ts.cfg.Scope == "" {
		ts.cfg.Scope = CloudPlatformScope
	}
	if ts.cfg.Now == nil {
		ts.cfg.Now = time.Now
	}
	if ts.client == nil {
		ts.client = tokenClient
	}
	return ts, nil
}

// Token returns a valid access token, minting one when the cache has none
// that lasts long enough.
func (ts *TokenSource) Token(ctx context.Context) (string, error) {
	now := ts.cfg.Now()
	if c := ts.cached.Load(); c != nil && now.Before(c.refreshAt) {
		return c.token, nil // the usual case: no lock
	}
	ts.mu.Lock()
	c := ts.cached.Load()
	if c != nil && now.Before(c.refreshAt) {
		ts.mu.Unlock()
		return c.token, nil
	}
	f := ts.startFetchLocked()
	ts.mu.Unlock()
	if c != nil && now.Before(c.expiry.Add(-expiryLeeway)) {
		return c.token, nil // still good for a while: the refresh runs in the background
	}
	select {
	case <-f.done:
		return f.token, f.err
	case <-ctx.Done():
		return "", &llm.Error{Kind: llm.KindOf(ctx.Err()), Provider: ts.cfg.Provider, Message: "gave up waiting for an access token", Err: ctx.Err()}
	}
}

// Invalidate drops token from the cache if it is still the cached one, so
// that the next Token mints another. Call it when the API rejects token.
func (ts *TokenSource) Invalidate(token string) {
	ts.mu.Lock()
	if c := ts.cached.Load(); c != nil && c.token == token {
		ts.cached.Store(nil)
	}
	ts.mu.Unlock()
}

// startFetchLocked returns the exchange in flight, starting one if there
// is none. ts.mu is held.
func (ts *TokenSource) startFetchLocked() *tokenFetch {
	if ts.inflight != nil {
		return ts.inflight
	}
	f := &tokenFetch{done: make(chan struct{})}
	ts.inflight = f
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), exchangeTimeout)
		defer cancel()
		issued := ts.cfg.Now()
		tok, lifetime, err := ts.exchange(ctx, issued)
		ts.mu.Lock()
		if err == nil {
			expiry := issued.Add(lifetime)
			ts.cached.Store(&cachedToken{token: tok, expiry: expiry, refreshAt: expiry.Add(-refreshMargin(lifetime))})
		}
		ts.inflight = nil
		ts.mu.Unlock()
		f.token, f.err = tok, err
		close(f.done)
	}()
	return f
}

// refreshMargin is how long before expiry a token is replaced.
func refreshMargin(lifetime time.Duration) time.Duration {
	return min(5*time.Minute, lifetime/4)
}

// tokenResponse is the token endpoint's answer, success or error
// (RFC 6749 sections 5.1 and 5.2).
type tokenResponse struct {
	AccessToken      string      `json:"access_token"`
	ExpiresIn        json.Number `json:"expires_in"`
	TokenType        string      `json:"token_type"`
	Error            string      `json:"error"`
	ErrorDescription string      `json:"error_description"`
}

// maxTokenResponse bounds what is read from the token endpoint.
const maxTokenResponse = 64 << 10

// exchange signs an assertion and trades it for an access token, returning
// the token and how long it lives.
func (ts *TokenSource) exchange(ctx context.Context, now time.Time) (string, time.Duration, error) {
	assertion, err := signAssertion(ts.cfg.Account, ts.tokenURI, ts.cfg.Scope, now)
	if err != nil {
		return "", 0, ts.fail(llm.KindInternal, "could not sign the token request for "+ts.cfg.Account.ClientEmail, err)
	}
	form := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {assertion}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.tokenURI, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, ts.fail(llm.KindInternal, "could not build the token request", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := ts.client.Do(req)
	if err != nil {
		return "", 0, ts.fail(llm.KindUnavailable, "could not reach the token endpoint", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenResponse))
	if err != nil {
		return "", 0, ts.fail(llm.KindUnavailable, "the connection to the token endpoint broke", err)
	}
	var tr tokenResponse
	jsonErr := json.Unmarshal(body, &tr)
	if resp.StatusCode/100 != 2 {
		return "", 0, ts.rejected(resp, &tr, jsonErr == nil)
	}
	if jsonErr != nil || tr.AccessToken == "" {
		return "", 0, ts.fail(llm.KindUnavailable, "malformed answer from the token endpoint", jsonErr)
	}
	if tr.TokenType != "" && !strings.EqualFold(tr.TokenType, "bearer") {
		return "", 0, ts.fail(llm.KindUnavailable, "the token endpoint issued a "+clip(tr.TokenType)+" token, not a bearer token", nil)
	}
	secs, err := strconv.ParseFloat(tr.ExpiresIn.String(), 64)
	if err != nil || secs <= 0 {
		secs = 3600 // RFC 6749 makes expires_in optional; Google's tokens live an hour
	}
	return tr.AccessToken, time.Duration(secs * float64(time.Second)), nil
}

// rejected classifies an error status from the token endpoint: a refused
// grant (a wrong or deleted key, a disabled account, a clock far off) is the
// gateway's credentials being rejected; anything else is the endpoint being
// unavailable, which a retry may fix. The OAuth error code and its
// description name the problem without any secret.
func (ts *TokenSource) rejected(resp *http.Response, tr *tokenResponse, isJSON bool) error {
	kind := llm.KindUnavailable
	switch {
	case resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		kind = llm.KindUnauthenticated
	case resp.StatusCode == http.StatusTooManyRequests:
		kind = llm.KindRateLimited
	}
	detail := fmt.Sprintf("HTTP %d", resp.StatusCode)
	if isJSON && tr.Error != "" {
		detail += " " + clip(tr.Error)
		if tr.ErrorDescription != "" {
			detail += ": " + clipN(tr.ErrorDescription, 300)
		}
	}
	e := ts.fail(kind, "the token endpoint refused to issue an access token for "+ts.cfg.Account.ClientEmail+" ("+detail+")", nil)
	e.Status = resp.StatusCode
	return e
}

func (ts *TokenSource) fail(kind llm.Kind, msg string, err error) *llm.Error {
	return &llm.Error{Kind: kind, Provider: ts.cfg.Provider, Message: msg, Err: err}
}
