package admit

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-gw/switchboard/billing/budget"
	"github.com/switchboard-gw/switchboard/billing/ledger"
	"github.com/switchboard-gw/switchboard/billing/limits"
)

// LedgerSeeder backs budget counters with the spend ledger: a window's
// counter starts from what the ledger recorded for its scope since the
// window started (a lifetime budget: ever), so that a new or emptied Redis,
// or a restarted embedded gateway, knows what was already spent.
func LedgerSeeder(store ledger.SpendTotaler) budget.Seeder {
	return func(ctx context.Context, scope string, windowStart time.Time) (int64, error) {
		kind, id, err := limits.ParseScope(scope)
		if err != nil {
			return 0, err
		}
		f := ledger.Filter{From: windowStart, To: time.Now().Add(48 * time.Hour)}
		if f.From.IsZero() {
			f.From = time.Unix(0, 0)
		}
		switch kind {
		case limits.ScopeKey:
			f.KeyID = id
		case limits.ScopeTeam:
			f.TeamID = id
		case limits.ScopeUser:
			f.UserID = id
		default:
			return 0, fmt.Errorf("admit: no ledger filter for scope %q", scope)
		}
		return store.SpendTotal(ctx, f)
	}
}
