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
package storetest
