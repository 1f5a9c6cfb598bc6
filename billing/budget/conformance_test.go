package budget_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/budget"
)

// newPair returns two engines that share state built from opts: two
// Redis clients on one prefix (two gateway instances), or one Memory
// engine twice.
type newPair func(t *testing.T, opts budget.Options) (a, b budget.Engine)

// usd is one US dollar in nano-USD.
const usd = int64(1_000_000_000)

// start is a moment well inside a UTC day and month.
var start = time.Date(2025, time.March, 14, 12, 0, 0, 0, time.UTC)

// runConformance is the behaviour every Engine must have.
func runConformance(t *testing.T, pair newPair) {
	t.Run("ConcurrentReservationsNeverOverspend", func(t *testing.T) { testExactlyFloor(t, pair) })
	t.Run("SettlementFreesTheDifference", func(t *testing.T) { testSettlementFrees(t, pair) })
	t.Run("RefusalNamesTheBudgetAndHoldsNothing", func(t *testing.T) { testRefusal(t, pair) })
	t.Run("SoftBudgetAdmitsAndFlags", func(t *testing.T) { testSoft(t, pair) })
	t.Run("DowngradeRefusesWithTarget", func(t *testing.T) { testDowngrade(t, pair) })
	t.Run("SettleRecordsMoreThanReserved", func(t *testing.T) { testSettleMore(t, pair) })
	t.Run("WindowsRollOverAtUTCBoundaries", func(t *testing.T) { testRollover(t, pair) })
	t.Run("LeakedReservationsLapse", func(t *testing.T) { testLeak(t, pair) })
	t.Run("SeedingHappensOnceUnderConcurrency", func(t *testing.T) { testSeedOnce(t, pair) })
	t.Run("SeederErrorFailsTheCall", func(t *testing.T) { testSeederError(t, pair) })
	t.Run("ChargeAddsSpendWithoutCheck", func(t *testing.T) { testCharge(t, pair) })
	t.Run("LateSettleAfterRetentionIsDropped", func(t *testing.T) { testLateSettle(t, pair) })
	t.Run("NoBudgets", func(t *testing.T) { testNoBudgets(t, pair) })
	t.Run("InvalidInput", func(t *testing.T) { testInvalid(t, pair) })
}

func mustStatus(t *testing.T, e budget.Engine, budgets ...budget.Budget) []budget.Usage {
	t.Helper()
	u, err := e.Status(context.Background(), budgets)
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	if len(u) != len(budgets) {
		t.Fatalf("Status returned %d usages for %d budgets", len(u), len(budgets))
	}
	return u
}

func mustReserve(t *testing.T, e budget.Engine, amount int64, budgets ...budget.Budget) (budget.Reservation, budget.Decision) {
	t.Helper()
	res, d, err := e.Reserve(context.Background(), budgets, amount)
	if err != nil {
		t.Fatalf("Reserve: %v", err)
	}
	return res, d
}

func mustSettle(t *testing.T, e budget.Engine, res budget.Reservation, actual int64) {
	t.Helper()
	if err := e.Settle(context.Background(), res, actual); err != nil {
		t.Fatalf("Settle: %v", err)
	}
}

