package auth

import "strings"

const (
	// TeamIDPrefix starts every team id.
	TeamIDPrefix = "team_"
	// UserIDPrefix starts every user id.
	UserIDPrefix = "user_"
	// DefaultTeamID is the team that owns keys created without one, and
	// every key that existed before teams did. The migrations create it.
	DefaultTeamID = "team_default"
	// maxTeamIDSuffix bounds the part after "team_": generated ids have 16
	// characters, the default team's has 7.
	maxTeamIDSuffix = 32
)

// NewTeamID returns a fresh team id, "team_" followed by 16 base62
// characters.
func NewTeamID() string { return TeamIDPrefix + randomBase62(keyIDRandomLen) }

// NewUserID returns a fresh user id, "user_" followed by 16 base62
// characters.
func NewUserID() string { return UserIDPrefix + randomBase62(keyIDRandomLen) }

// looksLikeTeamID reports whether id has the shape of a team id.
func looksLikeTeamID(id string) bool {
	rest, ok := strings.CutPrefix(id, TeamIDPrefix)
	return ok && rest != "" && len(rest) <= maxTeamIDSuffix && isBase62(rest)
}

// looksLikeUserID reports whether id has the shape of a user id.
func looksLikeUserID(id string) bool {
	rest, ok := strings.CutPrefix(id, UserIDPrefix)
	return ok && len(rest) == keyIDRandomLen && isBase62(rest)
}
