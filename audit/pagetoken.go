package audit

import (
	"context"
	"encoding/base64"
	"errors"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// Page sizes of the listings, as AdminService's other listings have them.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// Page tokens are opaque to callers: base64url of
// "a1:<listing>:<filter fingerprint>:<time unix µs>:<id>". The listing
// letter and the fingerprint of the filters bind a token to the listing
// that issued it, so it cannot be replayed against another one, which
// would skip or repeat records.
const pageTokenVersion = "a1"

// Listing letters.
const (
	listingEvents   = "e"
	listingRequests = "r"
)

func pageSize(n int) (int, *llm.Error) {
	switch {
	case n < 0:
		return 0, invalidParam("page_size", "page_size must not be negative")
	case n == 0:
		return DefaultPageSize, nil
	case n > MaxPageSize:
		return MaxPageSize, nil // AIP-158: coerce, do not refuse
	}
	return n, nil
}

func fingerprint(filter string) string {
	h := fnv.New32a()
	h.Write([]byte(filter))
	return strconv.FormatUint(uint64(h.Sum32()), 36)
}

func encodePageToken(listing, filter string, c Cursor) string {
	raw := pageTokenVersion + ":" + listing + ":" + fingerprint(filter) + ":" + strconv.FormatInt(c.Time.UnixMicro(), 10) + ":" + c.ID
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// decodePageToken returns the cursor in token, nil for the first page.
func decodePageToken(token, listing, filter string) (*Cursor, *llm.Error) {
	if token == "" {
		return nil, nil
	}
	invalid := invalidParam("page_token", "invalid page_token: pass next_page_token from the previous response unchanged")
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return nil, invalid
	}
	parts := strings.SplitN(string(raw), ":", 5)
	if len(parts) != 5 || parts[0] != pageTokenVersion || parts[1] != listing || !looksLikeID(parts[4]) {
		return nil, invalid
	}
	if parts[2] != fingerprint(filter) {
		return nil, invalidParam("page_token", "page_token was issued for a listing with other filters; keep the request's other fields unchanged while paging")
	}
	micros, err := strconv.ParseInt(parts[3], 10, 64)
	if err != nil {
		return nil, invalid
	}
	return &Cursor{Time: time.UnixMicro(micros).UTC(), ID: parts[4]}, nil
}

// nextPageToken trims a page fetched with limit size+1 and returns the
// token of the next page ("" on the last one).
func nextPageToken[T any](recs []T, size int, listing, filter string, cursor func(T) Cursor) ([]T, string) {
	if len(recs) <= size {
		return recs, ""
	}
	recs = recs[:size]
	return recs, encodePageToken(listing, filter, cursor(recs[size-1]))
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
