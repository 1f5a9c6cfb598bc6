package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/billing/ledger"
	"github.com/switchboard-gw/switchboard/llm"
)

// SpendPseudonymizer is implemented by spend stores that can detach a user
// from their spend records for an erasure request: the records (and the
// rollups) keep their amounts, for the books, under pseudonym instead of
// the user's id. Privacy uses it when the spend store has it. It is the
// ledger's role interface (declared and documented there, beside the
// Store it extends), named here too for the callers of Privacy.
type SpendPseudonymizer = ledger.SpendPseudonymizer

// PrivacyOptions configures NewPrivacy.
type PrivacyOptions struct {
	// Spend, when set, is where a user's spend is read for an export
	// (grouped by day, key and model) and, when it is also a
	// SpendPseudonymizer, pseudonymized by an erasure.
	Spend ledger.SpendQuerier
	// Now replaces time.Now (tests).
	Now func() time.Time
}

// Privacy answers data subject requests (GDPR articles 15 and 17) about a
// user: Export gathers everything stored about them, Erase deletes it. It
// works through auth's Users and Keys, so that keys are revoked and
// forgotten exactly as an admin's revocation would, and through the audit
// store for request records, payloads and the trail.
type Privacy struct {
	users  *auth.Users
	keys   *auth.Keys
	store  Store
	spend  ledger.SpendQuerier
	eraser SpendPseudonymizer
	now    func() time.Time
}

// NewPrivacy returns a Privacy over the given services and store.
func NewPrivacy(users *auth.Users, keys *auth.Keys, store Store, opts PrivacyOptions) *Privacy {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	p := &Privacy{users: users, keys: keys, store: store, spend: opts.Spend, now: opts.Now}
	p.eraser, _ = opts.Spend.(SpendPseudonymizer)
	return p
}

// ExportPart is one piece of an export; each carries some of the fields.
type ExportPart struct {
	User     *auth.User
	Keys     []auth.Key
	Requests []RequestRecord
	Payloads []Payload
	Events   []Event
	// Spend is the user's spend, per UTC day, key and model.
	Spend []ledger.Row
}

// exportPage is how many records an export part carries.
const exportPage = 500

