package vertex

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"time"
)

// CloudPlatformScope is the OAuth2 scope of Vertex AI calls.
const CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform"

// assertionLifetime is how long a signed assertion is valid; Google refuses
// more than an hour.
const assertionLifetime = time.Hour

// jwtHeader and jwtClaims are the two JSON parts of the assertion, in the
// layout of RFC 7523 section 2.1 as Google's token endpoint reads it.
type jwtHeader struct {
	Alg string `json:"alg"`
	Typ string `json:"typ"`
	Kid string `json:"kid,omitempty"`
}

type jwtClaims struct {
	Iss   string `json:"iss"`
	Scope string `json:"scope"`
	Aud   string `json:"aud"`
	Iat   int64  `json:"iat"`
	Exp   int64  `json:"exp"`
}

// signAssertion returns the RS256-signed JWT that asks tokenURI for an
// access token with scope on behalf of sa.
func signAssertion(sa *ServiceAccount, tokenURI, scope string, now time.Time) (string, error) {
	h, err := json.Marshal(jwtHeader{Alg: "RS256", Typ: "JWT", Kid: sa.PrivateKeyID})
	if err != nil {
		return "", err
	}
	c, err := json.Marshal(jwtClaims{Iss: sa.ClientEmail, Scope: scope, Aud: tokenURI,
		Iat: now.Unix(), Exp: now.Add(assertionLifetime).Unix()})
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	signed := make([]byte, 0, enc.EncodedLen(len(h))+enc.EncodedLen(len(c))+1+enc.EncodedLen(sa.key.Size())+1)
	signed = enc.AppendEncode(signed, h)
	signed = append(signed, '.')
	signed = enc.AppendEncode(signed, c)
	digest := sha256.Sum256(signed)
	sig, err := rsa.SignPKCS1v15(rand.Reader, sa.key, crypto.SHA256, digest[:])
	if err != nil {
		return "", err
	}
	signed = append(signed, '.')
	signed = enc.AppendEncode(signed, sig)
	return string(signed), nil
}
