package vertex

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
)

// DefaultTokenURI is Google's OAuth2 token endpoint, used when a service
// account file names none.
const DefaultTokenURI = "https://oauth2.googleapis.com/token"

// ServiceAccount is what the gateway needs from a service-account key file:
// who it is, its signing key, and where tokens are minted. It never prints
// its key.
type ServiceAccount struct {
	ClientEmail  string
	PrivateKeyID string
	ProjectID    string
	TokenURI     string
	key          *rsa.PrivateKey
}

// serviceAccountFile is the JSON layout of a key file.
type serviceAccountFile struct {
	Type         string `json:"type"`
	ProjectID    string `json:"project_id"`
	PrivateKeyID string `json:"private_key_id"`
	PrivateKey   string `json:"private_key"`
	ClientEmail  string `json:"client_email"`
	TokenURI     string `json:"token_uri"`
}

// ParseServiceAccount reads a service-account key file. The errors name
// the field that is wrong and never quote the file, which holds a private
// key.
func ParseServiceAccount(data []byte) (*ServiceAccount, error) {
	var f serviceAccountFile
	if err := json.Unmarshal(data, &f); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("service account: not valid JSON (syntax error at byte %d)", se.Offset)
		}
		return nil, errors.New("service account: not a service-account key file (a JSON object with string fields)")
	}
	switch {
	case f.Type != "service_account":
		return nil, fmt.Errorf("service account: type is %q, want \"service_account\" (a key file of a service account, not user credentials)", clip(f.Type))
	case f.ClientEmail == "":
		return nil, errors.New("service account: client_email is missing")
	case f.PrivateKey == "":
		return nil, errors.New("service account: private_key is missing")
	}
	key, err := parsePrivateKey(f.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("service account: private_key: %w", err)
	}
	sa := &ServiceAccount{ClientEmail: f.ClientEmail, PrivateKeyID: f.PrivateKeyID, ProjectID: f.ProjectID, TokenURI: f.TokenURI, key: key}
	if sa.TokenURI == "" {
		sa.TokenURI = DefaultTokenURI
	}
	if err := checkTokenURI(sa.TokenURI); err != nil {
		return nil, fmt.Errorf("service account: token_uri: %w", err)
	}
	return sa, nil
}

// parsePrivateKey reads an RSA key in PEM: PKCS #8 ("PRIVATE KEY", what
// Google issues) or PKCS #1 ("RSA PRIVATE KEY").
func parsePrivateKey(text string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		return nil, errors.New("not a PEM-encoded key")
	}
	switch block.Type {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("not a valid PKCS #8 key")
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, errors.New("not an RSA key (service-account keys are RSA)")
		}
		return rk, nil
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("not a valid PKCS #1 key")
		}
		return k, nil
	}
	return nil, fmt.Errorf("unexpected PEM block %q", clip(block.Type))
}

func checkTokenURI(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("want an absolute http(s) URL, got %q", clip(s))
	}
	return nil
}

func clip(s string) string { return clipN(s, 64) }

// clipN shortens s to at most n bytes, on a character boundary.
func clipN(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "..."
}

// String names the account without its key.
func (sa *ServiceAccount) String() string { return "service account " + sa.ClientEmail }
