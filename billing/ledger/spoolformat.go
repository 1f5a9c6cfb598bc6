package ledger

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// Spool segment format. A segment is a text file: a header line naming the
// format and its version, then one JSON object per line, one record each.
// Field names are spelled out here rather than derived from Record, so
// renaming a Go field cannot make an old spool unreadable; a new version
// number is needed only for a change old readers would misread.
const (
	spoolFormat  = "switchboard-spend-spool"
	spoolVersion = 1
)

type spoolHeader struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
}

var spoolHeaderLine = func() []byte {
	b, err := json.Marshal(spoolHeader{Format: spoolFormat, Version: spoolVersion})
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}()

// checkSpoolHeader accepts the header line of a segment this binary can read.
func checkSpoolHeader(line []byte) error {
	var h spoolHeader
	if err := json.Unmarshal(line, &h); err != nil || h.Format != spoolFormat {
		return fmt.Errorf("not a spend spool segment (header %.80q)", line)
	}
	if h.Version != spoolVersion {
		return fmt.Errorf("spool format version %d, this binary reads version %d", h.Version, spoolVersion)
	}
	return nil
}

type spoolLine struct {
	RequestID         string    `json:"request_id"`
	Attempt           int       `json:"attempt"`
	Time              time.Time `json:"time"`
	KeyID             string    `json:"key_id,omitempty"`
	TeamID            string    `json:"team_id,omitempty"`
	UserID            string    `json:"user_id,omitempty"`
	EndUser           string    `json:"end_user,omitempty"`
	Alias             string    `json:"alias,omitempty"`
	Deployment        string    `json:"deployment,omitempty"`
	Provider          string    `json:"provider,omitempty"`
	Model             string    `json:"model,omitempty"`
	Reason            string    `json:"reason,omitempty"`
	Outcome           string    `json:"outcome,omitempty"`
	Stream            bool      `json:"stream,omitempty"`
	InputTokens       int64     `json:"input_tokens,omitempty"`
	CachedInputTokens int64     `json:"cached_input_tokens,omitempty"`
	CacheWriteTokens  int64     `json:"cache_write_tokens,omitempty"`
	OutputTokens      int64     `json:"output_tokens,omitempty"`
	ReasoningTokens   int64     `json:"reasoning_tokens,omitempty"`
	Estimated         bool      `json:"estimated,omitempty"`
	Unpriced          bool      `json:"unpriced,omitempty"`
	CostNanoUSD       int64     `json:"cost_nano_usd,omitempty"`
	PricingVersion    string    `json:"pricing_version,omitempty"`
}

// encodeSpoolLines appends one line per record to buf.
func encodeSpoolLines(buf []byte, records []Record) ([]byte, error) {
	for _, r := range records {
		b, err := json.Marshal(spoolLine{
			RequestID: r.RequestID, Attempt: r.Attempt, Time: r.Time,
			KeyID: r.KeyID, TeamID: r.TeamID, UserID: r.UserID, EndUser: r.EndUser,
			Alias: r.Alias, Deployment: r.Deployment, Provider: r.Provider, Model: r.Model,
			Reason: string(r.Reason), Outcome: string(r.Outcome), Stream: r.Stream,
			InputTokens: r.Usage.InputTokens, CachedInputTokens: r.Usage.CachedInputTokens,
			CacheWriteTokens: r.Usage.CacheWriteTokens, OutputTokens: r.Usage.OutputTokens,
			ReasoningTokens: r.Usage.ReasoningTokens,
			Estimated:       r.Estimated, Unpriced: r.Unpriced, CostNanoUSD: r.CostNanoUSD, PricingVersion: r.PricingVersion,
		})
		if err != nil {
			return buf, err
		}
		buf = append(append(buf, b...), '\n')
	}
	return buf, nil
}

// decodeSpoolLine parses one record line and checks the record is storable.
func decodeSpoolLine(line []byte) (Record, error) {
	// Unknown fields are ignored: a newer writer may add fields that an
	// older reader can do without (a change it cannot do without needs a
	// new version).
	var l spoolLine
	if err := json.Unmarshal(line, &l); err != nil {
		return Record{}, err
	}
	r := Record{
		RequestID: l.RequestID, Attempt: l.Attempt, Time: l.Time,
		KeyID: l.KeyID, TeamID: l.TeamID, UserID: l.UserID, EndUser: l.EndUser,
		Alias: l.Alias, Deployment: l.Deployment, Provider: l.Provider, Model: l.Model,
		Reason: llm.AttemptReason(l.Reason), Outcome: llm.AttemptOutcome(l.Outcome), Stream: l.Stream,
		Usage: llm.Usage{InputTokens: l.InputTokens, CachedInputTokens: l.CachedInputTokens,
			CacheWriteTokens: l.CacheWriteTokens, OutputTokens: l.OutputTokens, ReasoningTokens: l.ReasoningTokens},
		Estimated: l.Estimated, Unpriced: l.Unpriced, CostNanoUSD: l.CostNanoUSD, PricingVersion: l.PricingVersion,
	}.Normalize()
	return r, r.Validate()
}
