package auth_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
)

func TestLoadAdminKeyGeneratesAPrivateFileOnce(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), ".switchboard") // does not exist yet
	key, path, generated, err := auth.LoadAdminKey(dataDir, "")
	if err != nil {
		t.Fatalf("LoadAdminKey: %v", err)
	}
	if !generated || path != filepath.Join(dataDir, "admin.key") {
		t.Errorf("generated %v, path %q", generated, path)
	}
	if !strings.HasPrefix(key, "sk-sbadmin-") {
		t.Errorf("generated admin key has the wrong prefix (length %d)", len(key))
	}
	assertMode(t, dataDir, 0o700)
	assertMode(t, path, 0o600)
	content, err := os.ReadFile(path)
	if err != nil || strings.TrimSpace(string(content)) != key {
		t.Fatalf("file content does not hold the returned key (err %v)", err)
	}
	assertNoTempFiles(t, dataDir)

	again, againPath, generatedAgain, err := auth.LoadAdminKey(dataDir, "")
	if err != nil {
		t.Fatalf("second LoadAdminKey: %v", err)
	}
	if again != key || againPath != path || generatedAgain {
		t.Error("the admin key changed across restarts, or was reported as generated again")
	}
}

func TestLoadAdminKeyFromEnvironmentWins(t *testing.T) {
	dataDir := t.TempDir()
	key, path, generated, err := auth.LoadAdminKey(dataDir, "  my-admin-key\n")
	if err != nil {
		t.Fatal(err)
	}
	if key != "my-admin-key" || path != "" || generated {
		t.Errorf("key from env: got length %d, path %q, generated %v", len(key), path, generated)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "admin.key")); !os.IsNotExist(err) {
		t.Errorf("an admin key file was written although the environment set the key: %v", err)
	}

	// The variable also wins over an existing file.
	fileKey, _, _, err := auth.LoadAdminKey(dataDir, "")
	if err != nil {
		t.Fatal(err)
	}
	if envKey, _, _, _ := auth.LoadAdminKey(dataDir, "from-env"); envKey != "from-env" || envKey == fileKey {
		t.Error("the environment did not win over the file")
	}
}

func TestLoadAdminKeyRefusesVirtualKeyLookalikes(t *testing.T) {
	secret := auth.GenerateSecret()
	_, _, _, err := auth.LoadAdminKey(t.TempDir(), secret)
	if err == nil {
		t.Fatal("accepted a virtual key as the admin key")
	}
	if strings.Contains(err.Error(), secret[6:]) {
		t.Error("the error repeats the key")
	}
}

func TestAdminVerify(t *testing.T) {
	adminKey := auth.GenerateAdminKey()
	admin := auth.NewAdmin(adminKey)
	if err := admin.Verify(adminKey); err != nil {
		t.Fatalf("Verify(admin key): %v", err)
	}

	e := assertError(t, admin.Verify(auth.GenerateSecret()), llm.KindPermissionDenied, auth.ErrVirtualKeyAsAdminKey)
	if e.Message != "virtual keys cannot call AdminService; use the admin key" {
		t.Errorf("message %q", e.Message)
	}
	assertError(t, admin.Verify(""), llm.KindUnauthenticated, auth.ErrMissingKey)
	assertError(t, admin.Verify(adminKey[:len(adminKey)-1]), llm.KindUnauthenticated, auth.ErrInvalidAdminKey)
	assertError(t, admin.Verify(adminKey+"x"), llm.KindUnauthenticated, auth.ErrInvalidAdminKey)
	assertError(t, admin.Verify(auth.GenerateAdminKey()), llm.KindUnauthenticated, auth.ErrInvalidAdminKey)

	if err := auth.NewAdmin("").Verify("anything"); err == nil {
		t.Error("an Admin with an empty key accepted a token")
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != want {
		t.Errorf("%s: mode %o, want %o", path, got, want)
	}
}

func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}
