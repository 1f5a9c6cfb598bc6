package loadbench

import "fmt"

// ProductionBackends returns the production configurations to measure
// beside the embedded one, for the services that are given: with a
// PostgreSQL DSN, a gateway whose keys, teams and users live in PostgreSQL
// (verification stays in memory: the targets still apply).
func ProductionBackends(postgresDSN string) []Backend {
	var out []Backend
	if postgresDSN != "" {
		out = append(out, Backend{Name: "postgres", YAML: fmt.Sprintf("store:\n  driver: postgres\n  dsn: %q\n", postgresDSN)})
	}
	return out
}