// testExactlyFloor: 50 concurrent worst-case reservations over two engines
// against a budget that holds 10 and a half of them admit exactly 10, and
// settling them at worst case never exceeds the limit.
func testExactlyFloor(t *testing.T, pair newPair) {
	clock := newFakeClock(start)
	a, b := pair(t, budget.Options{Clock: clock.Now})
	const amount = 3 * usd / 100
	key := budget.Budget{Scope: "key:k1", Window: budget.Daily, LimitNano: 10*amount + amount/2, Policy: budget.Hard}
	team := budget.Budget{Scope: "team:t1", Window: budget.Monthly, LimitNano: 1000 * usd, Policy: budget.Hard}

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		admitted []budget.Reservation
		refused  atomic.Int64
		failures = make(chan error, 50)
	)
	for i := 0; i < 50; i++ {
		e := a
		if i%2 == 1 {
			e = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, d, err := e.Reserve(context.Background(), []budget.Budget{key, team}, amount)
			switch {
			case err != nil:
				failures <- err
			case d.Allowed:
				mu.Lock()
				admitted = append(admitted, res)
				mu.Unlock()
			default:
				if d.Refused == nil || d.Refused.Budget.Scope != "key:k1" {
					failures <- errors.New("refusal does not name key:k1")
				}
				refused.Add(1)
			}
		}()
	}
	wg.Wait()
	close(failures)
	for err := range failures {
		t.Fatal(err)
	}
	if len(admitted) != 10 || refused.Load() != 40 {
		t.Fatalf("admitted %d, refused %d; want exactly 10 and 40", len(admitted), refused.Load())
	}
	for i, res := range admitted {
		e := a
		if i%2 == 0 {
			e = b
		}
		mustSettle(t, e, res, amount)
	}
	u := mustStatus(t, a, key, team)
	if u[0].SpentNano != 10*amount || u[0].ReservedNano != 0 || u[0].SpentNano > key.LimitNano {
		t.Errorf("key usage %+v; want spent %d, nothing reserved", u[0], 10*amount)
	}
	if u[1].SpentNano != 10*amount || u[1].RemainingNano != team.LimitNano-10*amount {
		t.Errorf("team usage %+v; want spent %d", u[1], 10*amount)
	}
}

// testSettlementFrees: requests that cost less than their worst case give
// the difference back, and later requests use it.
func testSettlementFrees(t *testing.T, pair newPair) {
	clock := newFakeClock(start)
	a, b := pair(t, budget.Options{Clock: clock.Now})
	const amount = 2 * usd
	key := budget.Budget{Scope: "key:k2", Window: budget.Monthly, LimitNano: 10 * amount}

	var held []budget.Reservation
	for i := 0; i < 10; i++ {
		res, d := mustReserve(t, a, amount, key)
		if !d.Allowed {
			t.Fatalf("reservation %d refused: %+v", i, d.Refused)
		}
		held = append(held, res)
	}
	if _, d := mustReserve(t, b, amount, key); d.Allowed {
		t.Fatal("an 11th worst-case reservation was admitted")
	}
	for _, res := range held {
		mustSettle(t, b, res, amount/4)
	}
	// 10 * amount/4 spent: 7.5 amounts remain, so exactly 7 more fit.
	n := 0
	for {
		_, d := mustReserve(t, b, amount, key)
		if !d.Allowed {
			break
		}
		n++
	}
	if n != 7 {
		t.Fatalf("after settlement %d more reservations fit; want 7", n)
	}
	u := mustStatus(t, a, key)[0]
	if u.SpentNano != 10*amount/4 || u.ReservedNano != 7*amount || u.RemainingNano != amount/2 {
		t.Errorf("usage %+v; want spent %d reserved %d remaining %d", u, 10*amount/4, 7*amount, amount/2)
	}
}

