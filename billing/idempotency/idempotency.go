package idempotency

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Kind is what Begin decided.
type Kind int

// Kinds of Outcome.
const (
	// Started: the caller holds the key and runs the request, then calls
	// Outcome.Complete with the result to store or Outcome.Abandon.
	Started Kind = iota + 1
	// Replay: an earlier request with this key and fingerprint completed;
	// Outcome.Result is what it stored. The caller answers with it and
	// calls no provider.
	Replay
	// Conflict: the key was used for a different request (another
	// fingerprint). The caller refuses the request (HTTP 422).
	Conflict
)

func (k Kind) String() string {
	switch k {
	case Started:
		return "started"
	case Replay:
		return "replay"
	case Conflict:
		return "conflict"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Outcome is the answer to Begin.
type Outcome struct {
	Kind Kind
	// Result is the stored result, for Replay.
	Result []byte

	lease *lease // for Started
}

// Engine runs each idempotency key's request once. Memory and Redis
// implement it with the same semantics; Begin is safe for concurrent use.
type Engine interface {
	// Begin claims key for a request identified by fingerprint. If the key
	// is free it answers Started; if a request with the same fingerprint
	// completed within its ttl, Replay; if the key belongs to another
	// fingerprint, Conflict. If a request with the same fingerprint is
	// still running, Begin waits for it (until ctx ends or
	// Options.MaxWait passes, then ErrInProgress) and answers Replay, or
	// Started if it was abandoned or its holder vanished and this caller
	// took the key over. ttl is how long a completed result is kept
	// (DefaultTTL if not positive).
	Begin(ctx context.Context, key, fingerprint string, ttl time.Duration) (Outcome, error)
}

// Options configure an engine.
type Options struct {
	// LockTTL is how long a running request's claim outlives its holder's
	// last sign of life; default DefaultLockTTL. The holder renews the
	// claim every LockTTL/3 while the context given to Begin lives, so a
	// long request keeps its key and a crashed gateway frees it within
	// LockTTL.
	LockTTL time.Duration
	// MaxWait bounds how long Begin waits for a concurrent duplicate; zero
	// means as long as the context allows.
	MaxWait time.Duration
}

// Defaults.
const (
	DefaultLockTTL = 30 * time.Second
	DefaultTTL     = 24 * time.Hour
)

func (o Options) withDefaults() Options {
	if o.LockTTL <= 0 {
		o.LockTTL = DefaultLockTTL
	}
	return o
}

// Errors.
var (
	// ErrInProgress: Begin stopped waiting for a concurrent request with
	// the same key (the context ended or MaxWait passed). The transport
	// answers 409 Conflict, as Stripe does, and the client retries later.
	ErrInProgress = errors.New("idempotency: a request with this key is still in progress")
	// ErrLeaseLost: Complete found the key claimed by another request: this
	// holder stopped renewing its claim (its context ended) for longer than
	// LockTTL and a duplicate took over. The result was not stored.
	ErrLeaseLost = errors.New("idempotency: the key was taken over by another request")
	// ErrNotStarted: Complete or Abandon on an Outcome that is not Started,
	// or that was already completed or abandoned.
	ErrNotStarted = errors.New("idempotency: outcome is not a running request")
	// ErrInvalid: an empty key.
	ErrInvalid = errors.New("idempotency: invalid input")
)

func checkKey(key string) error {
	if key == "" {
		return fmt.Errorf("%w: empty key", ErrInvalid)
	}
	return nil
}

func resultTTL(ttl time.Duration) time.Duration {
	if ttl <= 0 {
		return DefaultTTL
	}
	return ttl
}

func newToken() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("idempotency: token: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// waitBound returns the context Begin waits under: ctx, cut at MaxWait.
func (o Options) waitBound(ctx context.Context) (context.Context, context.CancelFunc) {
	if o.MaxWait > 0 {
		return context.WithTimeout(ctx, o.MaxWait)
	}
	return context.WithCancel(ctx)
}

// stoppedWaiting is the error for a wait cut short by ctx (the caller's
// context or MaxWait).
func stoppedWaiting(waitCtx context.Context) error {
	return fmt.Errorf("%w: %w", ErrInProgress, waitCtx.Err())
}
