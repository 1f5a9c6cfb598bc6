package auth

import (
	"hash/crc32"
	"strings"

	"github.com/switchboard-gw/switchboard/llm"
)

const (
	// SecretPrefix starts every virtual key secret.
	SecretPrefix = "sk-sb-"
	// AdminKeyPrefix starts every generated admin key. It is deliberately not
	// an extension of SecretPrefix ("sk-sb-"), so a prefix check tells the two
	// kinds apart.
	AdminKeyPrefix = "sk-sbadmin-"
	// KeyIDPrefix starts every public key id.
	KeyIDPrefix = "key_"

	// secretRandomLen base62 characters carry 33*log2(62) ≈ 196.5 bits, the
	// smallest whole number of characters above the 192 bits required.
	secretRandomLen = 33
	// secretChecksumLen base62 characters hold any CRC-32 (62^6 > 2^32).
	secretChecksumLen = 6
	// SecretLen is the length of every virtual key secret.
	SecretLen = len(SecretPrefix) + secretRandomLen + secretChecksumLen
	// secretDisplayLen characters of a secret are kept as Key.SecretPrefix:
	// the fixed prefix and four random characters, enough to tell keys apart
	// in a list, far too few to help guess one.
	secretDisplayLen = 10
	// keyIDRandomLen base62 characters (≈95 bits) make id collisions
	// negligible without making ids unwieldy.
	keyIDRandomLen = 16
)

// GenerateSecret returns a fresh virtual key secret in the format described
// in the package documentation.
func GenerateSecret() string { return generateChecksummed(SecretPrefix) }

// GenerateAdminKey returns a fresh admin key: AdminKeyPrefix, random base62
// and a checksum, like a virtual key but never accepted as one.
func GenerateAdminKey() string { return generateChecksummed(AdminKeyPrefix) }

// NewKeyID returns a fresh public key id, "key_" followed by 16 base62
// characters.
func NewKeyID() string { return KeyIDPrefix + randomBase62(keyIDRandomLen) }

func generateChecksummed(prefix string) string {
	body := prefix + randomBase62(secretRandomLen)
	out := make([]byte, 0, len(body)+secretChecksumLen)
	out = append(out, body...)
	out = appendBase62Fixed(out, uint64(checksum(body)), secretChecksumLen)
	return string(out)
}

// ParseSecret checks that s is a well-formed virtual key secret with a
// matching checksum, without any store access. It returns nil or an
// *llm.Error of kind Unauthenticated whose Err is ErrAdminKeyAsVirtualKey,
// ErrWrongPrefix, ErrMalformedKey or ErrChecksumMismatch.
func ParseSecret(s string) error {
	if err := parseSecret(s); err != nil {
		return err
	}
	return nil
}

// parseSecret is ParseSecret with a concrete return type, so internal callers
// cannot wrap a nil *llm.Error into a non-nil error by accident.
func parseSecret(s string) *llm.Error {
	switch {
	case s == "":
		return errMissingKey()
	case strings.HasPrefix(s, AdminKeyPrefix):
		return errAdminKeyAsVirtualKey()
	case !strings.HasPrefix(s, SecretPrefix):
		return errWrongPrefix()
	case len(s) != SecretLen || !isBase62(s[len(SecretPrefix):]):
		return errMalformedKey()
	}
	body := s[:SecretLen-secretChecksumLen]
	var want [secretChecksumLen]byte
	appendBase62Fixed(want[:0], uint64(checksum(body)), secretChecksumLen)
	// The checksum is public information derived from the rest of the key, so
	// this comparison need not be constant-time.
	if string(want[:]) != s[len(body):] {
		return errChecksumMismatch()
	}
	return nil
}

// checksum is CRC-32/IEEE (the zip and Ethernet CRC, crc32.ChecksumIEEE)
// of s. It runs the table loop over the string itself because handing a
// []byte to crc32.ChecksumIEEE makes the copy escape to the heap, an
// allocation on every request.
func checksum(s string) uint32 {
	crc := ^uint32(0)
	for i := 0; i < len(s); i++ {
		crc = crc32.IEEETable[byte(crc)^s[i]] ^ (crc >> 8)
	}
	return ^crc
}

// displayPrefix is the part of a secret kept as Key.SecretPrefix: its fixed
// prefix and four random characters.
func displayPrefix(secret string) string {
	if strings.HasPrefix(secret, AdminKeyPrefix) {
		return secret[:len(AdminKeyPrefix)+secretDisplayLen-len(SecretPrefix)]
	}
	return secret[:secretDisplayLen]
}

// looksLikeKeyID reports whether id has the shape of a key id, so ids that
// cannot exist are refused without a store read and without being echoed
// (a caller may paste a secret where an id belongs).
func looksLikeKeyID(id string) bool {
	return len(id) == len(KeyIDPrefix)+keyIDRandomLen &&
		strings.HasPrefix(id, KeyIDPrefix) && isBase62(id[len(KeyIDPrefix):])
}
