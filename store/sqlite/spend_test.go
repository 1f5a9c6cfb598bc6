package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/switchboard-gw/switchboard/billing/ledger"
	"github.com/switchboard-gw/switchboard/store/storetest"
)

func TestSpendConformance(t *testing.T) {
	storetest.RunSpend(t, func(t *testing.T) ledger.Store {
		return openStore(t, filepath.Join(t.TempDir(), "switchboard.db"))
	})
}
