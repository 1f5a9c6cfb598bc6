package sim_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/providers/sim"
)

// Service-account keys are generated when the tests run; none is committed.
var (
	vertexKeysOnce sync.Once
	vertexKeys     [2]*rsa.PrivateKey
)

func vertexKey(t *testing.T, i int) *rsa.PrivateKey {
	t.Helper()
	vertexKeysOnce.Do(func() {
		for j := range vertexKeys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			vertexKeys[j] = k
		}
	})
	return vertexKeys[i]
}

const vertexAccount = "sim-test@proj.iam.gserviceaccount.com"

func vertexTarget(t *testing.T, opts sim.Options) gemTarget {
	t.Helper()
	opts.GoogleServiceAccounts = map[string]*rsa.PublicKey{vertexAccount: &vertexKey(t, 0).PublicKey}
	return newGemTarget(t, opts)
}

// assertion signs a JWT with key; claims override the defaults.
func assertion(t *testing.T, key *rsa.PrivateKey, claims map[string]any) string {
	t.Helper()
	now := time.Now().Unix()
	c := map[string]any{"iss": vertexAccount, "scope": "https://www.googleapis.com/auth/cloud-platform",
		"aud": "http://sim.invalid/token", "iat": now, "exp": now + 3600}
	for k, v := range claims {
		c[k] = v
	}
	enc := base64.RawURLEncoding
	h, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT"})
	b, _ := json.Marshal(c)
	signed := enc.EncodeToString(h) + "." + enc.EncodeToString(b)
	digest := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return signed + "." + enc.EncodeToString(sig)
}

// exchange posts an assertion to /token and returns the status and body.
func (g gemTarget) exchange(t *testing.T, grant, jwt string) (int, map[string]any) {
	t.Helper()
	form := url.Values{"grant_type": {grant}, "assertion": {jwt}}.Encode()
	resp, data := g.do(t, http.MethodPost, "/token", form, http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
	return resp.StatusCode, decodeObject(t, data)
}

const jwtGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"

func TestTokenEndpoint(t *testing.T) {
	g := vertexTarget(t, sim.Options{})
	status, body := g.exchange(t, jwtGrant, assertion(t, vertexKey(t, 0), nil))
	if status != 200 || !strings.HasPrefix(str(body["access_token"]), "ya29.") || num(t, body["expires_in"]) != 3599 || str(body["token_type"]) != "Bearer" {
		t.Fatalf("%d %v", status, body)
	}
	if g.srv.Served().AccessTokens != 1 {
		t.Errorf("served %+v", g.srv.Served())
	}
	hourAgo := time.Now().Add(-2 * time.Hour).Unix()
	cases := []struct {
		name, grant, jwt, code, desc string
	}{
		{"grant type", "client_credentials", assertion(t, vertexKey(t, 0), nil), "unsupported_grant_type", "Invalid grant_type"},
		{"signature", jwtGrant, assertion(t, vertexKey(t, 1), nil), "invalid_grant", "Invalid JWT Signature."},
		{"account", jwtGrant, assertion(t, vertexKey(t, 0), map[string]any{"iss": "other@proj.iam.gserviceaccount.com"}), "invalid_grant", "account not found"},
		{"audience", jwtGrant, assertion(t, vertexKey(t, 0), map[string]any{"aud": "https://oauth2.googleapis.com/token"}), "invalid_grant", "Failed audience check"},
		{"expired", jwtGrant, assertion(t, vertexKey(t, 0), map[string]any{"iat": hourAgo, "exp": hourAgo + 3600}), "invalid_grant", "short-lived token"},
		{"too long", jwtGrant, assertion(t, vertexKey(t, 0), map[string]any{"exp": time.Now().Unix() + 7200}), "invalid_grant", "short-lived token"},
		{"scope", jwtGrant, assertion(t, vertexKey(t, 0), map[string]any{"scope": ""}), "invalid_scope", "Invalid OAuth scope"},
		{"not a JWT", jwtGrant, "abc", "invalid_grant", "not a signed JWT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := g.exchange(t, c.grant, c.jwt)
			if status != 400 || str(body["error"]) != c.code || !strings.Contains(str(body["error_description"]), c.desc) {
				t.Fatalf("%d %v", status, body)
			}
		})
	}
}

func vertexPath(model, method string) string {
	p := "/v1/projects/proj/locations/us-central1/publishers/google/models/" + model + ":" + method
	if method == "streamGenerateContent" {
		p += "?alt=sse"
	}
	return p
}

func (g gemTarget) accessToken(t *testing.T) string {
	t.Helper()
	status, body := g.exchange(t, jwtGrant, assertion(t, vertexKey(t, 0), nil))
	if status != 200 {
		t.Fatalf("token: %d %v", status, body)
	}
	return str(body["access_token"])
}

func bearer(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }

