package loadbench

import (
	"fmt"
	"time"
)

// ProductionBackends returns the production configurations to measure
// beside the embedded one, for the services that are given:
//
//   - with a PostgreSQL DSN, "postgres": a gateway whose keys, teams and
//     users live in PostgreSQL (verification stays in memory: the issue's
//     targets still apply), and so does its spend ledger, which follows
//     store.driver: every attempt is metered into PostgreSQL, in batches
//     off the request path (the embedded configuration meters into its
//     SQLite file);
//   - with a PostgreSQL DSN and a Redis URL, "redis": the same store, and
//     rate limits, budgets and idempotency keys in Redis, the virtual key
//     limited in requests and tokens per minute and under a budget, all set
//     high enough never to refuse, so that every request pays for the
//     checks (one rate-limit check, one reservation and one settlement in
//     Redis) and none is refused. Its bound is the issue's: 400µs added at
//     p50.
func ProductionBackends(postgresDSN, redisURL string) []Backend {
	var out []Backend
	if postgresDSN == "" {
		return out
	}
	store := fmt.Sprintf("store:\n  driver: postgres\n  dsn: %q\n", postgresDSN)
	out = append(out, Backend{Name: "postgres", YAML: store})
	if redisURL != "" {
		out = append(out, Backend{
			Name:     "redis",
			YAML:     store + fmt.Sprintf("redis:\n  url: %q\n  key_prefix: \"loadbench:\"\n", redisURL),
			KeyArgs:  []string{"--rpm", "10000000", "--tpm", "10000000000", "--budget-usd", "1000000"},
			AddedP50: 400 * time.Microsecond,
		})
	}
	return out
}
