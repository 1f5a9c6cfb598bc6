// Package limits holds the rate limits and budgets an operator sets on a
// scope (a virtual key, a team or a user) through the admin API: the
// Settings record, its validation, and the Store interface that
// store/postgres and store/sqlite implement (store/storetest.RunLimits is
// the conformance suite both pass).
//
// A key also carries limits of its own in its record (auth.Limits, set when
// the key is created or updated): requests and tokens per minute and one
// hard budget. Settings on the key's scope override them field by field: a
// non-zero RPM or TPM replaces the key's, and a budget in the same window
// replaces the key's budget (which is how a key's budget gets the soft or
// downgrade policy). Package billing/admit merges the two (Effective).
//
// The package has no behaviour beyond that: billing/admit enforces the
// settings with billing/ratelimit and billing/budget.
package limits
