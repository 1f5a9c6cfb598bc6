package audit

import (
	"context"
	"errors"

	"github.com/switchboard-gw/switchboard/internal/pagetoken"
	"github.com/switchboard-gw/switchboard/llm"
)

// Page sizes of the listings, as AdminService's other listings have them.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// pageTokens issues the listings' opaque page tokens (format in package
// pagetoken). Its version differs from auth's so that a token of one is
// never read by the other; changing it invalidates the tokens callers hold.
var pageTokens = pagetoken.Codec{Version: "a1"}

// Listing letters.
const (
	listingEvents   = "e"
	listingRequests = "r"
)

func pageSize(n int) (int, *llm.Error) {
	return pagetoken.Size(n, DefaultPageSize, MaxPageSize)
}

// decodePageToken returns the cursor in token, nil for the first page.
func decodePageToken(token, listing, filter string) (*Cursor, *llm.Error) {
	p, err := pageTokens.Decode(token, listing, filter, looksLikeID)
	if p == nil {
		return nil, err
	}
	return &Cursor{Time: p.Time, ID: p.ID}, nil
}

func invalidParam(param, msg string) *llm.Error {
	return &llm.Error{Kind: llm.KindInvalidRequest, Param: param, Message: msg}
}

// storeError classifies a store failure as auth does: the caller going
// away stays Canceled or Timeout, anything else is Unavailable.
func storeError(err error) *llm.Error {
	switch {
	case errors.Is(err, context.Canceled):
		return &llm.Error{Kind: llm.KindCanceled, Message: "request canceled", Err: err}
	case errors.Is(err, context.DeadlineExceeded):
		return &llm.Error{Kind: llm.KindTimeout, Message: "request timed out while reading the audit store", Err: err}
	}
	return &llm.Error{Kind: llm.KindUnavailable, Code: "audit_store_unavailable", Message: "audit store unavailable", Err: err}
}
