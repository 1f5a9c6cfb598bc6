// Package pagetoken issues and reads the opaque page tokens of the
// gateway's keyset-paginated listings (auth's keys, teams and users,
// audit's events and requests), and applies their page-size rules.
//
// A token is base64url of
// "<version>:<listing>:<filter fingerprint>:<time unix µs>:<id>". The
// version names the family of listings that issued it, the listing letter
// the listing, and the fingerprint of its filters binds it to that exact
// query: replayed against another listing or other filters it would skip
// or repeat records, so it is refused with an error that says why.
package pagetoken
