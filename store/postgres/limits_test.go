package postgres_test

import (
	"testing"

	"github.com/switchboard-gw/switchboard/billing/limits"
	"github.com/switchboard-gw/switchboard/store/postgres/pgtest"
	"github.com/switchboard-gw/switchboard/store/storetest"
)

func TestLimitSettingsConformance(t *testing.T) {
	pgtest.DSN(t)
	storetest.RunLimits(t, func(t *testing.T) limits.Store {
		return open(t, pgtest.NewSchema(t), true)
	})
}
