package postgres

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// spendPartitionLock is the advisory lock key under which instances create
// spend partitions ("SPND").
const spendPartitionLock = 0x53504E44

// checkViolation is the SQLSTATE of creating a partition for a month that
// the DEFAULT partition already holds rows of.
const checkViolation = "23514"

// spendPartitions remembers the months whose partition is known to exist,
// so a batch costs no catalog lookup once its months have been seen.
type spendPartitions struct {
	mu     sync.Mutex
	months map[time.Time]bool
}

func (p *spendPartitions) known(month time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.months[month]
}

func (p *spendPartitions) remember(month time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.months == nil {
		p.months = map[time.Time]bool{}
	}
	p.months[month] = true
}

func monthOf(t time.Time) time.Time {
	y, m, _ := t.UTC().Date()
	return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
}

func spendPartitionName(month time.Time) string {
	return fmt.Sprintf("spend_y%04dm%02d", month.Year(), int(month.Month()))
}

// EnsureSpendPartitions creates the monthly partitions of spend for every
// month from from's to to's, inclusive. WriteSpend creates the partitions
// it needs (and the next month's, so the switch at a month's end needs no
// DDL); this is for operators who prefer to create them ahead of time.
func (s *Store) EnsureSpendPartitions(ctx context.Context, from, to time.Time) error {
	for m := monthOf(from); !m.After(monthOf(to)); m = m.AddDate(0, 1, 0) {
		if err := s.ensureSpendPartition(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// ensureSpendPartitionsFor creates the partitions of the months times fall
// in, and of the month after the latest.
func (s *Store) ensureSpendPartitionsFor(ctx context.Context, times []time.Time) error {
	var latest time.Time
	seen := map[time.Time]bool{}
	for _, t := range times {
		m := monthOf(t)
		if m.After(latest) {
			latest = m
		}
		if !seen[m] {
			seen[m] = true
			if err := s.ensureSpendPartition(ctx, m); err != nil {
				return err
			}
		}
	}
	if next := latest.AddDate(0, 1, 0); next.Year() <= 9999 {
		return s.ensureSpendPartition(ctx, next)
	}
	return nil
}

// ensureSpendPartition creates month's partition unless it exists. The
// check is repeated under an advisory lock, so instances racing to create
// the same partition do not fail; lock_timeout keeps a long query holding
// the parent table from stalling writes indefinitely (the write fails and
// the Writer spools and retries).
func (s *Store) ensureSpendPartition(ctx context.Context, month time.Time) error {
	if s.spendPartitions.known(month) {
		return nil
	}
	name := spendPartitionName(month)
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, name).Scan(&exists); err != nil {
		return fmt.Errorf("look up partition %s: %w", name, err)
	}
	if !exists {
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '10s'`); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, spendPartitionLock); err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, name).Scan(&exists); err != nil || exists {
				return err
			}
			// The name and bounds are built from integers: nothing to quote.
			_, err := tx.Exec(ctx, fmt.Sprintf(`CREATE TABLE %s PARTITION OF spend FOR VALUES FROM ('%s') TO ('%s')`,
				name, month.Format("2006-01-02 15:04:05Z07:00"), month.AddDate(0, 1, 0).Format("2006-01-02 15:04:05Z07:00")))
			return err
		})
		switch {
		case pgCode(err) == checkViolation:
			// The DEFAULT partition already holds rows of this month (its
			// partition was dropped, then an old record replayed): leave
			// the month there rather than fail every write of it.
		case err != nil:
			return fmt.Errorf("create partition %s: %w", name, err)
		}
	}
	s.spendPartitions.remember(month)
	return nil
}
