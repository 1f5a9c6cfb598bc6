package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-gw/switchboard/audit"
)

var _ audit.Store = (*Store)(nil)

const eventColumns = `id, time, actor, actor_role, action, target_type, target_id, team_id, before, after, client_address, request_id, outcome`

// InsertEvent appends an event to the audit trail.
func (s *Store) InsertEvent(ctx context.Context, e audit.Event) error {
	_, err := s.writer.ExecContext(ctx, `INSERT INTO audit_events (`+eventColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, micros(e.Time), e.Actor, e.ActorRole, e.Action, e.TargetType, e.TargetID, e.TeamID,
		nullableJSON(e.Before), nullableJSON(e.After), e.ClientAddress, e.RequestID, e.Outcome)
	if isUniqueViolation(err) {
		return fmt.Errorf("insert event %s: %w", e.ID, audit.ErrAlreadyExists)
	}
	if err != nil {
		return fmt.Errorf("insert event %s: %w", e.ID, err)
	}
	return nil
}

// ListEvents returns events newest first.
func (s *Store) ListEvents(ctx context.Context, q audit.EventQuery) ([]audit.Event, error) {
	var w auditFilter
	w.timeRange(`time`, q.From, q.To)
	w.eq(`actor`, q.Actor)
	w.eq(`team_id`, q.TeamID)
	w.eq(`target_type`, q.TargetType)
	w.eq(`target_id`, q.TargetID)
	if prefix, ok := strings.CutSuffix(q.Action, "*"); ok {
		w.add(`substr(action, 1, ?) = ?`, len(prefix), prefix)
	} else {
		w.eq(`action`, q.Action)
	}
	w.after(`time`, `id`, q.After)
	query := `SELECT ` + eventColumns + ` FROM audit_events` + w.sql() + ` ORDER BY time DESC, id DESC LIMIT ?`
	return queryAll(ctx, s.reader, "list events", scanEvent, query, append(w.args, q.Limit)...)
}

// EraseEventDetails replaces before and after of the events about targets.
func (s *Store) EraseEventDetails(ctx context.Context, targets []audit.Target) (int64, error) {
	var n int64
	err := s.inTx(ctx, "erase event details", func(tx *sql.Tx) error {
		for _, t := range targets {
			res, err := tx.ExecContext(ctx, `UPDATE audit_events SET before = CASE WHEN before IS NULL THEN NULL ELSE ? END,
				after = CASE WHEN after IS NULL THEN NULL ELSE ? END
				WHERE target_type = ? AND target_id = ? AND (before IS NOT NULL AND before <> ? OR after IS NOT NULL AND after <> ?)`,
				string(audit.ErasedDetails), string(audit.ErasedDetails), t.Type, t.ID, string(audit.ErasedDetails), string(audit.ErasedDetails))
			if err != nil {
				return err
			}
			changed, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += changed
		}
		return nil
	})
	return n, err
}

func scanEvent(row scanner) (audit.Event, error) {
	var e audit.Event
	var t int64
	var before, after sql.NullString
	err := row.Scan(&e.ID, &t, &e.Actor, &e.ActorRole, &e.Action, &e.TargetType, &e.TargetID, &e.TeamID,
		&before, &after, &e.ClientAddress, &e.RequestID, &e.Outcome)
	if err != nil {
		return audit.Event{}, fmt.Errorf("read event: %w", err)
	}
	e.Time = fromMicros(t)
	if before.Valid {
		e.Before = []byte(before.String)
	}
	if after.Valid {
		e.After = []byte(after.String)
	}
	return e, nil
}

func nullableJSON(b []byte) sql.NullString {
	return sql.NullString{String: string(b), Valid: len(b) > 0}
}

const requestColumns = `request_id, time, key_id, team_id, user_id, end_user, operation, alias, model, provider, deployment,
	transport, stream, status, prompt_sha256, input_bytes, input_messages, input_tools, input_images, output_bytes,
	input_tokens, output_tokens, cost_nano_usd, client_address, user_agent, latency_us, payload_captured`

// WriteRequests stores a batch of records and payloads in one
// transaction, ignoring those already stored. Records go in many rows per
// INSERT (see multiRowStatement); payloads, written only for teams that
// capture them, one at a time.
func (s *Store) WriteRequests(ctx context.Context, records []audit.RequestRecord, payloads []audit.Payload) error {
	if len(records) == 0 && len(payloads) == 0 {
		return nil
	}
	st, err := s.requestStatements(ctx)
	if err != nil {
		return fmt.Errorf("write request records: %w", err)
	}
	return s.inTx(ctx, "write request records", func(tx *sql.Tx) error {
		_, err := st.insert.execAll(ctx, tx, len(records), func(args []any, i int) []any {
			r := &records[i]
			return append(args, r.RequestID, micros(r.Time), r.KeyID, r.TeamID, r.UserID, r.EndUser, r.Operation,
				r.Alias, r.Model, r.Provider, r.Deployment, r.Transport, r.Stream, r.Status, r.PromptSHA256,
				r.InputBytes, int64(r.InputMessages), int64(r.InputTools), int64(r.InputImages), r.OutputBytes, r.InputTokens, r.OutputTokens,
				r.CostNanoUSD, r.ClientAddress, r.UserAgent, r.Latency.Microseconds(), r.PayloadCaptured)
		})
		if err != nil {
			return err
		}
		for _, p := range payloads {
			if _, err := tx.ExecContext(ctx, `INSERT INTO captured_payloads (request_id, time, key_id, team_id, user_id, request, response)
				VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING`,
				p.RequestID, micros(p.Time), p.KeyID, p.TeamID, p.UserID, string(p.Request), string(p.Response)); err != nil {
				return err
			}
		}
		return nil
	})
}

