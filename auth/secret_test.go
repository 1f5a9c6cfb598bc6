package auth_test

import (
	"errors"
	"hash/crc32"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func onlyBase62(s string) bool {
	return strings.Trim(s, base62) == ""
}

func TestGenerateSecretFormat(t *testing.T) {
	const n = 2000
	seen := make(map[string]bool, n)
	var counts [256]int
	for range n {
		s := auth.GenerateSecret()
		if !strings.HasPrefix(s, "sk-sb-") {
			t.Fatalf("secret without prefix: len %d", len(s))
		}
		if len(s) != auth.SecretLen || auth.SecretLen != 45 {
			t.Fatalf("secret length %d, SecretLen %d, want 45", len(s), auth.SecretLen)
		}
		body := s[len("sk-sb-"):]
		if !onlyBase62(body) {
			t.Fatal("secret has characters outside base62")
		}
		if err := auth.ParseSecret(s); err != nil {
			t.Fatalf("ParseSecret(generated): %v", err)
		}
		if seen[s] {
			t.Fatal("GenerateSecret repeated itself")
		}
		seen[s] = true
		for _, c := range []byte(body[:33]) {
			counts[c]++
		}
	}
	// 33 random characters of a 62-letter alphabet carry 196.5 bits, above
	// the 192 required; check every letter shows up at a plausible rate, so
	// the random part really uses the whole alphabet.
	const perLetter = n * 33 / 62 // ≈ 1065
	for _, c := range []byte(base62) {
		if counts[c] < perLetter/2 || counts[c] > perLetter*2 {
			t.Errorf("letter %q appeared %d times, expected about %d", c, counts[c], perLetter)
		}
	}
}

func TestGenerateAdminKeyAndKeyIDFormat(t *testing.T) {
	admin := auth.GenerateAdminKey()
	if !strings.HasPrefix(admin, "sk-sbadmin-") || strings.HasPrefix(admin, "sk-sb-") {
		t.Errorf("admin key prefix wrong (length %d)", len(admin))
	}
	if !onlyBase62(admin[len("sk-sbadmin-"):]) || len(admin) < len("sk-sbadmin-")+33 {
		t.Errorf("admin key body malformed (length %d)", len(admin))
	}
	if admin == auth.GenerateAdminKey() {
		t.Error("GenerateAdminKey repeated itself")
	}
	id := auth.NewKeyID()
	if !strings.HasPrefix(id, "key_") || len(id) != 20 || !onlyBase62(id[4:]) {
		t.Errorf("key id %q: want key_ + 16 base62", id)
	}
}

func TestChecksumCatchesEverySingleCharacterSubstitution(t *testing.T) {
	for range 20 {
		s := auth.GenerateSecret()
		for i := len("sk-sb-"); i < len(s); i++ {
			for _, c := range []byte(base62) {
				if c == s[i] {
					continue
				}
				typo := s[:i] + string(c) + s[i+1:]
				if err := auth.ParseSecret(typo); !errors.Is(err, auth.ErrChecksumMismatch) {
					t.Fatalf("substitution at %d accepted or misclassified: %v", i, err)
				}
			}
		}
	}
}

func TestChecksumCatchesAdjacentTranspositions(t *testing.T) {
	for range 20 {
		s := auth.GenerateSecret()
		for i := len("sk-sb-"); i+1 < len(s); i++ {
			if s[i] == s[i+1] {
				continue
			}
			swapped := s[:i] + string(s[i+1]) + string(s[i]) + s[i+2:]
			if err := auth.ParseSecret(swapped); !errors.Is(err, auth.ErrChecksumMismatch) {
				t.Fatalf("transposition at %d accepted or misclassified: %v", i, err)
			}
		}
	}
}

func TestParseSecretErrors(t *testing.T) {
	good := auth.GenerateSecret()
	tests := []struct {
		name   string
		input  string
		cause  error
		phrase string
	}{
		{"empty", "", auth.ErrMissingKey, "missing API key"},
		{"OpenAI key", "sk-proj-" + good[6:], auth.ErrWrongPrefix, "malformed API key"},
		{"no prefix", good[6:], auth.ErrWrongPrefix, "malformed API key"},
		{"upper-case prefix", "SK-SB-" + good[6:], auth.ErrWrongPrefix, "malformed API key"},
		{"admin key", auth.GenerateAdminKey(), auth.ErrAdminKeyAsVirtualKey, "admin key is only for AdminService"},
		{"truncated", good[:len(good)-1], auth.ErrMalformedKey, "malformed API key"},
		{"extended", good + "A", auth.ErrMalformedKey, "malformed API key"},
		{"trailing newline", good + "\n", auth.ErrMalformedKey, "malformed API key"},
		{"bad character", good[:20] + "-" + good[21:], auth.ErrMalformedKey, "malformed API key"},
		{"non-ASCII", good[:20] + "é" + good[22:], auth.ErrMalformedKey, "malformed API key"},
		{"checksum", good[:len(good)-1] + flip(good[len(good)-1]), auth.ErrChecksumMismatch, "invalid API key: checksum mismatch (is it mistyped?)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := auth.ParseSecret(tc.input)
			e := assertError(t, err, llm.KindUnauthenticated, tc.cause)
			if !strings.Contains(e.Message, tc.phrase) {
				t.Errorf("message %q lacks %q", e.Message, tc.phrase)
			}
		})
	}
	if err := auth.ParseSecret(good); err != nil {
		t.Errorf("ParseSecret(good): %v", err)
	}
}

// flip returns a different base62 character.
func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

// TestChecksumIsCRC32OfPrefixAndRandomPart pins the documented format, so a
// client library in another language can validate keys the same way.
func TestChecksumIsCRC32OfPrefixAndRandomPart(t *testing.T) {
	for range 100 {
		s := auth.GenerateSecret()
		body, sum := s[:39], s[39:]
		v := uint64(crc32.ChecksumIEEE([]byte(body)))
		want := make([]byte, 6)
		for i := 5; i >= 0; i-- {
			want[i] = base62[v%62]
			v /= 62
		}
		if sum != string(want) {
			t.Fatalf("checksum %q, want base62(CRC-32/IEEE(prefix+random)) = %q", sum, want)
		}
	}
}
