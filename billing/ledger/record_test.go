package ledger_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/switchboard-gw/switchboard/billing/ledger"
	"github.com/switchboard-gw/switchboard/llm"
)

func TestNormalizeMakesTimeUTCMicrosecondsAndStringsStorable(t *testing.T) {
	r := records("a", 1)[0]
	r.Time = time.Date(2026, 3, 14, 16, 9, 26, 535897932, time.FixedZone("CET", 3600))
	r.EndUser = "nul\x00and\xffbad"
	r.Alias = strings.Repeat("ü", ledger.MaxFieldBytes) // two bytes each
	n := r.Normalize()
	if want := time.Date(2026, 3, 14, 15, 9, 26, 535897000, time.UTC); !n.Time.Equal(want) || n.Time.Location() != time.UTC {
		t.Errorf("Time %v, want %v in UTC", n.Time, want)
	}
	if n.EndUser != "nul\uFFFDand\uFFFDbad" {
		t.Errorf("EndUser %q", n.EndUser)
	}
	if len(n.Alias) != ledger.MaxFieldBytes || !utf8.ValidString(n.Alias) {
		t.Errorf("Alias cut to %d bytes (valid UTF-8: %v), want %d", len(n.Alias), utf8.ValidString(n.Alias), ledger.MaxFieldBytes)
	}
	if again := n.Normalize(); again != n {
		t.Errorf("Normalize is not idempotent: %+v then %+v", n, again)
	}
}

func TestValidateNamesWhatIsMissing(t *testing.T) {
	good := records("a", 1)[0]
	if err := good.Validate(); err != nil {
		t.Fatalf("a complete record: %v", err)
	}
	for name, c := range map[string]struct {
		change func(*ledger.Record)
		want   string
	}{
		"request id":     {func(r *ledger.Record) { r.RequestID = "" }, "RequestID is empty"},
		"attempt":        {func(r *ledger.Record) { r.Attempt = 0 }, "Attempt is 0"},
		"time":           {func(r *ledger.Record) { r.Time = time.Time{} }, "Time is zero"},
		"ancient time":   {func(r *ledger.Record) { r.Time = time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC) }, "outside"},
		"provider":       {func(r *ledger.Record) { r.Provider = "" }, "Provider is empty"},
		"model":          {func(r *ledger.Record) { r.Model = "" }, "Model is empty"},
		"negative usage": {func(r *ledger.Record) { r.Usage = llm.Usage{OutputTokens: -1} }, "negative"},
		"negative cost":  {func(r *ledger.Record) { r.CostNanoUSD = -5 }, "CostNanoUSD is negative"},
		"unpriced cost":  {func(r *ledger.Record) { r.Unpriced = true }, "unpriced"},
	} {
		r := good
		c.change(&r)
		err := r.Validate()
		if !errors.Is(err, ledger.ErrInvalidRecord) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Validate() = %v, want ErrInvalidRecord saying %q", name, err, c.want)
		}
	}
}

func TestSplitDays(t *testing.T) {
	d := func(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, time.UTC) }
	span := func(a, b time.Time) string { return a.Format("02T15") + "-" + b.Format("02T15") }
	for _, c := range []struct {
		from, to         time.Time
		head, days, tail string // "" for an empty span
	}{
		{d(1, 0), d(3, 0), "", "01T00-03T00", ""},
		{d(1, 6), d(3, 18), "01T06-02T00", "02T00-03T00", "03T00-03T18"},
		{d(1, 6), d(1, 18), "01T06-01T18", "", ""},
		{d(1, 6), d(2, 6), "01T06-02T00", "", "02T00-02T06"},
		{d(1, 0), d(1, 6), "", "", "01T00-01T06"},
		{d(1, 6), d(2, 0), "01T06-02T00", "", ""},
	} {
		s := ledger.SplitDays(c.from, c.to)
		show := func(sp ledger.Span) string {
			if sp.Empty() {
				return ""
			}
			return span(sp.From, sp.To)
		}
		if show(s.Head) != c.head || show(s.Days) != c.days || show(s.Tail) != c.tail {
			t.Errorf("SplitDays(%s) = head %q days %q tail %q, want %q %q %q", span(c.from, c.to),
				show(s.Head), show(s.Days), show(s.Tail), c.head, c.days, c.tail)
		}
	}
}

func TestPlanRollupCountsEachRequestAtItsLowestAttempt(t *testing.T) {
	recs := records("a", 1)
	first, second := recs[0], recs[0]
	second.Attempt, second.Model = 2, "other-model"

	// Attempt 2 arrives first: it counts the request.
	c := ledger.PlanRollup([]ledger.Record{second}, nil)
	if len(c.Count) != 1 || c.Count[0].Attempt != 2 || len(c.Uncount) != 0 || len(c.Deltas) != 1 || c.Deltas[0].Requests != 1 {
		t.Fatalf("attempt 2 alone: %+v", c)
	}
	// Attempt 1 arrives later: the request moves to it.
	c = ledger.PlanRollup([]ledger.Record{first}, map[string]ledger.Record{first.RequestID: second})
	if len(c.Count) != 1 || c.Count[0].Attempt != 1 || len(c.Uncount) != 1 || c.Uncount[0].Attempt != 2 {
		t.Fatalf("attempt 1 after 2: %+v", c)
	}
	var requests, attempts int64
	for _, d := range c.Deltas {
		requests += d.Requests
		attempts += d.Attempts
	}
	if requests != 0 || attempts != 1 {
		t.Errorf("deltas add %d requests and %d attempts, want 0 and 1 (the request moved)", requests, attempts)
	}
	// An attempt after the counting one changes no request count.
	third := first
	third.Attempt = 3
	c = ledger.PlanRollup([]ledger.Record{third}, map[string]ledger.Record{first.RequestID: first})
	if len(c.Count)+len(c.Uncount) != 0 || c.Deltas[0].Requests != 0 {
		t.Errorf("attempt 3 after 1: %+v", c)
	}
}
