package storetest

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/ledger"
)

// testSpendLargeBatches writes batches of several hundred records (odd
// sizes, so that a store writing many rows per statement runs full and
// partial statements), where a later batch brings, all at once, the lower
// attempts of many requests that a higher attempt already counts, replays
// of stored records and duplicates within the batch.
func testSpendLargeBatches(t *testing.T, s ledger.Store) {
	m := newSpendModel()
	recs := SpendRecords(21, 400, spendBase, 48*time.Hour)
	attempts := map[string]int{}
	for _, r := range recs {
		attempts[r.RequestID]++
	}
	// The first attempts of every other request that has several are held
	// back for the second batch.
	var early, late []ledger.Record
	held := 0
	for _, r := range recs {
		if r.Attempt == 1 && attempts[r.RequestID] > 1 {
			held++
			if held%2 == 0 {
				late = append(late, r)
				continue
			}
		}
		early = append(early, r)
	}
	if len(late) < 50 || len(early) < 300 {
		t.Fatalf("dataset has %d early and %d late records, want more", len(early), len(late))
	}
	byModel := ledger.Query{Filter: everything(), GroupBy: []ledger.Dimension{ledger.ByDay, ledger.ByModel}}
	byKey := ledger.Query{Filter: everything(), GroupBy: []ledger.Dimension{ledger.ByKey, ledger.ByDeployment}}

	mustWriteSpend(t, s, m, early...)
	assertRows(t, s, m, byModel)
	assertRows(t, s, m, byKey)

	second := append([]ledger.Record(nil), late...)
	for i := 0; i < len(early); i += 3 {
		second = append(second, early[i])
	}
	second = append(second, late[:len(late)/3]...)
	rand.New(rand.NewPCG(21, 21)).Shuffle(len(second), func(i, j int) { second[i], second[j] = second[j], second[i] })
	mustWriteSpend(t, s, m, second...)
	assertRows(t, s, m, byModel)
	assertRows(t, s, m, byKey)
	rows := queryRows(t, s, ledger.Query{Filter: everything()})
	if len(rows) != 1 || rows[0].Requests != 400 || rows[0].Attempts != int64(len(recs)) {
		t.Errorf("totals %v, want 400 requests and %d attempts", rows, len(recs))
	}

	for _, batch := range chunks(recs, 333) { // everything again: nothing changes
		mustWriteSpend(t, s, m, batch...)
	}
	assertRows(t, s, m, byModel)
	assertRows(t, s, m, ledger.Query{Filter: ledger.Filter{From: spendBase.Add(5 * time.Hour), To: spendBase.Add(30 * time.Hour)},
		GroupBy: []ledger.Dimension{ledger.ByUser, ledger.ByAlias}})
}
