package sim

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// POST /token: Google's OAuth2 token endpoint for service accounts (RFC
// 7523, the JWT bearer grant). The form carries grant_type
// urn:ietf:params:oauth:grant-type:jwt-bearer and an assertion: a JWT
// signed with RS256 by the service account's private key, with claims iss
// (the account's email), scope, aud (this endpoint's URL), iat and exp (at
// most an hour apart, the current time between them). The simulator
// verifies the signature against the public key of the account named by
// iss in Options.GoogleServiceAccounts, and answers
//
//	{"access_token": "ya29.sim-...", "expires_in": 3599, "token_type": "Bearer"}
//
// or Google's errors: 400 {"error": "invalid_grant", "error_description":
// "Invalid JWT Signature."} for a bad signature, "Invalid JWT: Failed
// audience check..." for a wrong aud, "Invalid JWT: Token must be a
// short-lived token..." for bad times, "Invalid grant: account not found"
// for an unknown account, unsupported_grant_type and invalid_scope.
//
// Access tokens are self-checking: the account, the expiry and the
// revocation generation, MACed with a key drawn at start. They are valid
// on the Vertex routes until they expire or RevokeAccessTokens is called.

// accessTokens issues and checks the simulator's access tokens.
type accessTokens struct {
	key        [32]byte
	now        func() time.Time
	generation atomic.Uint64
	issued     atomic.Int64
}

func (t *accessTokens) init(now func() time.Time) {
	if _, err := rand.Read(t.key[:]); err != nil {
		panic("sim: no randomness for the token key: " + err.Error())
	}
	t.now = now
	if t.now == nil {
		t.now = time.Now
	}
}

const accessTokenPrefix = "ya29.sim-"

// issue returns a token for email valid until exp.
func (t *accessTokens) issue(email string, exp time.Time) string {
	// The serial number makes every token different, even two issued in
	// the same second.
	payload := make([]byte, 24, 24+len(email))
	binary.BigEndian.PutUint64(payload, uint64(exp.Unix()))
	binary.BigEndian.PutUint64(payload[8:], t.generation.Load())
	binary.BigEndian.PutUint64(payload[16:], uint64(t.issued.Add(1)))
	payload = append(payload, email...)
	enc := base64.RawURLEncoding
	return accessTokenPrefix + enc.EncodeToString(payload) + "." + enc.EncodeToString(t.mac(payload))
}

func (t *accessTokens) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, t.key[:])
	m.Write(payload)
	return m.Sum(nil)
}

// check returns "" for a valid token, else the ErrorInfo reason Vertex AI
// gives for it.
func (t *accessTokens) check(tok string) string {
	body, ok := strings.CutPrefix(tok, accessTokenPrefix)
	p, sig, ok2 := strings.Cut(body, ".")
	enc := base64.RawURLEncoding
	payload, err1 := enc.DecodeString(p)
	mac, err2 := enc.DecodeString(sig)
	if !ok || !ok2 || err1 != nil || err2 != nil || len(payload) < 24 || !hmac.Equal(mac, t.mac(payload)) {
		return "ACCESS_TOKEN_TYPE_UNSUPPORTED"
	}
	exp := int64(binary.BigEndian.Uint64(payload))
	gen := binary.BigEndian.Uint64(payload[8:])
	if gen != t.generation.Load() || t.now().Unix() >= exp {
		return "ACCESS_TOKEN_EXPIRED"
	}
	return ""
}

// RevokeAccessTokens makes every access token issued so far invalid, as a
// rotated key or a revoked grant does: the next Vertex request with one is
// a 401 ACCESS_TOKEN_EXPIRED.
func (s *Server) RevokeAccessTokens() { s.tokens.generation.Add(1) }

// maxAssertionLifetime is the longest exp - iat Google accepts.
const maxAssertionLifetime = time.Hour

// assertionClockSkew is how far iat may be in the future.
const assertionClockSkew = 5 * time.Minute

