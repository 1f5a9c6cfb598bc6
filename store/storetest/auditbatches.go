package storetest

import (
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/audit"
)

// testRequestLargeBatches writes a batch of several hundred records (an
// odd number, so that a store writing many rows per statement runs full
// and partial statements), then one that overlaps it: the stored records
// are left as they are, the new ones added.
func testRequestLargeBatches(t *testing.T, s AuditStore) {
	first := make([]audit.RequestRecord, 333)
	for i := range first {
		first[i] = newRequest(1000+i, base.Add(time.Duration(i)*time.Millisecond))
	}
	if err := s.WriteRequests(t.Context(), first, nil); err != nil {
		t.Fatalf("WriteRequests(%d records): %v", len(first), err)
	}
	want := map[string]audit.RequestRecord{}
	for _, r := range first {
		want[r.RequestID] = r
	}
	var second []audit.RequestRecord
	for i := 100; i < 200; i++ {
		changed := first[i]
		changed.Status, changed.CostNanoUSD = "upstream", 1
		second = append(second, changed)
	}
	for i := range 77 {
		r := newRequest(2000+i, base.Add(time.Second+time.Duration(i)*time.Millisecond))
		second = append(second, r)
		want[r.RequestID] = r
	}
	if err := s.WriteRequests(t.Context(), second, nil); err != nil {
		t.Fatalf("WriteRequests(%d records, 100 stored): %v", len(second), err)
	}
	got, err := s.ListRequests(t.Context(), audit.RequestQuery{Limit: 1000})
	if err != nil {
		t.Fatalf("ListRequests: %v", err)
	}
	if len(got) != len(want) {
		t.Fatalf("ListRequests returned %d records, want %d", len(got), len(want))
	}
	for _, g := range got {
		w, ok := want[g.RequestID]
		if !ok {
			t.Errorf("unexpected record %s", g.RequestID)
			continue
		}
		if !g.Time.Equal(w.Time) {
			t.Errorf("%s: time %v, want %v", w.RequestID, g.Time, w.Time)
		}
		g.Time = w.Time
		if g != w {
			t.Errorf("record:\n got  %+v\n want %+v", g, w)
		}
	}
}
