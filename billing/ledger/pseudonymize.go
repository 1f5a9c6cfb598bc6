package ledger

import (
	"context"
	"errors"
	"fmt"
)

// SpendPseudonymizer is the role of a Store that can detach a user from
// their spend, for an erasure request (GDPR article 17): finance keeps its
// books, so the records are not deleted; only the user's id on them is
// replaced by a pseudonym that leads nowhere. audit.Privacy uses it when
// the spend store has it (audit.SpendPseudonymizer is this interface).
type SpendPseudonymizer interface {
	// PseudonymizeUserSpend replaces userID by pseudonym on every stored
	// record of that user, and moves the user's daily rollups to the
	// pseudonym (adding them to any rollup row the pseudonym already has
	// for the same day, key, team, model, provider, deployment and alias),
	// in one transaction, and returns how many records changed. Amounts,
	// tokens, times, key and team ids, end users and the request counting
	// stay as they were, so every total that does not group or filter by
	// user is unchanged; afterwards a query filtered by userID finds
	// nothing and one grouped by user shows pseudonym instead.
	//
	// It is idempotent: once done, a second call changes nothing and
	// returns 0. Records of the user stored later (a replay of a spool
	// written before the erasure) keep userID until it is called again;
	// a replay of a record already pseudonymized changes nothing, as
	// WriteSpend skips records already stored. Invalid arguments (see
	// ValidatePseudonymization) fail with an error matching
	// ErrInvalidPseudonymization and change nothing.
	PseudonymizeUserSpend(ctx context.Context, userID, pseudonym string) (int64, error)
}

// ErrInvalidPseudonymization: PseudonymizeUserSpend was given a user id or
// a pseudonym it cannot use. Retrying it never helps.
var ErrInvalidPseudonymization = errors.New("ledger: invalid spend pseudonymization")

// ValidatePseudonymization reports, as an error matching
// ErrInvalidPseudonymization, what makes a pseudonymization unsafe or
// impossible: an empty user id (that would move every record without a
// user, a service key's spend, to the pseudonym), an empty pseudonym, a
// pseudonym equal to the user id, or either one not as the ledger stores
// strings (see Record.Normalize: a user id no record can hold matches
// nothing, and a pseudonym the store would have to alter could not be
// looked up again).
func ValidatePseudonymization(userID, pseudonym string) error {
	switch {
	case userID == "":
		return fmt.Errorf("%w: the user id is empty", ErrInvalidPseudonymization)
	case pseudonym == "":
		return fmt.Errorf("%w: the pseudonym is empty", ErrInvalidPseudonymization)
	case pseudonym == userID:
		return fmt.Errorf("%w: the pseudonym is the user id", ErrInvalidPseudonymization)
	case cleanString(userID) != userID:
		return fmt.Errorf("%w: the user id is not valid UTF-8 of at most %d bytes without NUL", ErrInvalidPseudonymization, MaxFieldBytes)
	case cleanString(pseudonym) != pseudonym:
		return fmt.Errorf("%w: the pseudonym is not valid UTF-8 of at most %d bytes without NUL", ErrInvalidPseudonymization, MaxFieldBytes)
	}
	return nil
}
