package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// AdminKeyFile is the name of the generated admin key in the data directory.
const AdminKeyFile = "admin.key"

// LoadAdminKey returns the admin key. A non-empty fromEnv (the value of
// SWITCHBOARD_ADMIN_KEY) wins and nothing is written; path is then empty.
// Otherwise the key is read from <dataDir>/admin.key, which is created with
// a fresh GenerateAdminKey on first start (mode 0600, the directory 0700 if
// it has to be made); generated reports that, so the caller can print path
// for the operator.
//
// An operator-chosen key must not start with "sk-sb-": it would look like a
// virtual key to every client, log scrubber and error message.
func LoadAdminKey(dataDir string, fromEnv string) (key string, path string, generated bool, err error) {
	if key = strings.TrimSpace(fromEnv); key != "" {
		if strings.HasPrefix(key, SecretPrefix) {
			return "", "", false, fmt.Errorf("SWITCHBOARD_ADMIN_KEY must not start with %q, the prefix of virtual keys; pick another value or unset it to have one generated", SecretPrefix)
		}
		return key, "", false, nil
	}
	if dataDir == "" {
		return "", "", false, errors.New("admin key: SWITCHBOARD_ADMIN_KEY is unset and there is no data directory to keep a generated one in")
	}
	path = filepath.Join(dataDir, AdminKeyFile)
	content, generated, err := readOrCreateFile(path, func() []byte {
		return []byte(GenerateAdminKey() + "\n")
	})
	if err != nil {
		return "", "", false, fmt.Errorf("admin key: %w", err)
	}
	key = strings.TrimSpace(string(content))
	if key == "" {
		return "", "", false, fmt.Errorf("admin key file %s is empty; delete it to have a new key generated, or set SWITCHBOARD_ADMIN_KEY", path)
	}
	if strings.HasPrefix(key, SecretPrefix) {
		return "", "", false, fmt.Errorf("admin key file %s holds a virtual key (prefix %q), not an admin key", path, SecretPrefix)
	}
	return key, path, generated, nil
}

// Admin verifies the admin key. It keeps only a digest of the key, so the
// comparison runs in constant time whatever the lengths involved.
type Admin struct {
	digest [sha256.Size]byte
	set    bool
}

// NewAdmin returns an Admin that accepts exactly key. An empty key accepts
// nobody.
func NewAdmin(key string) *Admin {
	return &Admin{digest: sha256.Sum256([]byte(key)), set: key != ""}
}

// Verify checks a token presented to AdminService. It returns nil for the
// admin key, a PermissionDenied *llm.Error for a virtual key, and an
// Unauthenticated one otherwise.
func (a *Admin) Verify(token string) error {
	switch {
	case token == "":
		return errMissingAdminKey()
	case a.matches(token):
		return nil
	case strings.HasPrefix(token, SecretPrefix):
		return errVirtualKeyAsAdminKey()
	}
	return errInvalidAdminKey()
}

// matches compares digests in constant time; hashing first hides the key's
// length as well as its content.
func (a *Admin) matches(token string) bool {
	if a == nil || !a.set {
		return false
	}
	d := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(d[:], a.digest[:]) == 1
}
