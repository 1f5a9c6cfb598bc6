package audit

import (
	"context"
	"strings"
	"time"

	"github.com/switchboard-gw/switchboard/internal/pagetoken"
)

// ListRequestsParams pages through request records. Every filter that is
// set must match.
type ListRequestsParams struct {
	PageSize  int
	PageToken string
	// From and To bound the records' time to [From, To); zero is open.
	From, To time.Time
	TeamID   string
	UserID   string
	KeyID    string
	Alias    string
}

// ListRequests returns a page of request records, newest first, and the
// token of the next page ("" on the last one). Errors are *llm.Error.
func ListRequests(ctx context.Context, store RequestStore, p ListRequestsParams) ([]RequestRecord, string, error) {
	size, verr := pageSize(p.PageSize)
	if verr != nil {
		return nil, "", verr
	}
	if !p.From.IsZero() && !p.To.IsZero() && !p.From.Before(p.To) {
		return nil, "", invalidParam("end_time", "end_time must be after start_time")
	}
	filter := strings.Join([]string{fmtTime(p.From), fmtTime(p.To), p.TeamID, p.UserID, p.KeyID, p.Alias}, "|")
	after, verr := decodePageToken(p.PageToken, listingRequests, filter)
	if verr != nil {
		return nil, "", verr
	}
	recs, err := store.ListRequests(ctx, RequestQuery{
		Limit: size + 1, After: after, From: storedTime(p.From), To: storedTime(p.To),
		TeamID: p.TeamID, UserID: p.UserID, KeyID: p.KeyID, Alias: p.Alias,
	})
	if err != nil {
		return nil, "", storeError(err)
	}
	recs, next := pagetoken.Next(pageTokens, recs, size, listingRequests, filter, func(r RequestRecord) pagetoken.Position { return pagetoken.Position{Time: r.Time, ID: r.RequestID} })
	return recs, next, nil
}
