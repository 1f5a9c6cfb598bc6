package vertex_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/sim"
	"github.com/switchboard-gw/switchboard/providers/vertex"
)

// fakeClock is a settable clock for the token source.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

func (f *fixture) tokenSource(t *testing.T, clock *fakeClock) *vertex.TokenSource {
	t.Helper()
	sa, err := vertex.ParseServiceAccount(f.key)
	if err != nil {
		t.Fatal(err)
	}
	cfg := vertex.TokenSourceConfig{Provider: "vertex", Account: sa, HTTPClient: f.client}
	if clock != nil {
		cfg.Now = clock.Now
	}
	ts, err := vertex.NewTokenSource(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// The assertion is the JWT Google's token endpoint expects; the simulator
// verifies its signature, this test its claims.
func TestAssertionClaims(t *testing.T) {
	f := newFixture(t, sim.Options{})
	ts := f.tokenSource(t, nil)
	before := time.Now().Unix()
	if _, err := ts.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests("/token")
	if len(reqs) != 1 {
		t.Fatalf("%d token requests", len(reqs))
	}
	r := reqs[0]
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Fatalf("%s %s", r.Method, r.Header.Get("Content-Type"))
	}
	if err := r.ParseForm(); err != nil {
		t.Fatal(err)
	}
	if g := r.PostForm.Get("grant_type"); g != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		t.Errorf("grant_type %q", g)
	}
	parts := strings.Split(r.PostForm.Get("assertion"), ".")
	if len(parts) != 3 {
		t.Fatalf("assertion has %d parts", len(parts))
	}
	var header struct{ Alg, Typ, Kid string }
	var claims struct {
		Iss, Scope, Aud string
		Iat, Exp        int64
	}
	for i, v := range []any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil || json.Unmarshal(b, v) != nil {
			t.Fatalf("part %d: %v", i, err)
		}
	}
	if header.Alg != "RS256" || header.Typ != "JWT" || header.Kid != "0123456789abcdef" {
		t.Errorf("header %+v", header)
	}
	if claims.Iss != testEmail || claims.Scope != vertex.CloudPlatformScope || claims.Aud != simHost+"/token" ||
		claims.Iat < before || claims.Exp-claims.Iat != 3600 {
		t.Errorf("claims %+v", claims)
	}
}

// A token is reused until shortly before it expires; in the last minutes a
// refresh starts in the background while the current token is still handed
// out; an expired token is never handed out.
func TestTokenCachingAndRefresh(t *testing.T) {
	t0 := time.Now()
	clock := &fakeClock{now: t0}
	// The simulator's token endpoint keeps the same time.
	f := newFixture(t, sim.Options{Now: clock.Now})
	ts := f.tokenSource(t, clock)
	ctx := context.Background()
	first, err := ts.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	clock.Set(t0.Add(50 * time.Minute))
	if tok, _ := ts.Token(ctx); tok != first || f.sim.Served().AccessTokens != 1 {
		t.Fatalf("at 50 minutes: a new token (%d minted)", f.sim.Served().AccessTokens)
	}
	// Google's tokens live 3599s: at 56 minutes the refresh margin (5
	// minutes) has begun.
	clock.Set(t0.Add(56 * time.Minute))
	if tok, _ := ts.Token(ctx); tok != first {
		t.Fatal("in the refresh margin the current token should still be handed out")
	}
	waitFor(t, "the background refresh", func() bool { return f.sim.Served().AccessTokens == 2 })
	second := waitToken(t, ts, func(tok string) bool { return tok != first })
	// Past the second token's expiry, callers wait for a new one.
	clock.Set(t0.Add(3 * time.Hour))
	third, err := ts.Token(ctx)
	if err != nil || third == second || third == first {
		t.Fatalf("after expiry: %v (same token: %v)", err, third == second)
	}
	if n := f.sim.Served().AccessTokens; n != 3 {
		t.Errorf("%d tokens minted, want 3", n)
	}
}

func waitToken(t *testing.T, ts *vertex.TokenSource, ok func(string) bool) string {
	t.Helper()
	var tok string
	waitFor(t, "the refreshed token", func() bool {
		var err error
		tok, err = ts.Token(context.Background())
		return err == nil && ok(tok)
	})
	return tok
}

