package audit

import (
	"context"
	"errors"
	"time"
)

// Storage sentinels. Store implementations return them (possibly wrapped)
// so the services here can tell a caller's mistake from a failing store;
// any other error means the store is failing and the same call may succeed
// later.
var (
	// ErrAlreadyExists: an event with the same id is stored.
	ErrAlreadyExists = errors.New("audit: already exists in store")
)

// Cursor is a position in a newest-first listing: the record with this
// time and id (an event id, or a request id), which the next page starts
// after.
type Cursor struct {
	Time time.Time
	ID   string
}

// EventQuery selects one page of audit events. Every filter that is set
// must match.
type EventQuery struct {
	// Limit is the most events to return; always positive.
	Limit int
	// After, when set, starts the page after this position.
	After *Cursor
	// From and To bound Time to [From, To); a zero bound is open.
	From, To time.Time
	// Actor, TeamID, TargetType and TargetID match exactly.
	Actor      string
	TeamID     string
	TargetType string
	TargetID   string
	// Action matches exactly, or as a prefix when it ends with "*"
	// ("key.*").
	Action string
}

// Target names what an event is about.
type Target struct {
	Type string
	ID   string
}

// EventStore persists the audit trail. Events are append-only: the only
// change ever made to one is EraseEventDetails, for an erasure request.
type EventStore interface {
	// InsertEvent stores an event: ErrAlreadyExists when its id is taken.
	InsertEvent(ctx context.Context, e Event) error
	// ListEvents returns the events matching q, newest first, ordered by
	// (Time, ID) descending, starting after q.After, at most q.Limit.
	ListEvents(ctx context.Context, q EventQuery) ([]Event, error)
	// EraseEventDetails replaces the Before and After of every event about
	// one of targets with ErasedDetails (the events themselves, who did
	// what when, stay) and returns how many events it changed.
	EraseEventDetails(ctx context.Context, targets []Target) (int64, error)
}

// RequestQuery selects one page of request records; every filter that is
// set must match.
type RequestQuery struct {
	Limit int
	After *Cursor
	// From and To bound Time to [From, To); a zero bound is open.
	From, To time.Time
	TeamID   string
	UserID   string
	KeyID    string
	// Alias is the model the caller asked for.
	Alias string
}

// PayloadQuery selects one page of captured payloads, newest first.
type PayloadQuery struct {
	Limit  int
	After  *Cursor
	UserID string
	TeamID string
}

// ExpiryQuery says what retention has ended, for DeleteExpired.
type ExpiryQuery struct {
	// RecordsBefore: request records whose Time is before this are
	// deleted; zero deletes none.
	RecordsBefore time.Time
	// Now and DefaultPayloadRetentionDays: a payload is deleted when its
	// Time is more than its team's PayloadRetentionDays before Now, or
	// DefaultPayloadRetentionDays for a team that sets none (0) or no
	// longer exists. A zero Now deletes no payload.
	Now                         time.Time
	DefaultPayloadRetentionDays int
	// Limit bounds how many records, and how many payloads, one call
	// deletes, so that no transaction holds the database for long.
	Limit int
}

// RequestStore persists request records and captured payloads.
type RequestStore interface {
	// WriteRequests stores a batch of records and payloads atomically:
	// all of them or, with an error, none. It is idempotent on the request
	// id: a record or payload already stored is left as it is, so a batch
	// may be retried after any error.
	WriteRequests(ctx context.Context, records []RequestRecord, payloads []Payload) error
	// ListRequests returns the records matching q, newest first by
	// (Time, RequestID), starting after q.After, at most q.Limit.
	ListRequests(ctx context.Context, q RequestQuery) ([]RequestRecord, error)
	// ListPayloads returns the payloads matching q, newest first by
	// (Time, RequestID), starting after q.After, at most q.Limit.
	ListPayloads(ctx context.Context, q PayloadQuery) ([]Payload, error)
	// DeleteUserRequests deletes every record and payload of a user and
	// returns how many of each it deleted.
	DeleteUserRequests(ctx context.Context, userID string) (records, payloads int64, err error)
	// DeleteExpired deletes at most q.Limit records and q.Limit payloads
	// whose retention has ended, and returns how many of each. Payload
	// retention is read from the teams of the tenancy store (the same
	// database): a team that shortens its retention has its older
	// payloads deleted at the next sweep.
	DeleteExpired(ctx context.Context, q ExpiryQuery) (records, payloads int64, err error)
}

// Store is everything a backend implements for the audit trail:
// store/sqlite and store/postgres do, and store/storetest.RunAudit is the
// conformance suite they pass. Implementations are safe for concurrent use.
// Times are UTC with microsecond precision, as given.
type Store interface {
	EventStore
	RequestStore
}
