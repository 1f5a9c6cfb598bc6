package auth

import (
	"github.com/switchboard-gw/switchboard/internal/pagetoken"
	"github.com/switchboard-gw/switchboard/llm"
)

// pageTokens issues the listings' opaque page tokens (format in package
// pagetoken). Changing the version invalidates the tokens callers hold.
var pageTokens = pagetoken.Codec{Version: "v2"}

// Listing letters.
const (
	listingKeys      = "k"
	listingAdminKeys = "a"
	listingTeams     = "t"
	listingUsers     = "u"
)

// pageSize applies the default and the maximum to a requested page size.
func pageSize(n int) (int, *llm.Error) {
	return pagetoken.Size(n, DefaultPageSize, MaxPageSize)
}

// decodePageToken returns the cursor in token, nil for the first page.
// validID checks the shape of the id it carries.
func decodePageToken(token, listing, filter string, validID func(string) bool) (*Cursor, *llm.Error) {
	p, err := pageTokens.Decode(token, listing, filter, validID)
	if p == nil {
		return nil, err
	}
	return &Cursor{CreatedAt: p.Time, ID: p.ID}, nil
}