// testRefusal: a refusal names the refusing budget, its remaining amount
// and its reset, and holds nothing in the other budgets.
func testRefusal(t *testing.T, pair newPair) {
	clock := newFakeClock(start)
	a, b := pair(t, budget.Options{Clock: clock.Now})
	team := budget.Budget{Scope: "team:t3", Window: budget.Monthly, LimitNano: 100 * usd}
	user := budget.Budget{Scope: "user:u3", Window: budget.Daily, LimitNano: 5 * usd, Policy: budget.Hard}
	if err := a.Charge(context.Background(), []budget.Budget{user}, 4*usd); err != nil {
		t.Fatal(err)
	}
	res, d := mustReserve(t, b, 2*usd, team, user)
	if d.Allowed || res.ID != "" || d.Refused == nil {
		t.Fatalf("decision %+v, reservation %+v; want a refusal", d, res)
	}
	r := d.Refused
	wantReset := time.Date(2025, time.March, 15, 0, 0, 0, 0, time.UTC)
	if r.Budget != user || r.RemainingNano != usd || r.SpentNano != 4*usd || !r.ResetAt.Equal(wantReset) ||
		!r.WindowStart.Equal(wantReset.AddDate(0, 0, -1)) {
		t.Errorf("refusal %+v; want user budget, 1 USD remaining, reset %v", r, wantReset)
	}
	if u := mustStatus(t, a, team)[0]; u.ReservedNano != 0 || u.SpentNano != 0 {
		t.Errorf("team after refusal: %+v; want nothing held", u)
	}
	// The remaining dollar is still usable.
	if _, d := mustReserve(t, a, usd, team, user); !d.Allowed {
		t.Errorf("exactly the remaining amount was refused: %+v", d.Refused)
	}
}

// testSoft: a soft budget admits a request that does not fit, reserves it,
// and reports the budget as over.
func testSoft(t *testing.T, pair newPair) {
	clock := newFakeClock(start)
	a, b := pair(t, budget.Options{Clock: clock.Now})
	soft := budget.Budget{Scope: "team:t4", Window: budget.Daily, LimitNano: usd, Policy: budget.Soft}
	hard := budget.Budget{Scope: "key:k4", Window: budget.Daily, LimitNano: 10 * usd}

	res, d := mustReserve(t, a, usd/2, soft, hard)
	if !d.Allowed || len(d.Over) != 0 {
		t.Fatalf("a fitting request: %+v", d)
	}
	mustSettle(t, a, res, usd/2)
	res, d = mustReserve(t, b, usd, soft, hard)
	if !d.Allowed || len(d.Over) != 1 {
		t.Fatalf("decision %+v; want admitted with the soft budget over", d)
	}
	if o := d.Over[0]; o.Budget != soft || o.SpentNano != usd/2 || o.RemainingNano != usd/2 {
		t.Errorf("over %+v; want the soft budget with half a dollar left", o)
	}
	mustSettle(t, b, res, usd)
	u := mustStatus(t, a, soft, hard)
	if u[0].SpentNano != 3*usd/2 || u[0].RemainingNano != 0 {
		t.Errorf("soft usage %+v; want spent 1.5 USD, nothing remaining", u[0])
	}
	if u[1].SpentNano != 3*usd/2 {
		t.Errorf("hard usage %+v; want spent 1.5 USD", u[1])
	}
}

// testDowngrade: a downgrade budget refuses like a hard one and hands back
// its target; the caller's retry with the budget made soft is admitted.
func testDowngrade(t *testing.T, pair newPair) {
	clock := newFakeClock(start)
	a, _ := pair(t, budget.Options{Clock: clock.Now})
	down := budget.Budget{Scope: "key:k5", Window: budget.Monthly, LimitNano: usd, Policy: budget.Downgrade, Target: "gpt-mini"}
	_, d := mustReserve(t, a, 2*usd, down)
	if d.Allowed || d.Refused == nil || d.Refused.Budget.Target != "gpt-mini" || d.Refused.Budget.Policy != budget.Downgrade {
		t.Fatalf("decision %+v; want a refusal carrying the target", d)
	}
	soft := down
	soft.Policy = budget.Soft
	res, d := mustReserve(t, a, usd/10, soft)
	if !d.Allowed {
		t.Fatalf("retry on the cheaper alias refused: %+v", d.Refused)
	}
	mustSettle(t, a, res, usd/10)
}

