package pagetoken

import (
	"encoding/base64"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// Position is where a page ends: the sort time and id of its last record.
type Position struct {
	Time time.Time
	ID   string
}

// Codec issues and reads the tokens of one family of listings.
type Codec struct {
	// Version prefixes every token; a family gets its own so that a token
	// of one is never read by another, and changes it when the format does.
	Version string
}

// Size applies the default and the maximum to a requested page size.
func Size(n, defaultSize, maxSize int) (int, *llm.Error) {
	switch {
	case n < 0:
		return 0, invalidParam("page_size", "page_size must not be negative")
	case n == 0:
		return defaultSize, nil
	case n > maxSize:
		return maxSize, nil // AIP-158: coerce, do not refuse
	}
	return n, nil
}

// Encode returns the token of the page after p.
func (c Codec) Encode(listing, filter string, p Position) string {
	raw := c.Version + ":" + listing + ":" + fingerprint(filter) + ":" + strconv.FormatInt(p.Time.UnixMicro(), 10) + ":" + p.ID
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// Decode returns the position in token, nil for the first page (""). validID
// checks the shape of the id it carries, so that a forged token is refused
// before it reaches a store. The error is an invalid-request error on
// page_token.
func (c Codec) Decode(token, listing, filter string, validID func(string) bool) (*Position, *llm.Error) {
	if token == "" {
		return nil, nil
	}
	invalid := invalidParam("page_token", "invalid page_token: pass next_page_token from the previous response unchanged")
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return nil, invalid
	}
	parts := strings.SplitN(string(raw), ":", 5)
	if len(parts) != 5 || parts[0] != c.Version || parts[1] != listing || !validID(parts[4]) {
		return nil, invalid
	}
	if parts[2] != fingerprint(filter) {
		return nil, invalidParam("page_token", "page_token was issued for a listing with other filters; keep the request's other fields unchanged while paging")
	}
	micros, err := strconv.ParseInt(parts[3], 10, 64)
	if err != nil {
		return nil, invalid
	}
	return &Position{Time: time.UnixMicro(micros).UTC(), ID: parts[4]}, nil
}

// Next trims a page fetched with limit size+1 and returns the token of the
// next page ("" on the last one). position gives a record's place in the
// listing's order.
func Next[T any](c Codec, recs []T, size int, listing, filter string, position func(T) Position) ([]T, string) {
	if len(recs) <= size {
		return recs, ""
	}
	recs = recs[:size]
	return recs, c.Encode(listing, filter, position(recs[size-1]))
}

func fingerprint(filter string) string {
	h := fnv.New32a()
	h.Write([]byte(filter))
	return strconv.FormatUint(uint64(h.Sum32()), 36)
}

func invalidParam(param, msg string) *llm.Error {
	return &llm.Error{Kind: llm.KindInvalidRequest, Param: param, Message: msg}
}
