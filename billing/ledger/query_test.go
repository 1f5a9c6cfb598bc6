package ledger_test

import (
	"errors"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/ledger"
)

func TestQueryValidate(t *testing.T) {
	from, to := base, base.Add(time.Hour)
	ok := ledger.Query{Filter: ledger.Filter{From: from, To: to}, GroupBy: ledger.Dimensions}
	if err := ok.Validate(); err != nil {
		t.Errorf("grouping by every dimension: %v", err)
	}
	for name, q := range map[string]ledger.Query{
		"zero":        {},
		"reversed":    {Filter: ledger.Filter{From: to, To: from}},
		"unknown":     {Filter: ledger.Filter{From: from, To: to}, GroupBy: []ledger.Dimension{"week"}},
		"twice":       {Filter: ledger.Filter{From: from, To: to}, GroupBy: []ledger.Dimension{ledger.ByKey, ledger.ByKey}},
		"empty range": {Filter: ledger.Filter{From: from, To: from}},
	} {
		if err := q.Validate(); !errors.Is(err, ledger.ErrInvalidQuery) {
			t.Errorf("%s: %v, want ErrInvalidQuery", name, err)
		}
	}
}

func TestFilterNormalizeRoundsBoundsUpToTheMicrosecond(t *testing.T) {
	f := ledger.Filter{From: base.Add(1), To: base.Add(time.Microsecond)}.Normalize()
	if want := base.Add(time.Microsecond); !f.From.Equal(want) || !f.To.Equal(want) {
		t.Errorf("Normalize: [%v, %v), want both %v", f.From, f.To, want)
	}
}
