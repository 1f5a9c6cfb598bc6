package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/switchboard-gw/switchboard/billing/limits"
	"github.com/switchboard-gw/switchboard/store/storetest"
)

func TestLimitSettingsConformance(t *testing.T) {
	storetest.RunLimits(t, func(t *testing.T) limits.Store {
		return openStore(t, filepath.Join(t.TempDir(), "switchboard.db"))
	})
}
