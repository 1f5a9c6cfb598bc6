// Package storetest holds the conformance suite that every store backend
// runs from its own tests, so that the embedded SQLite store and PostgreSQL
// behave identically: the same ordering, filters, sentinel errors,
// referential checks, idempotency and time precision.
//
// A backend's test calls, for example:
//
//	func TestStoreConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) auth.Store {
//			s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "db"))
//			...
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// RunSpend is the suite of the spend ledger (billing/ledger.Store), called
// the same way; it compares every answer with totals computed from the
// records written. BenchmarkWriteSpend is the shared write benchmark.
package storetest