// Export calls yield with everything stored about a user, in parts: the
// user and their keys (public records: never a secret or a hash), then
// their request records, captured payloads, the audit events about them
// and their keys, and their spend. It stops at yield's first error.
func (p *Privacy) Export(ctx context.Context, userID string, yield func(ExportPart) error) error {
	user, err := p.users.Get(ctx, userID)
	if err != nil {
		return err
	}
	keys, err := p.userKeys(ctx, userID)
	if err != nil {
		return err
	}
	if err := yield(ExportPart{User: &user, Keys: keys}); err != nil {
		return err
	}
	for after := (*Cursor)(nil); ; {
		recs, err := p.store.ListRequests(ctx, RequestQuery{Limit: exportPage, After: after, UserID: userID})
		if err != nil {
			return storeError(err)
		}
		if len(recs) == 0 {
			break
		}
		if err := yield(ExportPart{Requests: recs}); err != nil {
			return err
		}
		last := recs[len(recs)-1]
		after = &Cursor{Time: last.Time, ID: last.RequestID}
	}
	for after := (*Cursor)(nil); ; {
		pls, err := p.store.ListPayloads(ctx, PayloadQuery{Limit: exportPage / 10, After: after, UserID: userID})
		if err != nil {
			return storeError(err)
		}
		if len(pls) == 0 {
			break
		}
		if err := yield(ExportPart{Payloads: pls}); err != nil {
			return err
		}
		last := pls[len(pls)-1]
		after = &Cursor{Time: last.Time, ID: last.RequestID}
	}
	for _, target := range targetsOf(userID, keys) {
		for after := (*Cursor)(nil); ; {
			evs, err := p.store.ListEvents(ctx, EventQuery{Limit: exportPage, After: after, TargetType: target.Type, TargetID: target.ID})
			if err != nil {
				return storeError(err)
			}
			if len(evs) == 0 {
				break
			}
			if err := yield(ExportPart{Events: evs}); err != nil {
				return err
			}
			last := evs[len(evs)-1]
			after = &Cursor{Time: last.Time, ID: last.ID}
		}
	}
	if p.spend == nil {
		return nil
	}
	var rows []ledger.Row
	err = p.spend.QuerySpend(ctx, ledger.Query{
		Filter:  ledger.Filter{From: spendEpoch, To: p.now().Add(48 * time.Hour), UserID: userID},
		GroupBy: []ledger.Dimension{ledger.ByDay, ledger.ByKey, ledger.ByModel},
	}, func(r ledger.Row) error {
		rows = append(rows, r)
		if len(rows) == exportPage {
			if err := yield(ExportPart{Spend: rows}); err != nil {
				return err
			}
			rows = nil
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(rows) > 0 {
		return yield(ExportPart{Spend: rows})
	}
	return nil
}

// spendEpoch is before any spend a gateway can have recorded.
var spendEpoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// userKeys lists all of a user's keys, revoked ones included.
func (p *Privacy) userKeys(ctx context.Context, userID string) ([]auth.Key, error) {
	var out []auth.Key
	for token := ""; ; {
		page, next, err := p.keys.List(ctx, auth.ListKeysParams{PageSize: auth.MaxPageSize, PageToken: token, UserID: userID, IncludeRevoked: true})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if token = next; token == "" {
			return out, nil
		}
	}
}

func targetsOf(userID string, keys []auth.Key) []Target {
	out := []Target{{Type: TargetUser, ID: userID}}
	for _, k := range keys {
		out = append(out, Target{Type: TargetKey, ID: k.ID})
	}
	return out
}

// Erasure is what Erase did.
type Erasure struct {
	// User is the user as it was (for the caller's records; it is gone).
	User auth.User
	// KeysRevoked counts the live keys revoked first; KeysDeleted every
	// key deleted with the user.
	KeysRevoked, KeysDeleted int
	// RequestRecords and Payloads count what was deleted; Events the audit
	// events whose before and after were erased.
	RequestRecords, Payloads, Events int64
	// SpendRecords counts the spend records moved to SpendPseudonym;
	// SpendPseudonymized is false when the spend store cannot do it (the
	// records then still name the user's id, which no longer leads to a
	// name or an address).
	SpendRecords       int64
	SpendPseudonym     string
	SpendPseudonymized bool
}

// Erase deletes everything stored about a user (GDPR article 17): it
// revokes their live keys first (so nothing new is recorded while the rest
// goes), deletes their request records and captured payloads, erases the
// before and after of the audit events about them and their keys (who did
// what when stays), pseudonymizes their spend when the spend store can,
// and deletes the user with every key. Each step is idempotent, so a
// request that failed half-way can simply be made again.
func (p *Privacy) Erase(ctx context.Context, userID string) (Erasure, error) {
	user, err := p.users.Get(ctx, userID)
	if err != nil {
		return Erasure{}, err
	}
	out := Erasure{User: user}
	keys, err := p.userKeys(ctx, userID)
	if err != nil {
		return out, err
	}
	now := p.now()
	for _, k := range keys {
		if k.RevokedAt.IsZero() && (k.ExpiresAt.IsZero() || now.Before(k.ExpiresAt)) {
			if _, err := p.keys.Revoke(ctx, k.ID); err != nil {
				return out, err
			}
			out.KeysRevoked++
		}
	}
	if out.RequestRecords, out.Payloads, err = p.store.DeleteUserRequests(ctx, userID); err != nil {
		return out, storeError(err)
	}
	if out.Events, err = p.store.EraseEventDetails(ctx, targetsOf(userID, keys)); err != nil {
		return out, storeError(err)
	}
	if p.eraser != nil {
		out.SpendPseudonym = "erased_" + randomBase62(16)
		if out.SpendRecords, err = p.eraser.PseudonymizeUserSpend(ctx, userID, out.SpendPseudonym); err != nil {
			return out, &llm.Error{Kind: llm.KindUnavailable, Message: "spend ledger unavailable", Err: fmt.Errorf("pseudonymize spend: %w", err)}
		}
		out.SpendPseudonymized = true
	}
	_, del, err := p.users.Delete(ctx, userID, true)
	if err != nil {
		return out, err
	}
	p.keys.ForgetDeleted(del.KeyIDs...)
	out.KeysDeleted = len(del.KeyIDs)
	return out, nil
}
