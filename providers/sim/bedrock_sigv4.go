package sim

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-gw/switchboard/providers/bedrock/wire"
)

// AWS Signature Version 4, checked the way AWS checks it, written here from
// the specification rather than with the AWS SDK, so that it tests the
// translator's use of the SDK's signer instead of repeating it: the
// Authorization header's shape, the credential scope (service "bedrock",
// the date of X-Amz-Date), the clock skew, the access key, the session
// token, and the signature itself, recomputed over the canonical request
// (method, the path escaped once more, the sorted query, the signed headers
// with their values trimmed, the SHA-256 of the body).

const (
	sigV4Algorithm = "AWS4-HMAC-SHA256"
	amzDateLayout  = "20060102T150405Z"
	// maxClockSkew is how far X-Amz-Date may be from the server's clock.
	maxClockSkew = 5 * time.Minute
)

// AWSCredentials are the access key the Bedrock dialect checks signatures
// against.
type AWSCredentials struct {
	AccessKeyID     string
	SecretAccessKey string
	// SessionToken, when set, must come in X-Amz-Security-Token.
	SessionToken string
}

// sigV4Auth is a parsed Authorization header.
type sigV4Auth struct {
	accessKey     string
	date          string // yyyymmdd of the scope
	region        string
	service       string
	signedHeaders []string
	signature     string
}

// parseSigV4 reads "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/
// bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=hex". It
// returns the error AWS answers for a malformed header.
func parseSigV4(h string) (*sigV4Auth, *bedrockError) {
	alg, rest, ok := strings.Cut(h, " ")
	if !ok || alg != sigV4Algorithm {
		return nil, &bedrockError{status: http.StatusForbidden, typ: wire.ErrIncompleteSignature,
			message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + clipAuth(h)}
	}
	a := &sigV4Auth{}
	var credential, signed string
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			credential = v
		case "SignedHeaders":
			signed = v
		case "Signature":
			a.signature = v
		}
	}
	var missing []string
	if credential == "" {
		missing = append(missing, "Authorization header requires 'Credential' parameter.")
	}
	if signed == "" {
		missing = append(missing, "Authorization header requires 'SignedHeaders' parameter.")
	}
	if a.signature == "" {
		missing = append(missing, "Authorization header requires 'Signature' parameter.")
	}
	if len(missing) > 0 {
		return nil, &bedrockError{status: http.StatusForbidden, typ: wire.ErrIncompleteSignature,
			message: strings.Join(missing, " ") + " Authorization=" + clipAuth(h)}
	}
	scope := strings.Split(credential, "/")
	if len(scope) != 5 || scope[4] != "aws4_request" {
		return nil, &bedrockError{status: http.StatusForbidden, typ: wire.ErrIncompleteSignature,
			message: "Credential should be scoped to a valid region. "}
	}
	a.accessKey, a.date, a.region, a.service = scope[0], scope[1], scope[2], scope[3]
	a.signedHeaders = strings.Split(signed, ";")
	return a, nil
}

// clipAuth shows the algorithm of a malformed Authorization header, never
// its credential or signature.
func clipAuth(h string) string {
	alg, _, _ := strings.Cut(h, " ")
	if len(alg) > 20 {
		alg = alg[:20]
	}
	return alg
}

