package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/bits"
	"strings"
)

// multiRowStatement is one statement that takes many rows at once
// (`INSERT ... VALUES (...), (...), ...`). Row by row, a batch pays per row
// a trip through database/sql and the driver, which under a context with a
// deadline (the batch writers' kind) also starts and stops a watcher
// goroutine; many rows per statement pay it a few times per batch. It is
// prepared once, on the writer, for every power of two of rows up to
// maxRows, so that any count is a few full-size executions and at most one
// of each smaller size, and no batch pays SQLite's parsing again.
type multiRowStatement struct {
	prefix  string // up to VALUES
	row     string // one row's "(?, ?, ...)"
	suffix  string // after the rows: ON CONFLICT ...
	columns int    // host parameters per row
	// bySize[k] is prepared for 1<<k rows; the last is for maxRows.
	bySize []*sql.Stmt
}

func newMultiRowStatement(prefix string, columns, maxRows int, suffix string) *multiRowStatement {
	if maxRows < 1 || maxRows&(maxRows-1) != 0 {
		panic(fmt.Sprintf("multi-row statement: maxRows %d is not a power of two", maxRows))
	}
	return &multiRowStatement{
		prefix:  prefix,
		row:     "(" + strings.TrimSuffix(strings.Repeat("?, ", columns), ", ") + ")",
		suffix:  suffix,
		columns: columns,
		bySize:  make([]*sql.Stmt, bits.TrailingZeros(uint(maxRows))+1),
	}
}

// maxRows is the most rows one execution takes.
func (m *multiRowStatement) maxRows() int { return 1 << (len(m.bySize) - 1) }

func (m *multiRowStatement) sql(rows int) string {
	var b strings.Builder
	b.Grow(len(m.prefix) + rows*(len(m.row)+2) + len(m.suffix) + 2)
	b.WriteString(m.prefix)
	b.WriteByte(' ')
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(m.row)
	}
	b.WriteByte(' ')
	b.WriteString(m.suffix)
	return b.String()
}

// prepare prepares every size on db.
func (m *multiRowStatement) prepare(ctx context.Context, db *sql.DB) error {
	for k := range m.bySize {
		stmt, err := db.PrepareContext(ctx, m.sql(1<<k))
		if err != nil {
			return err
		}
		m.bySize[k] = stmt
	}
	return nil
}

func (m *multiRowStatement) close() error {
	var errs []error
	for _, stmt := range m.bySize {
		if stmt != nil {
			errs = append(errs, stmt.Close())
		}
	}
	return errors.Join(errs...)
}

// chunk is the number of rows of the next execution when n rows are left:
// maxRows, or else the largest power of two not above n.
func (m *multiRowStatement) chunk(n int) int {
	return min(m.maxRows(), 1<<(bits.Len(uint(n))-1))
}

// execAll executes the statement over n rows in chunks, in one
// transaction: appendRow appends the arguments of row i to args. It
// returns the rows the executions changed.
func (m *multiRowStatement) execAll(ctx context.Context, tx *sql.Tx, n int, appendRow func(args []any, i int) []any) (int64, error) {
	var changed int64
	inTx := make([]*sql.Stmt, len(m.bySize)) // each size bound to tx once
	args := make([]any, 0, min(n, m.maxRows())*m.columns)
	for done := 0; done < n; {
		rows := m.chunk(n - done)
		size := bits.TrailingZeros(uint(rows))
		if inTx[size] == nil {
			inTx[size] = tx.StmtContext(ctx, m.bySize[size])
		}
		args = args[:0]
		for i := done; i < done+rows; i++ {
			args = appendRow(args, i)
		}
		res, err := inTx[size].ExecContext(ctx, args...)
		if err != nil {
			return changed, err
		}
		c, err := res.RowsAffected()
		if err != nil {
			return changed, err
		}
		changed += c
		done += rows
	}
	return changed, nil
}
