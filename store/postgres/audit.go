package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/switchboard-gw/switchboard/audit"
)

var _ audit.Store = (*Store)(nil)

const eventColumns = `id, time, actor, actor_role, action, target_type, target_id, team_id, before::text, after::text, client_address, request_id, outcome`

// InsertEvent appends an event to the audit trail.
func (s *Store) InsertEvent(ctx context.Context, e audit.Event) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO audit_events (id, time, actor, actor_role, action, target_type, target_id, team_id,
		before, after, client_address, request_id, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11, $12, $13)`,
		e.ID, e.Time, e.Actor, e.ActorRole, e.Action, e.TargetType, e.TargetID, e.TeamID,
		nullJSON(e.Before), nullJSON(e.After), e.ClientAddress, e.RequestID, e.Outcome)
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
		w.add(`substr(action, 1, ` + w.arg(len(prefix)) + `) = ` + w.arg(prefix))
	} else {
		w.eq(`action`, q.Action)
	}
	w.after(`time`, `id`, q.After)
	query := `SELECT ` + eventColumns + ` FROM audit_events` + w.sql() + ` ORDER BY time DESC, id DESC LIMIT ` + w.arg(q.Limit)
	return queryAll(ctx, s, "list events", scanEvent, query, w.args...)
}

// EraseEventDetails replaces before and after of the events about targets.
func (s *Store) EraseEventDetails(ctx context.Context, targets []audit.Target) (int64, error) {
	var n int64
	erased := string(audit.ErasedDetails)
	err := s.inTx(ctx, "erase event details", func(tx pgx.Tx) error {
		for _, t := range targets {
			tag, err := tx.Exec(ctx, `UPDATE audit_events
				SET before = CASE WHEN before IS NULL THEN NULL ELSE $1::jsonb END,
				    after = CASE WHEN after IS NULL THEN NULL ELSE $1::jsonb END
				WHERE target_type = $2 AND target_id = $3
				  AND (before IS NOT NULL AND before <> $1::jsonb OR after IS NOT NULL AND after <> $1::jsonb)`,
				erased, t.Type, t.ID)
			if err != nil {
				return err
			}
			n += tag.RowsAffected()
		}
		return nil
	})
	return n, err
}

func scanEvent(row pgx.Row) (audit.Event, error) {
	var e audit.Event
	var before, after pgtype.Text
	err := row.Scan(&e.ID, &e.Time, &e.Actor, &e.ActorRole, &e.Action, &e.TargetType, &e.TargetID, &e.TeamID,
		&before, &after, &e.ClientAddress, &e.RequestID, &e.Outcome)
	if err != nil {
		return audit.Event{}, fmt.Errorf("read event: %w", err)
	}
	e.Time = e.Time.UTC()
	if before.Valid {
		e.Before = []byte(before.String)
	}
	if after.Valid {
		e.After = []byte(after.String)
	}
	return e, nil
}

func nullJSON(b []byte) pgtype.Text { return pgtype.Text{String: string(b), Valid: len(b) > 0} }

const requestColumns = `request_id, time, key_id, team_id, user_id, end_user, operation, alias, model, provider, deployment,
	transport, stream, status, prompt_sha256, input_bytes, input_messages, input_tools, input_images, output_bytes,
	input_tokens, output_tokens, cost_nano_usd, client_address, user_agent, latency_us, payload_captured`

// WriteRequests stores a batch of records and payloads in one
// transaction, ignoring those already stored.
func (s *Store) WriteRequests(ctx context.Context, records []audit.RequestRecord, payloads []audit.Payload) error {
	if len(records) == 0 && len(payloads) == 0 {
		return nil
	}
	return s.inTx(ctx, "write request records", func(tx pgx.Tx) error {
		var b pgx.Batch
		for _, r := range records {
			b.Queue(`INSERT INTO request_records (`+requestColumns+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27)
				ON CONFLICT (request_id) DO NOTHING`,
				r.RequestID, r.Time, r.KeyID, r.TeamID, r.UserID, r.EndUser, r.Operation,
				r.Alias, r.Model, r.Provider, r.Deployment, r.Transport, r.Stream, r.Status, r.PromptSHA256,
				r.InputBytes, r.InputMessages, r.InputTools, r.InputImages, r.OutputBytes, r.InputTokens, r.OutputTokens,
				r.CostNanoUSD, r.ClientAddress, r.UserAgent, r.Latency.Microseconds(), r.PayloadCaptured)
		}
		for _, p := range payloads {
			b.Queue(`INSERT INTO captured_payloads (request_id, time, key_id, team_id, user_id, request, response)
				VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (request_id) DO NOTHING`,
				p.RequestID, p.Time, p.KeyID, p.TeamID, p.UserID, string(p.Request), string(p.Response))
		}
		return tx.SendBatch(ctx, &b).Close()
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
	query := `SELECT ` + requestColumns + ` FROM request_records` + w.sql() + ` ORDER BY time DESC, request_id DESC LIMIT ` + w.arg(q.Limit)
	return queryAll(ctx, s, "list request records", scanRequest, query, w.args...)
}

