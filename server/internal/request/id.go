package request

import (
	"crypto/rand"
	"encoding/base32"
	"strconv"
	"sync/atomic"
)

// Request ids are a random per-process prefix and a counter: unique across
// gateway instances (the prefix carries 60 random bits) and cheap on the hot
// path (no syscall, no crypto per request). They are not secrets.
var (
	idPrefix  = newIDPrefix()
	idCounter atomic.Uint64
)

func newIDPrefix() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	enc := base32.StdEncoding.WithPadding(base32.NoPadding)
	return "req_" + enc.EncodeToString(b[:])[:12]
}

// NewID returns a fresh request id such as "req_MFRGGZDFMZTW1a".
func NewID() string {
	var buf [32]byte
	b := append(buf[:0], idPrefix...)
	b = strconv.AppendUint(b, idCounter.Add(1), 36)
	return string(b)
}