// testSettleMore: a request that cost more than its reservation is
// recorded in full.
func testSettleMore(t *testing.T, pair newPair) {
	clock := newFakeClock(start)
	a, b := pair(t, budget.Options{Clock: clock.Now})
	key := budget.Budget{Scope: "key:k6", Window: budget.Lifetime, LimitNano: 10 * usd}
	res, d := mustReserve(t, a, usd, key)
	if !d.Allowed {
		t.Fatal(d.Refused)
	}
	mustSettle(t, b, res, 3*usd)
	u := mustStatus(t, a, key)[0]
	if u.SpentNano != 3*usd || u.ReservedNano != 0 || u.RemainingNano != 7*usd {
		t.Errorf("usage %+v; want 3 USD spent, none held", u)
	}
	if !u.ResetAt.IsZero() || !u.WindowStart.IsZero() {
		t.Errorf("lifetime usage has window bounds %v..%v", u.WindowStart, u.ResetAt)
	}
}

// testRollover: daily windows restart at UTC midnight and monthly ones on
// the 1st, while lifetime ones keep counting.
func testRollover(t *testing.T, pair newPair) {
	clock := newFakeClock(time.Date(2025, time.January, 31, 23, 59, 59, 0, time.UTC))
	a, b := pair(t, budget.Options{Clock: clock.Now})
	daily := budget.Budget{Scope: "key:k7", Window: budget.Daily, LimitNano: 10 * usd}
	monthly := budget.Budget{Scope: "key:k7", Window: budget.Monthly, LimitNano: 100 * usd}
	life := budget.Budget{Scope: "key:k7", Window: budget.Lifetime, LimitNano: 1000 * usd}
	all := []budget.Budget{daily, monthly, life}

	if err := a.Charge(context.Background(), all, 10*usd); err != nil {
		t.Fatal(err)
	}
	if _, d := mustReserve(t, b, 1, all...); d.Allowed {
		t.Fatal("a full daily budget admitted a request")
	}
	u := mustStatus(t, a, all...)
	if want := time.Date(2025, time.February, 1, 0, 0, 0, 0, time.UTC); !u[0].ResetAt.Equal(want) || !u[1].ResetAt.Equal(want) {
		t.Errorf("resets %v, %v; want %v", u[0].ResetAt, u[1].ResetAt, want)
	}

	clock.Advance(time.Second) // 2025-02-01 00:00:00 UTC: new day and new month
	res, d := mustReserve(t, b, 4*usd, all...)
	if !d.Allowed {
		t.Fatalf("new day refused: %+v", d.Refused)
	}
	mustSettle(t, a, res, 4*usd)
	u = mustStatus(t, a, all...)
	if u[0].SpentNano != 4*usd || u[1].SpentNano != 4*usd || u[2].SpentNano != 14*usd {
		t.Errorf("spent daily %d monthly %d lifetime %d; want 4, 4, 14 USD", u[0].SpentNano, u[1].SpentNano, u[2].SpentNano)
	}
	if want := time.Date(2025, time.February, 2, 0, 0, 0, 0, time.UTC); !u[0].ResetAt.Equal(want) {
		t.Errorf("daily reset %v; want %v", u[0].ResetAt, want)
	}
	if want := time.Date(2025, time.March, 1, 0, 0, 0, 0, time.UTC); !u[1].ResetAt.Equal(want) {
		t.Errorf("monthly reset %v; want %v", u[1].ResetAt, want)
	}

	// The next day the daily window is fresh but the month remembers.
	clock.Advance(24 * time.Hour)
	u = mustStatus(t, b, all...)
	if u[0].SpentNano != 0 || u[1].SpentNano != 4*usd {
		t.Errorf("next day: daily %d monthly %d; want 0 and 4 USD", u[0].SpentNano, u[1].SpentNano)
	}
}

