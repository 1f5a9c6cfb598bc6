// Package store is the home of Switchboard's persistence backends. It holds
// no code of its own: the interfaces a backend implements are declared by
// the packages that use them (auth.Store today: keys, teams and users;
// billing's stores later), so those packages never depend on a database.
//
//   - store/sqlite: the embedded, zero-configuration default (pure Go, no cgo),
//     for one gateway instance.
//   - store/postgres: PostgreSQL through pgx/v5, shared by any number of
//     instances, with change announcements (LISTEN/NOTIFY) for revocation.
//   - store/storetest: the conformance suite every backend runs, so the
//     embedded store and the production one cannot drift apart in behaviour.
//   - store/postgres/pgtest: real PostgreSQL databases for tests.
package store