func scanRequest(row pgx.Row) (audit.RequestRecord, error) {
	var r audit.RequestRecord
	var latency int64
	err := row.Scan(&r.RequestID, &r.Time, &r.KeyID, &r.TeamID, &r.UserID, &r.EndUser, &r.Operation, &r.Alias, &r.Model,
		&r.Provider, &r.Deployment, &r.Transport, &r.Stream, &r.Status, &r.PromptSHA256, &r.InputBytes, &r.InputMessages,
		&r.InputTools, &r.InputImages, &r.OutputBytes, &r.InputTokens, &r.OutputTokens, &r.CostNanoUSD,
		&r.ClientAddress, &r.UserAgent, &latency, &r.PayloadCaptured)
	if err != nil {
		return audit.RequestRecord{}, fmt.Errorf("read request record: %w", err)
	}
	r.Time, r.Latency = r.Time.UTC(), time.Duration(latency)*time.Microsecond
	return r, nil
}

// ListPayloads returns captured payloads newest first.
func (s *Store) ListPayloads(ctx context.Context, q audit.PayloadQuery) ([]audit.Payload, error) {
	var w auditFilter
	w.eq(`user_id`, q.UserID)
	w.eq(`team_id`, q.TeamID)
	w.after(`time`, `request_id`, q.After)
	query := `SELECT request_id, time, key_id, team_id, user_id, request, response FROM captured_payloads` + w.sql() +
		` ORDER BY time DESC, request_id DESC LIMIT ` + w.arg(q.Limit)
	return queryAll(ctx, s, "list payloads", func(row pgx.Row) (audit.Payload, error) {
		var p audit.Payload
		var req, resp string
		if err := row.Scan(&p.RequestID, &p.Time, &p.KeyID, &p.TeamID, &p.UserID, &req, &resp); err != nil {
			return audit.Payload{}, fmt.Errorf("read payload: %w", err)
		}
		p.Time, p.Request, p.Response = p.Time.UTC(), []byte(req), []byte(resp)
		return p, nil
	}, query, w.args...)
}

// DeleteUserRequests deletes a user's records and payloads.
func (s *Store) DeleteUserRequests(ctx context.Context, userID string) (records, payloads int64, err error) {
	if userID == "" {
		return 0, 0, errors.New("delete user requests: empty user id")
	}
	err = s.inTx(ctx, "delete user requests", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM request_records WHERE user_id = $1`, userID)
		if err != nil {
			return err
		}
		records = tag.RowsAffected()
		if tag, err = tx.Exec(ctx, `DELETE FROM captured_payloads WHERE user_id = $1`, userID); err != nil {
			return err
		}
		payloads = tag.RowsAffected()
		return nil
	})
	return records, payloads, err
}

// DeleteExpired deletes records and payloads past their retention, at
// most q.Limit of each.
func (s *Store) DeleteExpired(ctx context.Context, q audit.ExpiryQuery) (records, payloads int64, err error) {
	err = s.inTx(ctx, "delete expired request records", func(tx pgx.Tx) error {
		if !q.RecordsBefore.IsZero() {
			tag, err := tx.Exec(ctx, `DELETE FROM request_records WHERE request_id IN
				(SELECT request_id FROM request_records WHERE time < $1 LIMIT $2)`, q.RecordsBefore, q.Limit)
			if err != nil {
				return err
			}
			records = tag.RowsAffected()
		}
		if !q.Now.IsZero() {
			tag, err := tx.Exec(ctx, `DELETE FROM captured_payloads WHERE request_id IN
				(SELECT p.request_id FROM captured_payloads p LEFT JOIN teams t ON t.id = p.team_id
				 WHERE p.time < $1::timestamptz - make_interval(days => COALESCE(NULLIF(t.payload_retention_days, 0), $2::integer)) LIMIT $3)`,
				q.Now, q.DefaultPayloadRetentionDays, q.Limit)
			if err != nil {
				return err
			}
			payloads = tag.RowsAffected()
		}
		return nil
	})
	return records, payloads, err
}

// auditFilter builds a WHERE clause with numbered parameters from the filters
// that are set.
type auditFilter struct {
	conds []string
	args  []any
}

func (w *auditFilter) arg(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

func (w *auditFilter) add(cond string) { w.conds = append(w.conds, cond) }

func (w *auditFilter) eq(column, value string) {
	if value != "" {
		w.add(column + ` = ` + w.arg(value))
	}
}

func (w *auditFilter) timeRange(column string, from, to time.Time) {
	if !from.IsZero() {
		w.add(column + ` >= ` + w.arg(from))
	}
	if !to.IsZero() {
		w.add(column + ` < ` + w.arg(to))
	}
}

func (w *auditFilter) after(timeColumn, idColumn string, c *audit.Cursor) {
	if c != nil {
		w.add(`(` + timeColumn + `, ` + idColumn + `) < (` + w.arg(c.Time) + `, ` + w.arg(c.ID) + `)`)
	}
}

func (w *auditFilter) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return ` WHERE ` + strings.Join(w.conds, ` AND `)
}