// testLeak: a reservation never settled (its gateway crashed) stops
// holding money after ReservationTTL; settling it late still records the
// spend without releasing it twice.
func testLeak(t *testing.T, pair newPair) {
	clock := newFakeClock(start)
	a, b := pair(t, budget.Options{Clock: clock.Now, ReservationTTL: time.Minute})
	key := budget.Budget{Scope: "key:k8", Window: budget.Daily, LimitNano: 10 * usd}

	leaked, d := mustReserve(t, a, 8*usd, key)
	if !d.Allowed {
		t.Fatal(d.Refused)
	}
	if want := start.Add(time.Minute); !leaked.Deadline.Equal(want) {
		t.Errorf("deadline %v; want %v", leaked.Deadline, want)
	}
	if _, d := mustReserve(t, b, 8*usd, key); d.Allowed {
		t.Fatal("a live reservation did not hold its money")
	}
	clock.Advance(time.Minute)
	live, d := mustReserve(t, b, 8*usd, key)
	if !d.Allowed {
		t.Fatalf("a lapsed reservation still holds money: %+v", d.Refused)
	}
	if u := mustStatus(t, a, key)[0]; u.ReservedNano != 8*usd {
		t.Errorf("reserved %d; want only the live 8 USD", u.ReservedNano)
	}
	mustSettle(t, a, leaked, usd) // the crashed gateway's request did finish
	u := mustStatus(t, a, key)[0]
	if u.ReservedNano != 8*usd || u.SpentNano != usd {
		t.Errorf("after late settle %+v; want 8 USD still held, 1 USD spent", u)
	}
	mustSettle(t, b, live, 0)
	if u := mustStatus(t, b, key)[0]; u.ReservedNano != 0 || u.SpentNano != usd {
		t.Errorf("after settling all %+v; want nothing held, 1 USD spent", u)
	}
}

