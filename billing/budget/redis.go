package budget

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is the Engine shared by several gateway instances. Each operation
// is one Lua script (plus, the first time a window is used, one Seeder call
// and one seeding script), so instances never overspend between them.
type Redis struct {
	client redis.UniversalClient
	prefix string
	opts   Options
	seeds  flight
}

// NewRedis returns an engine keeping its counters in Redis. keyPrefix
// starts every key (the configuration's redis.key_prefix, e.g.
// "switchboard:"); keys are keyPrefix + "{budget}:" + scope + ":" + window.
// The hash tag puts every budget in one Redis Cluster slot, as a script
// touching several budgets requires. Engines that share a Redis and a
// prefix share budgets.
func NewRedis(client redis.UniversalClient, keyPrefix string, opts Options) *Redis {
	return &Redis{client: client, prefix: keyPrefix, opts: opts.withDefaults()}
}

var _ Engine = (*Redis)(nil)

// Reserve implements Engine.
func (r *Redis) Reserve(ctx context.Context, budgets []Budget, amountNano int64) (Reservation, Decision, error) {
	call, err := r.prepareReserve(budgets, amountNano)
	if err != nil || len(budgets) == 0 {
		return Reservation{}, Decision{Allowed: err == nil}, err
	}
	reply, err := r.run(ctx, reserveScript, call.windows, call.argv)
	if err != nil {
		return Reservation{}, Decision{}, err
	}
	return call.decide(reply)
}

// reserveCall is a Reserve's script call, and what its reply is read with.
type reserveCall struct {
	reserveRequest
	budgets []Budget
	amount  int64
	argv    []any
}

// prepareReserve checks a Reserve's arguments and builds its call (none
// when budgets is empty).
func (r *Redis) prepareReserve(budgets []Budget, amountNano int64) (reserveCall, error) {
	rq, err := r.opts.prepareReserve(budgets, amountNano)
	if err != nil || len(budgets) == 0 {
		return reserveCall{}, err
	}
	now := rq.now
	argv := make([]any, 0, 4+3*len(budgets))
	argv = append(argv, now.UnixMilli(), rq.id, rq.deadline.UnixMilli(), amountNano)
	for i, b := range budgets {
		refuses := 0
		if b.refuses() {
			refuses = 1
		}
		argv = append(argv, b.LimitNano, refuses, ttlMillis(rq.windows[i], now))
	}
	return reserveCall{reserveRequest: rq, budgets: budgets, amount: amountNano, argv: argv}, nil
}

// decide reads the reserve script's reply.
func (c reserveCall) decide(reply []any) (Reservation, Decision, error) {
	budgets, windows := c.budgets, c.windows
	if reply[0] == "refused" {
		if len(reply) != 4 {
			return Reservation{}, Decision{}, fmt.Errorf("budget: unexpected reply from Redis: %v", reply)
		}
		i, ok := reply[1].(int64)
		if !ok || i < 1 || int(i) > len(budgets) {
			return Reservation{}, Decision{}, fmt.Errorf("budget: unexpected reply from Redis: %v", reply)
		}
		spent, reserved, err := counterPair(reply[2], reply[3])
		if err != nil {
			return Reservation{}, Decision{}, err
		}
		u := usage(budgets[i-1], windows[i-1], spent, reserved)
		return Reservation{}, Decision{Refused: &u}, nil
	}
	if len(reply) != 1+2*len(budgets) {
		return Reservation{}, Decision{}, fmt.Errorf("budget: unexpected reply from Redis: %v", reply)
	}
	decision := Decision{Allowed: true}
	for i, b := range budgets {
		spent, reserved, err := counterPair(reply[1+2*i], reply[2+2*i])
		if err != nil {
			return Reservation{}, Decision{}, err
		}
		if !fits(b, spent, reserved, c.amount) {
			decision.Over = append(decision.Over, usage(b, windows[i], spent, reserved))
		}
	}
	return Reservation{ID: c.id, AmountNano: c.amount, Deadline: c.deadline, windows: windows}, decision, nil
}

// Settle implements Engine.
func (r *Redis) Settle(ctx context.Context, res Reservation, actualNano int64) error {
	call, err := r.prepareSettle(res, actualNano)
	if err != nil || len(call.windows) == 0 {
		return err
	}
	_, err = r.run(ctx, settleScript, call.windows, call.argv)
	return err
}

// Charge implements Engine.
func (r *Redis) Charge(ctx context.Context, budgets []Budget, amountNano int64) error {
	if err := checkAmount(amountNano); err != nil {
		return err
	}
	now := r.opts.now()
	windows, err := validate(budgets, now)
	if err != nil || len(windows) == 0 {
		return err
	}
	call := addSpent(windows, now, "", amountNano)
	_, err = r.run(ctx, settleScript, call.windows, call.argv)
	return err
}

// spendCall is a call of the settle script: add to spent, releasing a
// reservation when it names one.
type spendCall struct {
	windows []window
	argv    []any
}

