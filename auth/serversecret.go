package auth

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

const (
	// ServerSecretFile is the name of the server secret in the data directory.
	ServerSecretFile = "server.secret"
	// ServerSecretLen is the length of a generated server secret and the
	// minimum length of a configured one.
	ServerSecretLen = 32
)

// LoadOrCreateServerSecret returns the HMAC key under which virtual key
// secrets are hashed. A non-empty configured value (hex, or standard or URL
// base64, of at least 32 bytes) wins and nothing is written. Otherwise the
// secret is read from <dataDir>/server.secret, which is created on first
// start with 32 random bytes, hex-encoded, mode 0600.
//
// Losing or changing this secret makes every existing virtual key invalid,
// so an unreadable or corrupt file is an error, never a reason to start over.
// Errors name the source but never include the secret.
func LoadOrCreateServerSecret(dataDir string, configured string) ([]byte, error) {
	if configured = strings.TrimSpace(configured); configured != "" {
		secret, err := decodeServerSecret(configured)
		if err != nil {
			return nil, fmt.Errorf("configured server secret: %w", err)
		}
		return secret, nil
	}
	if dataDir == "" {
		return nil, errors.New("server secret: no data directory and no configured secret")
	}
	path := filepath.Join(dataDir, ServerSecretFile)
	content, _, err := readOrCreateFile(path, func() []byte {
		b := make([]byte, ServerSecretLen)
		rand.Read(b)
		return []byte(hex.EncodeToString(b) + "\n")
	})
	if err != nil {
		return nil, fmt.Errorf("server secret: %w", err)
	}
	secret, err := decodeServerSecret(string(bytes.TrimSpace(content)))
	if err != nil {
		return nil, fmt.Errorf("server secret file %s: %w (it must be restored, not replaced: a new secret invalidates every existing virtual key)", path, err)
	}
	return secret, nil
}

// decodeServerSecret accepts hex first (a 64-character hex string is also
// valid base64, and hex is what this package writes), then the base64
// variants. Its errors describe the shape of the value, never its content.
func decodeServerSecret(s string) ([]byte, error) {
	var secret []byte
	if b, err := hex.DecodeString(s); err == nil {
		secret = b
	} else {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			if b, err := enc.DecodeString(s); err == nil {
				secret = b
				break
			}
		}
		if secret == nil {
			return nil, errors.New("it is neither hex nor base64")
		}
	}
	if len(secret) < ServerSecretLen {
		return nil, fmt.Errorf("it decodes to %d bytes; at least %d are required (e.g. `openssl rand -hex 32`)", len(secret), ServerSecretLen)
	}
	return secret, nil
}