// waitFor polls cond for up to a generous 10 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// However many callers need a token at once, one exchange is made.
func TestTokenSingleFlight(t *testing.T) {
	f := newFixture(t, sim.Options{})
	release := make(chan struct{})
	f.client = &http.Client{Transport: recorder{f: f, next: blockToken{release: release, next: f.sim.Transport()}}}
	ts := f.tokenSource(t, nil)
	const callers = 16
	var wg sync.WaitGroup
	tokens := make([]string, callers)
	errs := make([]error, callers)
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tokens[i], errs[i] = ts.Token(context.Background())
		}()
	}
	waitFor(t, "the exchange to start", func() bool { return len(f.requests("/token")) == 1 })
	time.Sleep(20 * time.Millisecond) // let the other callers queue up behind it
	close(release)
	wg.Wait()
	for i := range callers {
		if errs[i] != nil || tokens[i] != tokens[0] {
			t.Fatalf("caller %d: %q, %v", i, tokens[i], errs[i])
		}
	}
	if n := len(f.requests("/token")); n != 1 {
		t.Errorf("%d exchanges, want 1", n)
	}
	// Invalidating the token makes the next caller mint another; a stale
	// Invalidate (of a token no longer cached) does nothing.
	ts.Invalidate(tokens[0])
	next, err := ts.Token(context.Background())
	if err != nil || next == tokens[0] {
		t.Fatalf("after Invalidate: %q, %v", next, err)
	}
	ts.Invalidate(tokens[0])
	if again, _ := ts.Token(context.Background()); again != next {
		t.Error("a stale Invalidate dropped the current token")
	}
}

// A key the token endpoint does not trust is the gateway's credentials
// being rejected, said without any secret.
func TestTokenEndpointRejectsTheKey(t *testing.T) {
	f := newFixture(t, sim.Options{})
	f.key = keyFile(t, testKey(t, 1), simHost+"/token") // not the key the simulator knows
	p := f.provider(t)
	_, err := p.Complete(context.Background(), userRequest("gemini-2.5-flash", "hi"))
	e := asError(t, err)
	if e.Kind != llm.KindUnauthenticated || e.Provider != "vertex" || !strings.Contains(e.Message, "invalid_grant") ||
		!strings.Contains(e.Message, "Invalid JWT Signature.") {
		t.Fatalf("error %+v", e)
	}
	if s := e.Error(); strings.Contains(s, "eyJ") || strings.Contains(s, "PRIVATE") {
		t.Errorf("the error shows the assertion or the key: %s", s)
	}
	if n := len(f.requests(":generateContent")); n != 0 {
		t.Errorf("the API was called %d times without a token", n)
	}
}

func TestTokenEndpointUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	sa, err := vertex.ParseServiceAccount(keyFile(t, testKey(t, 0), "http://"+addr+"/token"))
	if err != nil {
		t.Fatal(err)
	}
	ts, err := vertex.NewTokenSource(vertex.TokenSourceConfig{Provider: "vertex", Account: sa})
	if err != nil {
		t.Fatal(err)
	}
	_, err = ts.Token(context.Background())
	if e := asError(t, err); e.Kind != llm.KindUnavailable || !e.Kind.Retryable() {
		t.Fatalf("error %+v", e)
	}
}

// An assertion must name, as its audience, the endpoint it is sent to.
func TestAssertionAudienceIsTheTokenURI(t *testing.T) {
	f := newFixture(t, sim.Options{})
	sa, err := vertex.ParseServiceAccount(f.key)
	if err != nil {
		t.Fatal(err)
	}
	// Made for another endpoint, sent to the simulator's.
	client := &http.Client{Transport: redirectTo{host: "sim.invalid", next: f.client.Transport}}
	ts, err := vertex.NewTokenSource(vertex.TokenSourceConfig{Provider: "vertex", Account: sa, TokenURI: "http://other.invalid/token", HTTPClient: client})
	if err != nil {
		t.Fatal(err)
	}
	_, err = ts.Token(context.Background())
	if e := asError(t, err); e.Kind != llm.KindUnauthenticated || !strings.Contains(e.Message, "Failed audience check") {
		t.Fatalf("error %+v", e)
	}
}

// redirectTo sends every request to host, keeping the rest of the URL.
type redirectTo struct {
	host string
	next http.RoundTripper
}

func (r redirectTo) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Host, req.Host = r.host, r.host
	return r.next.RoundTrip(req)
}

// The token is read on every request: the cached path takes no lock.
func BenchmarkTokenCached(b *testing.B) {
	f := newFixture(b, sim.Options{})
	sa, err := vertex.ParseServiceAccount(f.key)
	if err != nil {
		b.Fatal(err)
	}
	ts, err := vertex.NewTokenSource(vertex.TokenSourceConfig{Provider: "vertex", Account: sa, HTTPClient: f.client})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := ts.Token(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := ts.Token(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