// prepareSettle checks a Settle's arguments and builds its call (no
// windows for the zero Reservation, or one whose windows have all closed).
func (r *Redis) prepareSettle(res Reservation, actualNano int64) (spendCall, error) {
	if err := checkAmount(actualNano); err != nil {
		return spendCall{}, err
	}
	now := r.opts.now()
	return addSpent(open(res.windows, now), now, res.ID, actualNano), nil
}

func addSpent(windows []window, now time.Time, id string, amountNano int64) spendCall {
	argv := make([]any, 0, 2+len(windows))
	argv = append(argv, id, amountNano)
	for _, w := range windows {
		argv = append(argv, ttlMillis(w, now))
	}
	return spendCall{windows: windows, argv: argv}
}

// Status implements Engine.
func (r *Redis) Status(ctx context.Context, budgets []Budget) ([]Usage, error) {
	now := r.opts.now()
	windows, err := validate(budgets, now)
	if err != nil {
		return nil, err
	}
	if len(budgets) == 0 {
		return []Usage{}, nil
	}
	reply, err := r.run(ctx, statusScript, windows, []any{now.UnixMilli()})
	if err != nil {
		return nil, err
	}
	if len(reply) != 1+2*len(budgets) {
		return nil, fmt.Errorf("budget: unexpected reply from Redis: %v", reply)
	}
	out := make([]Usage, len(budgets))
	for i, b := range budgets {
		spent, reserved, err := counterPair(reply[1+2*i], reply[2+2*i])
		if err != nil {
			return nil, err
		}
		out[i] = usage(b, windows[i], spent, reserved)
	}
	return out, nil
}

// run runs script over windows' keys, seeding the windows it reports
// missing and running it again.
func (r *Redis) run(ctx context.Context, script *redis.Script, windows []window, argv []any) ([]any, error) {
	keys := r.keys(windows)
	for attempt := 0; attempt < 3; attempt++ {
		reply, err := script.Run(ctx, r.client, keys, argv...).Slice()
		again, err := r.seedMissing(ctx, windows, reply, err)
		if err != nil {
			return nil, err
		}
		if !again {
			return reply, nil
		}
	}
	return nil, errCounterGone
}

// seedMissing reads a script's reply (or the failure to get one): when it
// reports counters missing ("seed"), it seeds them, and again tells the
// caller to run the script again.
func (r *Redis) seedMissing(ctx context.Context, windows []window, reply []any, err error) (again bool, _ error) {
	if err != nil {
		return false, fmt.Errorf("budget: redis: %w", err)
	}
	if len(reply) == 0 {
		return false, fmt.Errorf("budget: empty reply from Redis")
	}
	if reply[0] != "seed" {
		return false, nil
	}
	for _, v := range reply[1:] {
		i, ok := v.(int64)
		if !ok || i < 1 || int(i) > len(windows) {
			return false, fmt.Errorf("budget: unexpected reply from Redis: %v", reply)
		}
		if err := r.seed(ctx, windows[i-1]); err != nil {
			return false, err
		}
	}
	return true, nil
}

// seed creates w's counter from the Seeder unless it exists. Concurrent
// callers in this process share one Seeder call; callers in other
// processes may call theirs too, but the seeding script keeps only the
// first value stored.
func (r *Redis) seed(ctx context.Context, w window) error {
	keys := r.keys([]window{w})
	return r.seeds.do(ctx, w.name(), func(ctx context.Context) error {
		n, err := r.client.Exists(ctx, keys[0]).Result()
		if err != nil {
			return fmt.Errorf("budget: redis: %w", err)
		}
		if n == 1 {
			return nil
		}
		spent, err := r.opts.seed(ctx, w)
		now := r.opts.now()
		if err != nil {
			return err
		}
		if err := seedScript.Run(ctx, r.client, keys, spent, ttlMillis(w, now)).Err(); err != nil {
			return fmt.Errorf("budget: redis: %w", err)
		}
		return nil
	})
}

// keys returns the hash and reservation-set keys of each window.
func (r *Redis) keys(windows []window) []string {
	keys := make([]string, 0, 2*len(windows))
	for _, w := range windows {
		base := r.prefix + "{budget}:" + w.scope + ":" + w.id
		keys = append(keys, base, base+":holds")
	}
	return keys
}

// ttlMillis is how long w's counters must still be kept at now, in ms; 0
// means forever. Callers only write windows that are not closed, so it is
// positive.
func ttlMillis(w window, now time.Time) int64 {
	at := w.expireAt()
	if at.IsZero() {
		return 0
	}
	return max(at.Sub(now).Milliseconds(), 1)
}

func counterPair(spentV, reservedV any) (spent, reserved int64, err error) {
	if spent, err = counter(spentV); err == nil {
		reserved, err = counter(reservedV)
	}
	return spent, reserved, err
}

func counter(v any) (int64, error) {
	s, ok := v.(string)
	if !ok {
		return 0, fmt.Errorf("budget: unexpected counter from Redis: %v", v)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("budget: unexpected counter from Redis: %q", s)
	}
	return n, nil
}
