package e2e_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-gw/switchboard/store/postgres/pgtest"
)

// postgresMeterConfig serves alias "mini" from the in-process simulator
// with the store (and so the spend ledger) in PostgreSQL; extra is more
// YAML (a sim fault, a shutdown timeout).
func postgresMeterConfig(extra string) string {
	return `
defaults: {demo: false, env_providers: false}
store: {driver: postgres, dsn: env:METER_DATABASE_URL, connect_timeout: 1s, lookup_timeout: 500ms}
ledger: {flush_interval: 50ms, write_timeout: 2s}
providers:
  sim: {kind: sim}
deployments:
  mini: {provider: sim, model: gpt-4o-mini}
aliases:
  mini: {deployments: [mini]}
` + extra
}

// load sends requests from workers until stopped, and keeps the request id
// of every one that was answered: each consumed tokens exactly once.
type load struct {
	g      *meterServe
	secret string
	stream bool
	text   string

	mu       sync.Mutex
	answered map[string]bool
	done     atomic.Int64
	failures atomic.Int64
	stop     chan struct{}
	wg       sync.WaitGroup
}

func startLoad(g *meterServe, secret string, workers int, stream bool, text string) *load {
	l := &load{g: g, secret: secret, stream: stream, text: text, answered: map[string]bool{}, stop: make(chan struct{})}
	for range workers {
		l.wg.Go(l.work)
	}
	return l
}

func (l *load) work() {
	for {
		select {
		case <-l.stop:
			return
		default:
		}
		resp, err := l.g.shimRequest(context.Background(), l.secret, chatRequest("mini", l.text, l.stream))
		if err != nil {
			// The gateway has stopped listening (SIGTERM): nothing reached it.
			l.failures.Add(1)
			select {
			case <-l.stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			l.failures.Add(1)
			continue
		}
		if l.stream && !strings.Contains(string(body), "data: [DONE]") {
			l.failures.Add(1)
		}
		l.mu.Lock()
		l.answered[resp.Header.Get("X-Request-Id")] = true
		l.mu.Unlock()
		l.done.Add(1)
	}
}

// await waits until n more requests have been answered.
func (l *load) await(t *testing.T, n int64) {
	t.Helper()
	target := l.done.Load() + n
	for deadline := time.Now().Add(2 * time.Minute); l.done.Load() < target; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the load stalled at %d answered requests (%d failures)", l.done.Load(), l.failures.Load())
		}
	}
}

func (l *load) finish() map[string]bool {
	close(l.stop)
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.answered
}