// verifySigV4 checks a request's signature over body. creds nil checks the
// shape, scope and clock only (any access key is accepted).
func verifySigV4(r *http.Request, body []byte, creds *AWSCredentials, now time.Time) *bedrockError {
	h := r.Header.Get("Authorization")
	if h == "" {
		return &bedrockError{status: http.StatusForbidden, typ: wire.ErrMissingAuthenticationToken, message: "Missing Authentication Token"}
	}
	a, e := parseSigV4(h)
	if e != nil {
		return e
	}
	if a.service != "bedrock" {
		return invalidSignature("Credential should be scoped to correct service: 'bedrock'. ")
	}
	amzDate := r.Header.Get("X-Amz-Date")
	t, err := time.Parse(amzDateLayout, amzDate)
	if err != nil {
		return &bedrockError{status: http.StatusForbidden, typ: wire.ErrIncompleteSignature,
			message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."}
	}
	if a.date != amzDate[:8] {
		return invalidSignature("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
			a.date + "' != '" + amzDate[:8] + "', from '" + amzDate + "'.")
	}
	if d := now.Sub(t); d > maxClockSkew {
		return invalidSignature("Signature expired: " + amzDate + " is now earlier than " +
			now.Add(-maxClockSkew).UTC().Format(amzDateLayout) + " (" + now.UTC().Format(amzDateLayout) + " - 5 min.)")
	} else if d < -maxClockSkew {
		return invalidSignature("Signature not yet current: " + amzDate + " is still later than " +
			now.Add(maxClockSkew).UTC().Format(amzDateLayout) + " (" + now.UTC().Format(amzDateLayout) + " + 5 min.)")
	}
	if !contains(a.signedHeaders, "host") || !contains(a.signedHeaders, "x-amz-date") {
		return invalidSignature("'Host' or 'x-amz-date' must be a signed header.")
	}
	token := r.Header.Get("X-Amz-Security-Token")
	if token != "" && !contains(a.signedHeaders, "x-amz-security-token") {
		return invalidSignature("'X-Amz-Security-Token' must be a signed header.")
	}
	if creds == nil {
		return nil
	}
	if subtle.ConstantTimeCompare([]byte(a.accessKey), []byte(creds.AccessKeyID)) != 1 ||
		subtle.ConstantTimeCompare([]byte(token), []byte(creds.SessionToken)) != 1 {
		return &bedrockError{status: http.StatusForbidden, typ: wire.ErrUnrecognizedClient, message: "The security token included in the request is invalid."}
	}
	want := sigV4Signature(r, body, a, amzDate, creds.SecretAccessKey)
	if subtle.ConstantTimeCompare([]byte(want), []byte(a.signature)) != 1 {
		return invalidSignature("The request signature we calculated does not match the signature you provided. " +
			"Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	}
	return nil
}

func invalidSignature(message string) *bedrockError {
	return &bedrockError{status: http.StatusForbidden, typ: wire.ErrInvalidSignature, message: message}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// sigV4Signature computes the signature of r as AWS does.
func sigV4Signature(r *http.Request, body []byte, a *sigV4Auth, amzDate, secret string) string {
	canonical := canonicalRequest(r, body, a.signedHeaders)
	sum := sha256.Sum256([]byte(canonical))
	scope := a.date + "/" + a.region + "/" + a.service + "/aws4_request"
	stringToSign := sigV4Algorithm + "\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	key := hmacSHA256([]byte("AWS4"+secret), a.date)
	key = hmacSHA256(key, a.region)
	key = hmacSHA256(key, a.service)
	key = hmacSHA256(key, "aws4_request")
	return hex.EncodeToString(hmacSHA256(key, stringToSign))
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// canonicalRequest is the SigV4 canonical request of r: for services other
// than S3 the path as sent is URI-encoded once more.
func canonicalRequest(r *http.Request, body []byte, signed []string) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	b.WriteString(uriEncode(path, false))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r))
	b.WriteByte('\n')
	for _, name := range signed {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(canonicalHeaderValue(r, name))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signed, ";"))
	b.WriteByte('\n')
	sum := sha256.Sum256(body)
	b.WriteString(hex.EncodeToString(sum[:]))
	return b.String()
}

// canonicalHeaderValue is a header's values, each trimmed with inner runs
// of spaces collapsed, joined by commas. Host and Content-Length are not in
// a server request's Header map.
func canonicalHeaderValue(r *http.Request, name string) string {
	switch name {
	case "host":
		host := r.Host
		if host == "" {
			host = r.URL.Host
		}
		return stripDefaultPort(host, r)
	case "content-length":
		if v := r.Header.Get("Content-Length"); v != "" {
			return v
		}
		return strconv.FormatInt(r.ContentLength, 10)
	}
	values := r.Header.Values(name)
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(out, ",")
}

// stripDefaultPort removes :80 or :443, as signers do.
func stripDefaultPort(host string, r *http.Request) string {
	if h, ok := strings.CutSuffix(host, ":443"); ok && (r.TLS != nil || r.URL.Scheme == "https") {
		return h
	}
	if h, ok := strings.CutSuffix(host, ":80"); ok && r.TLS == nil && r.URL.Scheme != "https" {
		return h
	}
	return host
}

// canonicalQuery sorts the query parameters by name, then value, each
// URI-encoded.
func canonicalQuery(r *http.Request) string {
	q := r.URL.Query()
	if len(q) == 0 {
		return ""
	}
	pairs := make([]string, 0, len(q))
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, uriEncode(k, true)+"="+uriEncode(v, true))
		}
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

// uriEncode percent-encodes every byte but the unreserved characters (and
// "/" unless encodeSlash), with upper-case hex digits, as SigV4 specifies.
func uriEncode(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !encodeSlash) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}