// ListRequests returns request records newest first.
func (s *Store) ListRequests(ctx context.Context, q audit.RequestQuery) ([]audit.RequestRecord, error) {
	var w auditFilter
	w.timeRange(`time`, q.From, q.To)
	w.eq(`team_id`, q.TeamID)
	w.eq(`user_id`, q.UserID)
	w.eq(`key_id`, q.KeyID)
	w.eq(`alias`, q.Alias)
	w.after(`time`, `request_id`, q.After)
	query := `SELECT ` + requestColumns + ` FROM request_records` + w.sql() + ` ORDER BY time DESC, request_id DESC LIMIT ?`
	return queryAll(ctx, s.reader, "list request records", scanRequest, query, append(w.args, q.Limit)...)
}

func scanRequest(row scanner) (audit.RequestRecord, error) {
	var r audit.RequestRecord
	var t, latency int64
	err := row.Scan(&r.RequestID, &t, &r.KeyID, &r.TeamID, &r.UserID, &r.EndUser, &r.Operation, &r.Alias, &r.Model,
		&r.Provider, &r.Deployment, &r.Transport, &r.Stream, &r.Status, &r.PromptSHA256, &r.InputBytes, &r.InputMessages,
		&r.InputTools, &r.InputImages, &r.OutputBytes, &r.InputTokens, &r.OutputTokens, &r.CostNanoUSD,
		&r.ClientAddress, &r.UserAgent, &latency, &r.PayloadCaptured)
	if err != nil {
		return audit.RequestRecord{}, fmt.Errorf("read request record: %w", err)
	}
	r.Time, r.Latency = fromMicros(t), time.Duration(latency)*time.Microsecond
	return r, nil
}

// ListPayloads returns captured payloads newest first.
func (s *Store) ListPayloads(ctx context.Context, q audit.PayloadQuery) ([]audit.Payload, error) {
	var w auditFilter
	w.eq(`user_id`, q.UserID)
	w.eq(`team_id`, q.TeamID)
	w.after(`time`, `request_id`, q.After)
	query := `SELECT request_id, time, key_id, team_id, user_id, request, response FROM captured_payloads` + w.sql() +
		` ORDER BY time DESC, request_id DESC LIMIT ?`
	return queryAll(ctx, s.reader, "list payloads", func(row scanner) (audit.Payload, error) {
		var p audit.Payload
		var t int64
		var req, resp string
		if err := row.Scan(&p.RequestID, &t, &p.KeyID, &p.TeamID, &p.UserID, &req, &resp); err != nil {
			return audit.Payload{}, fmt.Errorf("read payload: %w", err)
		}
		p.Time, p.Request, p.Response = fromMicros(t), []byte(req), []byte(resp)
		return p, nil
	}, query, append(w.args, q.Limit)...)
}

// DeleteUserRequests deletes a user's records and payloads.
func (s *Store) DeleteUserRequests(ctx context.Context, userID string) (records, payloads int64, err error) {
	if userID == "" {
		return 0, 0, errors.New("delete user requests: empty user id")
	}
	err = s.inTx(ctx, "delete user requests", func(tx *sql.Tx) error {
		var err error
		if records, err = execCount(ctx, tx, `DELETE FROM request_records WHERE user_id = ?`, userID); err != nil {
			return err
		}
		payloads, err = execCount(ctx, tx, `DELETE FROM captured_payloads WHERE user_id = ?`, userID)
		return err
	})
	return records, payloads, err
}

// DeleteExpired deletes records and payloads past their retention, at
// most q.Limit of each.
func (s *Store) DeleteExpired(ctx context.Context, q audit.ExpiryQuery) (records, payloads int64, err error) {
	err = s.inTx(ctx, "delete expired request records", func(tx *sql.Tx) error {
		var err error
		if !q.RecordsBefore.IsZero() {
			if records, err = execCount(ctx, tx, `DELETE FROM request_records WHERE request_id IN
				(SELECT request_id FROM request_records WHERE time < ? LIMIT ?)`, micros(q.RecordsBefore), q.Limit); err != nil {
				return err
			}
		}
		if !q.Now.IsZero() {
			const day = int64(24 * time.Hour / time.Microsecond)
			payloads, err = execCount(ctx, tx, `DELETE FROM captured_payloads WHERE request_id IN
				(SELECT p.request_id FROM captured_payloads p LEFT JOIN teams t ON t.id = p.team_id
				 WHERE p.time < ? - COALESCE(NULLIF(t.payload_retention_days, 0), ?) * ? LIMIT ?)`,
				micros(q.Now), q.DefaultPayloadRetentionDays, day, q.Limit)
		}
		return err
	})
	return records, payloads, err
}

func execCount(ctx context.Context, tx *sql.Tx, query string, args ...any) (int64, error) {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// auditFilter builds a WHERE clause from the filters that are set.
type auditFilter struct {
	conds []string
	args  []any
}

func (w *auditFilter) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *auditFilter) eq(column, value string) {
	if value != "" {
		w.add(column+` = ?`, value)
	}
}

func (w *auditFilter) timeRange(column string, from, to time.Time) {
	if !from.IsZero() {
		w.add(column+` >= ?`, micros(from))
	}
	if !to.IsZero() {
		w.add(column+` < ?`, micros(to))
	}
}

func (w *auditFilter) after(timeColumn, idColumn string, c *audit.Cursor) {
	if c != nil {
		w.add(`(`+timeColumn+`, `+idColumn+`) < (?, ?)`, micros(c.Time), c.ID)
	}
}

func (w *auditFilter) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return ` WHERE ` + strings.Join(w.conds, ` AND `)
}
