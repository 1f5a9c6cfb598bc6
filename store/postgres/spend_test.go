package postgres_test

import (
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-gw/switchboard/billing/ledger"
	"github.com/switchboard-gw/switchboard/store/postgres/pgtest"
	"github.com/switchboard-gw/switchboard/store/storetest"
)

func TestSpendConformance(t *testing.T) {
	pgtest.DSN(t)
	storetest.RunSpend(t, func(t *testing.T) ledger.Store {
		return open(t, pgtest.NewSchema(t), true)
	})
}

// partitions lists spend's partitions and the rows each holds.
func partitions(t *testing.T, dsn string) map[string]int {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	rows, err := conn.Query(t.Context(), `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'spend'::regclass`)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, name := range names {
		var n int
		if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM `+pgx.Identifier{name}.Sanitize()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[name] = n
	}
	return out
}

func TestSpendIsPartitionedByMonthOnDemand(t *testing.T) {
	dsn := pgtest.NewSchema(t)
	s := open(t, dsn, true)
	recs := storetest.SpendRecords(1, 3, time.Date(2026, 1, 31, 23, 59, 0, 0, time.UTC), time.Second)
	recs[len(recs)-1].Time = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	recs = append(recs, storetest.SpendRecords(2, 2, time.Date(2026, 4, 10, 8, 0, 0, 0, time.UTC), time.Hour)...)
	if err := s.WriteSpend(t.Context(), recs); err != nil {
		t.Fatal(err)
	}
	got := partitions(t, dsn)
	names := make([]string, 0, len(got))
	for name := range got {
		names = append(names, name)
	}
	slices.Sort(names)
	// The months written, the month after the latest (created ahead so the
	// month's switch needs no DDL), and the safety net.
	want := []string{"spend_default", "spend_y2026m01", "spend_y2026m02", "spend_y2026m04", "spend_y2026m05"}
	if !slices.Equal(names, want) {
		t.Errorf("partitions %v, want %v", names, want)
	}
	if got["spend_default"] != 0 {
		t.Errorf("the DEFAULT partition holds %d rows, want 0", got["spend_default"])
	}
	total := 0
	for _, n := range got {
		total += n
	}
	if total != len(recs) {
		t.Errorf("%d rows in the partitions, want %d", total, len(recs))
	}

	// Another instance (a second store on the database) finds the
	// partitions made and creates the ones it lacks.
	other := open(t, dsn, false)
	if err := other.EnsureSpendPartitions(t.Context(), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"spend_y2026m06", "spend_y2026m07"} {
		if _, ok := partitions(t, dsn)[name]; !ok {
			t.Errorf("EnsureSpendPartitions did not create %s", name)
		}
	}
}

// TestSpendConformanceInAnotherTimeZone runs the suite on sessions whose
// TimeZone is far from UTC: days and partition bounds must not depend on it.
func TestSpendConformanceInAnotherTimeZone(t *testing.T) {
	pgtest.DSN(t)
	storetest.RunSpend(t, func(t *testing.T) ledger.Store {
		u, err := url.Parse(pgtest.NewSchema(t))
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("timezone", "Pacific/Kiritimati") // UTC+14
		u.RawQuery = q.Encode()
		return open(t, u.String(), true)
	})
}
