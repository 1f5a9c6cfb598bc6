// Package spend answers the questions the spend ledger exists for: what
// did a key, a team, a user, a model, a provider spend over a range of
// time, day by day. Reports is the domain command behind
// AdminService.QuerySpend and `switchboard spend`: it checks the question
// (a range is required and bounded, dimensions are known), asks the
// ledger's store (billing/ledger.SpendQuerier: PostgreSQL or SQLite), and
// streams the groups back. Who may ask for what (a team admin only about
// their own team) is decided by the caller's transport with
// auth.AdminPrincipal.TeamFilter, and arrives here as the team filter.
package spend
