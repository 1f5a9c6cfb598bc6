package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-gw/switchboard/auth"
)

// DeleteTeam deletes a team with its users and keys in one transaction.
// The team row is locked first, so a key being inserted for it either
// commits before (and is seen by the live-key check) or fails after.
func (s *Store) DeleteTeam(ctx context.Context, q auth.DeleteQuery) (auth.Deletion, error) {
	var del auth.Deletion
	err := s.inTx(ctx, "delete team "+q.ID, func(tx pgx.Tx) error {
		if err := lockRow(ctx, tx, `SELECT id FROM teams WHERE id = $1 FOR UPDATE`, q.ID); err != nil {
			return err
		}
		keys, err := ownedKeys(ctx, tx, `team_id = $1`, q)
		if err != nil {
			return err
		}
		if del.UserIDs, err = selectIDs(ctx, tx, `SELECT id FROM users WHERE team_id = $1 ORDER BY id`, q.ID); err != nil {
			return err
		}
		if err := deleteKeys(ctx, tx, `team_id = $1`, q.ID); err != nil {
			return err
		}
		for _, stmt := range []string{`DELETE FROM users WHERE team_id = $1`, `DELETE FROM teams WHERE id = $1`} {
			if _, err := tx.Exec(ctx, stmt, q.ID); err != nil {
				return err
			}
		}
		del.KeyIDs = keys
		return nil
	})
	return del, err
}

// DeleteUser deletes a user and every key issued to them in one
// transaction, the user row locked first as DeleteTeam does the team's.
func (s *Store) DeleteUser(ctx context.Context, q auth.DeleteQuery) (auth.Deletion, error) {
	var del auth.Deletion
	err := s.inTx(ctx, "delete user "+q.ID, func(tx pgx.Tx) error {
		if err := lockRow(ctx, tx, `SELECT id FROM users WHERE id = $1 FOR UPDATE`, q.ID); err != nil {
			return err
		}
		keys, err := ownedKeys(ctx, tx, `user_id = $1`, q)
		if err != nil {
			return err
		}
		if err := deleteKeys(ctx, tx, `user_id = $1`, q.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM users WHERE id = $1`, q.ID); err != nil {
			return err
		}
		del.KeyIDs = keys
		return nil
	})
	return del, err
}

func lockRow(ctx context.Context, tx pgx.Tx, query, id string) error {
	var got string
	err := tx.QueryRow(ctx, query, id).Scan(&got)
	if errors.Is(err, pgx.ErrNoRows) {
		return auth.ErrNotFound
	}
	return err
}

// ownedKeys returns the ids of the keys matching where ($1 is q.ID),
// refusing with auth.ErrHasLiveKeys when one is live and q does not force.
func ownedKeys(ctx context.Context, tx pgx.Tx, where string, q auth.DeleteQuery) ([]string, error) {
	if !q.Force {
		var live int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM virtual_keys WHERE `+where+
			` AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`, q.ID, q.At).Scan(&live); err != nil {
			return nil, err
		}
		if live > 0 {
			return nil, fmt.Errorf("%d live keys: %w", live, auth.ErrHasLiveKeys)
		}
	}
	return selectIDs(ctx, tx, `SELECT id FROM virtual_keys WHERE `+where+` ORDER BY id`, q.ID)
}

// deleteKeys deletes the keys matching where with the rows that refer to
// them. The delete trigger announces each key, so that other gateways
// evict it from their caches.
func deleteKeys(ctx context.Context, tx pgx.Tx, where string, id string) error {
	for _, stmt := range []string{
		`DELETE FROM key_usage WHERE key_id IN (SELECT id FROM virtual_keys WHERE ` + where + `)`,
		`DELETE FROM retired_secrets WHERE key_id IN (SELECT id FROM virtual_keys WHERE ` + where + `)`,
		`DELETE FROM virtual_keys WHERE ` + where,
	} {
		if _, err := tx.Exec(ctx, stmt, id); err != nil {
			return err
		}
	}
	return nil
}

func selectIDs(ctx context.Context, tx pgx.Tx, query string, args ...any) ([]string, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