func TestVertexRoutes(t *testing.T) {
	clock := &simClock{now: time.Now()}
	g := vertexTarget(t, sim.Options{Now: clock.Now})
	tok := g.accessToken(t)
	req := gemRequest(gemUser("Hi"))

	resp, data := g.do(t, http.MethodPost, vertexPath("gemini-2.5-flash", "generateContent"), req, bearer(tok))
	body := decodeObject(t, data)
	if resp.StatusCode != 200 || candidateText(body, 0) == "" || str(path(body, "usageMetadata.trafficType")) != "ON_DEMAND" {
		t.Fatalf("%d %s", resp.StatusCode, data)
	}
	if _, err := time.Parse(time.RFC3339Nano, str(body["createTime"])); err != nil {
		t.Errorf("createTime %v: %v", body["createTime"], err)
	}
	resp, data = g.do(t, http.MethodPost, vertexPath("gemini-2.5-flash", "streamGenerateContent"), req, bearer(tok))
	if resp.StatusCode != 200 || len(gemEvents(t, string(data))) == 0 {
		t.Fatalf("stream: %d %s", resp.StatusCode, data)
	}

	unauthorized := func(name string, h http.Header, reason string) {
		t.Run(name, func(t *testing.T) {
			resp, data := g.do(t, http.MethodPost, vertexPath("gemini-2.5-flash", "generateContent"), req, h)
			body := decodeObject(t, data)
			if resp.StatusCode != 401 || str(path(body, "error.status")) != "UNAUTHENTICATED" || str(path(body, "error.details.0.reason")) != reason ||
				str(path(body, "error.details.0.metadata.service")) != "aiplatform.googleapis.com" {
				t.Fatalf("%d %s", resp.StatusCode, data)
			}
		})
	}
	unauthorized("no token", nil, "CREDENTIALS_MISSING")
	unauthorized("an API key", http.Header{"X-Goog-Api-Key": {"AIza-key"}}, "CREDENTIALS_MISSING")
	unauthorized("a forged token", bearer("ya29.sim-forged.token"), "ACCESS_TOKEN_TYPE_UNSUPPORTED")
	clock.Add(2 * time.Hour)
	unauthorized("an expired token", bearer(tok), "ACCESS_TOKEN_EXPIRED")
	clock.Add(-2 * time.Hour)
	g.srv.RevokeAccessTokens()
	unauthorized("a revoked token", bearer(tok), "ACCESS_TOKEN_EXPIRED")
}

type simClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *simClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestVertexDifferences(t *testing.T) {
	g := vertexTarget(t, sim.Options{})
	tok := g.accessToken(t)
	post := func(model string, body any) (int, map[string]any) {
		resp, data := g.do(t, http.MethodPost, vertexPath(model, "generateContent"), body, bearer(tok))
		return resp.StatusCode, decodeObject(t, data)
	}
	t.Run("role required", func(t *testing.T) {
		status, body := post("gemini-2.5-flash", map[string]any{"contents": []any{map[string]any{"parts": []any{map[string]any{"text": "Hi"}}}}})
		if status != 400 || str(path(body, "error.message")) != "Please use a valid role: user, model." {
			t.Fatalf("%d %v", status, body)
		}
	})
	t.Run("unknown model", func(t *testing.T) {
		status, body := post("gemini-9", gemRequest(gemUser("hi [[sim status=404]]")))
		if status != 404 || !strings.Contains(str(path(body, "error.message")), "Publisher Model `projects/proj/locations/us-central1/publishers/google/models/gemini-9` was not found") {
			t.Fatalf("%d %v", status, body)
		}
	})
	t.Run("rate limited", func(t *testing.T) {
		status, body := post("gemini-2.5-flash", gemRequest(gemUser("hi [[sim status=429]]")))
		if status != 429 || str(path(body, "error.status")) != "RESOURCE_EXHAUSTED" || path(body, "error.details") != nil ||
			!strings.HasPrefix(str(path(body, "error.message")), "Resource exhausted.") {
			t.Fatalf("%d %v", status, body)
		}
	})
	t.Run("content filter", func(t *testing.T) {
		status, body := post("gemini-2.5-flash", gemRequest(gemUser(`[[sim content_filter=output reply="a b c d"]] go`)))
		if status != 200 || str(path(body, "candidates.0.finishReason")) != "SAFETY" || candidateText(body, 0) != "a b" {
			t.Fatalf("%d %v", status, body)
		}
	})
	t.Run("unknown path", func(t *testing.T) {
		resp, _ := g.do(t, http.MethodPost, "/v1/projects/proj/locations/us-central1/endpoints/123:predict", gemRequest(gemUser("hi")), bearer(tok))
		if resp.StatusCode != 404 {
			t.Fatalf("%d", resp.StatusCode)
		}
	})
}