// testSeedOnce: at the start of a window many requests find the counter
// missing at once; it is initialised once from the Seeder, never added to
// twice.
func testSeedOnce(t *testing.T, pair newPair) {
	clock := newFakeClock(start)
	var calls atomic.Int64
	seeder := func(ctx context.Context, scope string, windowStart time.Time) (int64, error) {
		calls.Add(1)
		if scope != "key:k9" || !windowStart.Equal(time.Date(2025, time.March, 1, 0, 0, 0, 0, time.UTC)) {
			return 0, errors.New("seeded with the wrong scope or window start")
		}
		time.Sleep(20 * time.Millisecond) // a ledger query: let the others pile up
		return 7 * usd, nil
	}
	a, b := pair(t, budget.Options{Clock: clock.Now, Seeder: seeder})
	key := budget.Budget{Scope: "key:k9", Window: budget.Monthly, LimitNano: 10 * usd}

	var wg sync.WaitGroup
	var admitted atomic.Int64
	errs := make(chan error, 20)
	for i := 0; i < 20; i++ {
		e := a
		if i%2 == 1 {
			e = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, d, err := e.Reserve(context.Background(), []budget.Budget{key}, usd)
			if err != nil {
				errs <- err
			} else if d.Allowed {
				admitted.Add(1)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if admitted.Load() != 3 {
		t.Errorf("admitted %d; want 3 (7 of 10 USD already spent)", admitted.Load())
	}
	if n := calls.Load(); n < 1 || n > 2 {
		t.Errorf("seeder called %d times; want once per engine at most", n)
	}
	if u := mustStatus(t, a, key)[0]; u.SpentNano != 7*usd || u.ReservedNano != 3*usd {
		t.Errorf("usage %+v; want the seed counted once", u)
	}
}

func testSeederError(t *testing.T, pair newPair) {
	clock := newFakeClock(start)
	boom := errors.New("ledger down")
	a, _ := pair(t, budget.Options{Clock: clock.Now, Seeder: func(context.Context, string, time.Time) (int64, error) {
		return 0, boom
	}})
	key := budget.Budget{Scope: "key:k10", Window: budget.Daily, LimitNano: usd}
	if _, _, err := a.Reserve(context.Background(), []budget.Budget{key}, 1); !errors.Is(err, boom) {
		t.Errorf("Reserve error %v; want the seeder's", err)
	}
	if _, err := a.Status(context.Background(), []budget.Budget{key}); !errors.Is(err, boom) {
		t.Errorf("Status error %v; want the seeder's", err)
	}
}

func testCharge(t *testing.T, pair newPair) {
	clock := newFakeClock(start)
	a, b := pair(t, budget.Options{Clock: clock.Now})
	key := budget.Budget{Scope: "key:k11", Window: budget.Daily, LimitNano: usd}
	for i := 0; i < 3; i++ {
		if err := b.Charge(context.Background(), []budget.Budget{key}, usd); err != nil {
			t.Fatal(err)
		}
	}
	u := mustStatus(t, a, key)[0]
	if u.SpentNano != 3*usd || u.RemainingNano != 0 {
		t.Errorf("usage %+v; want 3 USD spent over a 1 USD limit", u)
	}
	if _, d := mustReserve(t, a, 0, key); d.Allowed {
		t.Error("an over-spent hard budget admitted even a free request")
	}
}

// testLateSettle: a settlement for a window whose counters are past their
// retention changes nothing and does not fail.
func testLateSettle(t *testing.T, pair newPair) {
	clock := newFakeClock(start)
	a, _ := pair(t, budget.Options{Clock: clock.Now})
	key := budget.Budget{Scope: "key:k12", Window: budget.Daily, LimitNano: usd}
	res, d := mustReserve(t, a, usd, key)
	if !d.Allowed {
		t.Fatal(d.Refused)
	}
	clock.Advance(72 * time.Hour)
	mustSettle(t, a, res, usd)
	if u := mustStatus(t, a, key)[0]; u.SpentNano != 0 {
		t.Errorf("today's usage %+v; want the old day's settlement kept out", u)
	}
}

func testNoBudgets(t *testing.T, pair newPair) {
	a, _ := pair(t, budget.Options{})
	res, d := mustReserve(t, a, usd)
	if !d.Allowed || res.ID != "" {
		t.Errorf("no budgets: %+v %+v; want admitted with an empty reservation", d, res)
	}
	mustSettle(t, a, res, usd)
	mustSettle(t, a, budget.Reservation{}, 0)
	if u := mustStatus(t, a); len(u) != 0 {
		t.Errorf("Status of nothing: %v", u)
	}
}

func testInvalid(t *testing.T, pair newPair) {
	a, _ := pair(t, budget.Options{})
	ctx := context.Background()
	ok := budget.Budget{Scope: "key:k13", Window: budget.Daily, LimitNano: usd}
	cases := map[string]func() error{
		"negative amount": func() error { _, _, err := a.Reserve(ctx, []budget.Budget{ok}, -1); return err },
		"negative settle": func() error { return a.Settle(ctx, budget.Reservation{}, -1) },
		"negative charge": func() error { return a.Charge(ctx, []budget.Budget{ok}, -1) },
		"unknown window": func() error {
			_, _, err := a.Reserve(ctx, []budget.Budget{{Scope: "key:x", Window: "weekly", LimitNano: 1}}, 1)
			return err
		},
		"unknown policy": func() error {
			_, _, err := a.Reserve(ctx, []budget.Budget{{Scope: "key:x", Window: budget.Daily, LimitNano: 1, Policy: "maybe"}}, 1)
			return err
		},
		"no scope": func() error {
			_, err := a.Status(ctx, []budget.Budget{{Window: budget.Daily, LimitNano: 1}})
			return err
		},
		"negative limit": func() error {
			_, err := a.Status(ctx, []budget.Budget{{Scope: "key:x", Window: budget.Daily, LimitNano: -1}})
			return err
		},
		"listed twice": func() error { _, _, err := a.Reserve(ctx, []budget.Budget{ok, ok}, 1); return err },
	}
	for name, call := range cases {
		if err := call(); !errors.Is(err, budget.ErrInvalid) {
			t.Errorf("%s: error %v; want ErrInvalid", name, err)
		}
	}
}
