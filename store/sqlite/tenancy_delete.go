package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/switchboard-gw/switchboard/auth"
)

// DeleteTeam deletes a team with its users and keys in one transaction.
func (s *Store) DeleteTeam(ctx context.Context, q auth.DeleteQuery) (auth.Deletion, error) {
	var del auth.Deletion
	err := s.inTx(ctx, "delete team "+q.ID, func(tx *sql.Tx) error {
		if err := mustExist(ctx, tx, `SELECT COUNT(*) FROM teams WHERE id = ?`, q.ID); err != nil {
			return err
		}
		keys, err := ownedKeys(ctx, tx, `team_id = ?`, q, q.ID)
		if err != nil {
			return err
		}
		if del.UserIDs, err = selectIDs(ctx, tx, `SELECT id FROM users WHERE team_id = ? ORDER BY id`, q.ID); err != nil {
			return err
		}
		if err := deleteKeys(ctx, tx, `team_id = ?`, q.ID); err != nil {
			return err
		}
		for _, stmt := range []string{`DELETE FROM users WHERE team_id = ?`, `DELETE FROM teams WHERE id = ?`} {
			if _, err := tx.ExecContext(ctx, stmt, q.ID); err != nil {
				return err
			}
		}
		del.KeyIDs = keys
		return nil
	})
	return del, err
}

// DeleteUser deletes a user and every key issued to them in one
// transaction.
func (s *Store) DeleteUser(ctx context.Context, q auth.DeleteQuery) (auth.Deletion, error) {
	var del auth.Deletion
	err := s.inTx(ctx, "delete user "+q.ID, func(tx *sql.Tx) error {
		if err := mustExist(ctx, tx, `SELECT COUNT(*) FROM users WHERE id = ?`, q.ID); err != nil {
			return err
		}
		keys, err := ownedKeys(ctx, tx, `user_id = ?`, q, q.ID)
		if err != nil {
			return err
		}
		if err := deleteKeys(ctx, tx, `user_id = ?`, q.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, q.ID); err != nil {
			return err
		}
		del.KeyIDs = keys
		return nil
	})
	return del, err
}

func mustExist(ctx context.Context, tx *sql.Tx, query, id string) error {
	var n int
	if err := tx.QueryRowContext(ctx, query, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return auth.ErrNotFound
	}
	return nil
}

// ownedKeys returns the ids of the keys matching where, refusing with
// auth.ErrHasLiveKeys when one is live and q does not force.
func ownedKeys(ctx context.Context, tx *sql.Tx, where string, q auth.DeleteQuery, arg any) ([]string, error) {
	if !q.Force {
		var live int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM virtual_keys WHERE `+where+
			` AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`, arg, micros(q.At)).Scan(&live); err != nil {
			return nil, err
		}
		if live > 0 {
			return nil, fmt.Errorf("%d live keys: %w", live, auth.ErrHasLiveKeys)
		}
	}
	return selectIDs(ctx, tx, `SELECT id FROM virtual_keys WHERE `+where+` ORDER BY id`, arg)
}

// deleteKeys deletes the keys matching where with the rows that refer to
// them.
func deleteKeys(ctx context.Context, tx *sql.Tx, where string, arg any) error {
	for _, stmt := range []string{
		`DELETE FROM key_usage WHERE key_id IN (SELECT id FROM virtual_keys WHERE ` + where + `)`,
		`DELETE FROM retired_secrets WHERE key_id IN (SELECT id FROM virtual_keys WHERE ` + where + `)`,
		`DELETE FROM virtual_keys WHERE ` + where,
	} {
		if _, err := tx.ExecContext(ctx, stmt, arg); err != nil {
			return err
		}
	}
	return nil
}

func selectIDs(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