// ledgerRows returns how many rows the spend table holds for each
// (request id, attempt), read straight from PostgreSQL.
func ledgerRows(t *testing.T, dsn string) (map[string]int, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT request_id, attempt, count(*) FROM spend GROUP BY request_id, attempt`)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for rows.Next() {
		var id string
		var attempt, n int
		if err := rows.Scan(&id, &attempt, &n); err != nil {
			return nil, err
		}
		if attempt != 1 {
			t.Errorf("request %s has an attempt %d; the load's requests make one each", id, attempt)
		}
		out[id] += n
	}
	return out, rows.Err()
}

// ledgerMatches waits until the spend table holds exactly one row per
// answered request, and reports what is missing, doubled or unexpected.
func ledgerMatches(t *testing.T, dsn string, answered map[string]bool) {
	t.Helper()
	var got map[string]int
	var err error
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if got, err = ledgerRows(t, dsn); err == nil && len(got) >= len(answered) {
			break
		}
	}
	if err != nil {
		t.Fatalf("reading the ledger: %v", err)
	}
	missing, doubled, unexpected := 0, 0, 0
	for id := range answered {
		switch n := got[id]; {
		case n == 0:
			missing++
		case n > 1:
			doubled++
		}
	}
	for id := range got {
		if !answered[id] {
			unexpected++
		}
	}
	if missing+doubled+unexpected > 0 {
		t.Fatalf("%d requests answered, %d in the ledger: %d missing, %d doubled, %d unknown", len(answered), len(got), missing, doubled, unexpected)
	}
	t.Logf("%d requests answered, exactly one ledger row each", len(answered))
}

// PostgreSQL stops under a load of a few thousand requests and comes back;
// later it stops again and the gateway is shut down before it returns.
// The gateway serves throughout, spools what the database cannot take,
// replays it in order, and the next start replays what the last one left:
// the ledger ends with exactly one row per request, none missing, none
// doubled.
func TestLedgerLosesNothingWhenPostgresGoesAway(t *testing.T) {
	pg := pgtest.StartServer(t)
	env := map[string]string{"METER_DATABASE_URL": pg.DSN}
	dataDir := t.TempDir()
	g := serveInProcess(t, postgresMeterConfig(""), dataDir, env)
	_, secret := g.newKey(t, "load")

	// The database goes away under load, and comes back: the writer spools,
	// then replays while the gateway keeps serving.
	const text = "Count this request, exactly once."
	l := startLoad(g, secret, 4, false, text)
	l.await(t, 1200)
	pg.Stop(t)
	l.await(t, 600) // served during the outage: their records go to the spool
	pg.Start(t)
	l.await(t, 1200) // the spool replays while new records queue behind it
	answered := l.finish()
	failed := l.failures.Load()
	ledgerMatches(t, pg.DSN, answered)
	if err := g.shutdown(t); err != nil {
		t.Fatalf("serve: %v\n%s", err, g.logs)
	}

	// The database goes away again, and the gateway is shut down before it
	// returns: the records go to the spool, which the next start replays.
	g = serveInProcess(t, postgresMeterConfig(""), dataDir, env)
	l = startLoad(g, secret, 1, false, text)
	l.await(t, 1) // the key is verified, and cached, while the database is up
	pg.Stop(t)
	l.await(t, 50)
	for id := range l.finish() {
		answered[id] = true
	}
	failed += l.failures.Load()
	if err := g.shutdown(t); err != nil {
		t.Fatalf("serve: %v\n%s", err, g.logs)
	}
	if !strings.Contains(g.logs.String(), "are in the spool and will be replayed at the next start") {
		t.Errorf("the shutdown during the outage did not report the spooled records:\n%s", tail(g.logs.String()))
	}
	pg.Start(t)
	serveInProcess(t, postgresMeterConfig(""), dataDir, env)
	ledgerMatches(t, pg.DSN, answered)
	if failed != 0 {
		t.Errorf("%d requests failed; the ledger's outage must not fail requests", failed)
	}
}

// SIGTERM under a load of streams: the server drains the streams in
// flight, then the ledger is flushed, so every answered stream is charged
// once, and the process says so.
func TestSIGTERMDuringLoadChargesEveryStream(t *testing.T) {
	dsn := pgtest.NewSchema(t)
	g := serveBinary(t, postgresMeterConfig("server: {shutdown_timeout: 60s}\n"), t.TempDir(), map[string]string{"METER_DATABASE_URL": dsn})
	_, secret := g.newKey(t, "load")
	l := startLoad(g, secret, 8, true, "Stream a long answer, slowly. [[sim chunk_delay=10ms]]")
	l.await(t, 60)
	g.stop() // SIGTERM, with streams in flight
	if err := <-g.exited; err != nil {
		t.Fatalf("switchboard serve exited with %v:\n%s", err, tail(g.logs.String()))
	}
	g.exited = nil
	answered := l.finish()
	if !strings.Contains(g.logs.String(), "every spend record is in the database") {
		t.Errorf("the shutdown did not report a flushed ledger:\n%s", tail(g.logs.String()))
	}
	ledgerMatches(t, dsn, answered)
}

func tail(s string) string {
	if len(s) > 3000 {
		return s[len(s)-3000:]
	}
	return s
}
