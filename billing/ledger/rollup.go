package ledger

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// The helpers in this file are for Store implementations, so that every
// backend maintains its daily rollups and request counts the same way.

// DailyKey is the grain of the daily rollups: one row per UTC day and
// combination of the groupable dimensions.
type DailyKey struct {
	Day        time.Time
	KeyID      string
	TeamID     string
	UserID     string
	Model      string
	Provider   string
	Deployment string
	Alias      string
}

// DailyKeyOf is the rollup row a record adds to.
func DailyKeyOf(r Record) DailyKey {
	return DailyKey{Day: Day(r.Time), KeyID: r.KeyID, TeamID: r.TeamID, UserID: r.UserID,
		Model: r.Model, Provider: r.Provider, Deployment: r.Deployment, Alias: r.Alias}
}

func (k DailyKey) compare(o DailyKey) int {
	if c := k.Day.Compare(o.Day); c != 0 {
		return c
	}
	for _, p := range [][2]string{{k.KeyID, o.KeyID}, {k.TeamID, o.TeamID}, {k.UserID, o.UserID},
		{k.Model, o.Model}, {k.Provider, o.Provider}, {k.Deployment, o.Deployment}, {k.Alias, o.Alias}} {
		if c := strings.Compare(p[0], p[1]); c != 0 {
			return c
		}
	}
	return 0
}

// DailyDelta is an amount to add to one rollup row (Requests may be
// negative: a request moves to the group of an earlier attempt).
type DailyDelta struct {
	Key DailyKey
	Totals
}

// RollupChange is what storing a batch does beyond inserting its new
// records: the amounts to add to the rollups, and the records whose
// "counts its request" flag changes.
type RollupChange struct {
	// Deltas, sorted by key so that concurrent writers lock rollup rows in
	// the same order.
	Deltas []DailyDelta
	// Count lists records that now count their request; Uncount, records
	// that no longer do.
	Count   []Record
	Uncount []Record
}

// PlanRollup computes the change for inserted, the records of a batch that
// were not stored before (duplicates excluded), given counting: for each of
// their requests that already had stored records, the stored record that
// counts it. A request is counted by its lowest-numbered stored attempt.
func PlanRollup(inserted []Record, counting map[string]Record) RollupChange {
	deltas := map[DailyKey]*Totals{}
	at := func(r Record) *Totals {
		k := DailyKeyOf(r)
		t, ok := deltas[k]
		if !ok {
			t = &Totals{}
			deltas[k] = t
		}
		return t
	}
	first := map[string]Record{} // lowest attempt of each request in inserted
	for _, r := range inserted {
		at(r).AddRecord(r)
		if f, ok := first[r.RequestID]; !ok || r.Attempt < f.Attempt {
			first[r.RequestID] = r
		}
	}
	var change RollupChange
	for id, r := range first {
		old, stored := counting[id]
		if stored && old.Attempt <= r.Attempt {
			continue
		}
		if stored {
			at(old).Requests--
			change.Uncount = append(change.Uncount, old)
		}
		at(r).Requests++
		change.Count = append(change.Count, r)
	}
	for k, t := range deltas {
		change.Deltas = append(change.Deltas, DailyDelta{Key: k, Totals: *t})
	}
	slices.SortFunc(change.Deltas, func(a, b DailyDelta) int { return a.Key.compare(b.Key) })
	slices.SortFunc(change.Count, compareIdentity)
	slices.SortFunc(change.Uncount, compareIdentity)
	return change
}

// SortByIdentity sorts records by (Time, RequestID, Attempt), the order in
// which stores insert a batch, so that concurrent writers of overlapping
// batches take row locks in the same order.
func SortByIdentity(records []Record) {
	slices.SortStableFunc(records, compareIdentity)
}

func compareIdentity(a, b Record) int {
	return cmp.Or(a.Time.Compare(b.Time), strings.Compare(a.RequestID, b.RequestID), cmp.Compare(a.Attempt, b.Attempt))
}