// googleToken answers POST /token.
func (s *Server) googleToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeTokenError(w, http.StatusMethodNotAllowed, "invalid_request", "Method not allowed.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		writeTokenError(w, http.StatusBadRequest, "invalid_request", "Could not read the form.")
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		writeTokenError(w, http.StatusBadRequest, "unsupported_grant_type", "Invalid grant_type: "+gt)
		return
	}
	claims, status, code, desc := s.verifyAssertion(r, r.PostForm.Get("assertion"))
	if status != 0 {
		writeTokenError(w, status, code, desc)
		return
	}
	lifetime := s.opts.AccessTokenLifetime
	if lifetime <= 0 {
		lifetime = time.Hour
	}
	tok := s.tokens.issue(claims.Iss, s.tokens.now().Add(lifetime))
	body := `{"access_token":` + string(appendString(nil, tok)) + `,"expires_in":` +
		strconv.FormatInt(int64(lifetime/time.Second)-1, 10) + `,"token_type":"Bearer"}`
	h := w.Header()
	h["Content-Type"] = jsonUTF8
	h["Cache-Control"] = []string{"no-cache, no-store, max-age=0, must-revalidate"}
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(body))
}

// assertionClaims are the claims the token endpoint reads.
type assertionClaims struct {
	Iss   string `json:"iss"`
	Scope string `json:"scope"`
	Aud   string `json:"aud"`
	Iat   int64  `json:"iat"`
	Exp   int64  `json:"exp"`
}

// verifyAssertion checks a JWT assertion and returns its claims, or the
// status, OAuth error code and description to answer.
func (s *Server) verifyAssertion(r *http.Request, assertion string) (c assertionClaims, status int, code, desc string) {
	const badSig = "Invalid JWT Signature."
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return c, http.StatusBadRequest, "invalid_grant", "Invalid JWT: not a signed JWT."
	}
	enc := base64.RawURLEncoding
	hb, err1 := enc.DecodeString(parts[0])
	cb, err2 := enc.DecodeString(parts[1])
	sig, err3 := enc.DecodeString(parts[2])
	var header struct {
		Alg string `json:"alg"`
	}
	if err1 != nil || err2 != nil || err3 != nil || json.Unmarshal(hb, &header) != nil || json.Unmarshal(cb, &c) != nil {
		return c, http.StatusBadRequest, "invalid_grant", "Invalid JWT: not a signed JWT."
	}
	if header.Alg != "RS256" {
		return c, http.StatusBadRequest, "invalid_grant", badSig
	}
	key := s.opts.GoogleServiceAccounts[c.Iss]
	if key == nil {
		return c, http.StatusBadRequest, "invalid_grant", "Invalid grant: account not found"
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig) != nil {
		return c, http.StatusBadRequest, "invalid_grant", badSig
	}
	if !audienceIsThisEndpoint(r, c.Aud) {
		return c, http.StatusBadRequest, "invalid_grant", "Invalid JWT: Failed audience check. The expected audience is " + endpointURL(r) + "."
	}
	now := s.tokens.now()
	iat, exp := time.Unix(c.Iat, 0), time.Unix(c.Exp, 0)
	if c.Iat == 0 || c.Exp == 0 || exp.Sub(iat) > maxAssertionLifetime || !exp.After(iat) ||
		iat.After(now.Add(assertionClockSkew)) || !now.Before(exp) {
		return c, http.StatusBadRequest, "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim."
	}
	if strings.TrimSpace(c.Scope) == "" {
		return c, http.StatusBadRequest, "invalid_scope", "Invalid OAuth scope or ID token audience provided."
	}
	return c, 0, "", ""
}

// endpointURL is the URL the request was sent to, as a client names it.
func endpointURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + r.URL.Path
}

// audienceIsThisEndpoint reports whether aud names this endpoint: the same
// host and path (the scheme is not checked, so that a TLS-terminating
// proxy in front does not matter).
func audienceIsThisEndpoint(r *http.Request, aud string) bool {
	u, err := url.Parse(aud)
	return err == nil && u.Host == r.Host && u.Path == r.URL.Path
}

func writeTokenError(w http.ResponseWriter, status int, code, desc string) {
	b := append([]byte(`{"error":`), appendString(nil, code)...)
	b = append(b, `,"error_description":`...)
	b = appendString(b, desc)
	b = append(b, '}')
	h := w.Header()
	h["Content-Type"] = jsonUTF8
	w.WriteHeader(status)
	w.Write(b)
}
