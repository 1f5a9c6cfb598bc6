package auth_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-gw/switchboard/auth"
)

func TestServerSecretFileIsPrivateAndStable(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	first, err := auth.LoadOrCreateServerSecret(dataDir, "")
	if err != nil {
		t.Fatalf("LoadOrCreateServerSecret: %v", err)
	}
	if len(first) != 32 {
		t.Errorf("secret is %d bytes, want 32", len(first))
	}
	path := filepath.Join(dataDir, "server.secret")
	assertMode(t, path, 0o600)
	assertMode(t, dataDir, 0o700)
	assertNoTempFiles(t, dataDir)

	second, err := auth.LoadOrCreateServerSecret(dataDir, "")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Error("the server secret changed across restarts")
	}
}

func TestServerSecretConcurrentFirstStartsAgree(t *testing.T) {
	dataDir := t.TempDir()
	const n = 8
	secrets := make([][]byte, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			s, err := auth.LoadOrCreateServerSecret(dataDir, "")
			if err != nil {
				t.Error(err)
			}
			secrets[i] = s
		})
	}
	wg.Wait()
	for i := range n {
		if !bytes.Equal(secrets[i], secrets[0]) {
			t.Fatal("concurrent first starts produced different server secrets")
		}
	}
	assertNoTempFiles(t, dataDir)
}

func TestServerSecretFromConfiguration(t *testing.T) {
	raw := bytes.Repeat([]byte{0xa7, 0x01, 0xfe, 0x42}, 8)
	for name, configured := range map[string]string{
		"hex":        hex.EncodeToString(raw),
		"base64":     base64.StdEncoding.EncodeToString(raw),
		"base64 raw": base64.RawStdEncoding.EncodeToString(raw),
		"base64 url": base64.RawURLEncoding.EncodeToString(raw),
	} {
		t.Run(name, func(t *testing.T) {
			dataDir := t.TempDir()
			got, err := auth.LoadOrCreateServerSecret(dataDir, configured+"\n")
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, raw) {
				t.Error("decoded secret differs")
			}
			if _, err := os.Stat(filepath.Join(dataDir, "server.secret")); !os.IsNotExist(err) {
				t.Error("a configured secret still wrote the file")
			}
		})
	}
}

func TestServerSecretErrorsDoNotLeakIt(t *testing.T) {
	short := hex.EncodeToString([]byte("only-sixteen-byt"))
	garbage := "this is not hex nor base64!!"
	for _, configured := range []string{short, garbage} {
		_, err := auth.LoadOrCreateServerSecret(t.TempDir(), configured)
		if err == nil {
			t.Fatalf("accepted a bad configured secret")
		}
		if strings.Contains(err.Error(), configured) {
			t.Errorf("error repeats the configured secret: %v", err)
		}
	}

	dataDir := t.TempDir()
	corrupt := "corrupted-secret-value"
	if err := os.WriteFile(filepath.Join(dataDir, "server.secret"), []byte(corrupt), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := auth.LoadOrCreateServerSecret(dataDir, "")
	if err == nil {
		t.Fatal("a corrupt secret file was accepted or replaced")
	}
	if strings.Contains(err.Error(), corrupt) {
		t.Errorf("error repeats the file content: %v", err)
	}
	if content, _ := os.ReadFile(filepath.Join(dataDir, "server.secret")); string(content) != corrupt {
		t.Error("a corrupt secret file was overwritten")
	}
}

func TestServerSecretKeysVerifyAcrossRestarts(t *testing.T) {
	dataDir := t.TempDir()
	store := openSQLite(t)
	secret1, err := auth.LoadOrCreateServerSecret(dataDir, "")
	if err != nil {
		t.Fatal(err)
	}
	_, apiKey := mustCreate(t, auth.NewKeys(store, secret1), auth.CreateKeyParams{Name: "restart"})

	secret2, err := auth.LoadOrCreateServerSecret(dataDir, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := auth.NewKeys(store, secret2).Verify(t.Context(), apiKey); err != nil {
		t.Errorf("key issued before a restart refused after it: %v", err)
	}
	// A different server secret cannot verify it: only the HMAC is stored.
	other := bytes.Repeat([]byte{1}, 32)
	if _, err := auth.NewKeys(store, other).Verify(t.Context(), apiKey); err == nil {
		t.Error("a key verified under another server secret")
	}
}
