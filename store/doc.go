// Package store is the home of Switchboard's persistence backends. It holds
// no code of its own: the interfaces a backend implements are declared by
// the packages that use them (auth.KeyStore today, billing's stores later),
// so those packages never depend on a database.
//
//   - store/sqlite: the embedded, zero-configuration default (pure Go, no cgo).
//   - store/storetest: the conformance suites every backend runs, so the
//     embedded store and the production one (Postgres, in a later issue)
//     cannot drift apart in behaviour.
package store
