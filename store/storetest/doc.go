// Package storetest holds the conformance suites that every store backend
// runs from its own tests, so that the embedded SQLite store and the
// production backends behave identically: the same ordering, the same
// sentinel errors, the same idempotency and the same time precision.
//
// A backend's test calls, for example:
//
//	func TestKeyStore(t *testing.T) {
//		storetest.RunKeyStore(t, func(t *testing.T) auth.KeyStore {
//			s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "db"))
//			...
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
package storetest
