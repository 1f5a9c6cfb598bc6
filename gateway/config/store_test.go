package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/gateway/config"
)

func TestStoreDefaults(t *testing.T) {
	cfg, err := config.Parse(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Store
	if s.Driver != config.StoreSQLite || !s.MigrateOnStartEnabled() || s.CacheTTL != 30*time.Second ||
		s.MaxStaleness != time.Hour || s.LookupTimeout != 2*time.Second || s.LastUsedFlushInterval != 10*time.Second {
		t.Errorf("defaults: %+v", s)
	}
	if f := cfg.Auth.FailedAuth; f.MaxFailures != 60 || f.Window != time.Minute {
		t.Errorf("failed_auth defaults: %+v", f)
	}
}

func TestStoreSectionParses(t *testing.T) {
	cfg, err := config.Parse([]byte(`
store:
  driver: postgres
  dsn: env:DATABASE_URL
  migrate_on_start: false
  max_conns: 20
  min_conns: 2
  cache_ttl: 10s
  max_staleness: 30m
auth:
  failed_auth: {max_failures: 5, window: 30s}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s := cfg.Store; s.Driver != "postgres" || s.DSN != "env:DATABASE_URL" || s.MigrateOnStartEnabled() || s.MaxConns != 20 ||
		s.CacheTTL != 10*time.Second || s.MaxStaleness != 30*time.Minute {
		t.Errorf("store: %+v", s)
	}
	if f := cfg.Auth.FailedAuth; f.MaxFailures != 5 || f.Window != 30*time.Second {
		t.Errorf("failed_auth: %+v", f)
	}
}

func TestStoreSectionErrorsNameTheField(t *testing.T) {
	cases := map[string]string{
		"store: {driver: mysql}":                                         "store.driver",
		"store: {driver: postgres}":                                      "store.dsn",
		"store: {driver: postgres, dsn: 'postgres://u:pw@h/db'}":         "store.dsn",
		"store: {driver: postgres, dsn: 'host=h password=pw'}":           "store.dsn",
		"store: {driver: postgres, dsn: 'hunter2'}":                      "store.dsn",
		"store: {driver: sqlite, dsn: env:DATABASE_URL}":                 "store.dsn",
		"store: {driver: postgres, dsn: env:X, path: /tmp/x.db}":         "store.path",
		"store: {cache_ttl: 1m, max_staleness: 30s}":                     "store.max_staleness",
		"store: {cache_ttl: -1s}":                                        "store.cache_ttl",
		"store: {max_conns: 2, min_conns: 3}":                            "store.min_conns",
		"auth: {failed_auth: {max_failures: -2}}":                        "auth.failed_auth.max_failures",
		"store: {driver: postgres, dsn: 'postgres://u@h/db?password=x'}": "store.dsn",
	}
	for yaml, field := range cases {
		_, err := config.Parse([]byte(yaml), nil)
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: %v, want an error naming %s", yaml, err, field)
		}
		if err != nil && (strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), ":pw@")) {
			t.Errorf("%s: the error repeats a secret: %v", yaml, err)
		}
	}
	for _, ok := range []string{
		"store: {driver: postgres, dsn: 'postgres://switchboard@db.internal:5432/switchboard'}",
		"store: {driver: postgres, dsn: 'host=/var/run/postgresql dbname=switchboard'}",
		"auth: {failed_auth: {max_failures: -1}}",
	} {
		if _, err := config.Parse([]byte(ok), nil); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}
