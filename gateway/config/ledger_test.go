package config_test

import (
	"errors"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/gateway/config"
)

func TestLedgerDefaults(t *testing.T) {
	cfg, err := config.Parse(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := config.Ledger{QueueSize: 10_000, BatchSize: 500, FlushInterval: 500 * time.Millisecond, WriteTimeout: 10 * time.Second}
	if cfg.Ledger != want {
		t.Errorf("defaults %+v, want %+v", cfg.Ledger, want)
	}
}

func TestLedgerSectionParses(t *testing.T) {
	cfg, err := config.Parse([]byte(`
ledger:
  queue_size: 2000
  batch_size: 100
  flush_interval: 250ms
  write_timeout: 3s
  spool_dir: /var/lib/switchboard/spool
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := config.Ledger{QueueSize: 2000, BatchSize: 100, FlushInterval: 250 * time.Millisecond, WriteTimeout: 3 * time.Second,
		SpoolDir: "/var/lib/switchboard/spool"}
	if cfg.Ledger != want {
		t.Errorf("ledger %+v, want %+v", cfg.Ledger, want)
	}
	// A small queue makes the default batch fit in it.
	small, err := config.Parse([]byte("ledger: {queue_size: 50}"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if small.Ledger.BatchSize != 50 {
		t.Errorf("batch size under a queue of 50: %d", small.Ledger.BatchSize)
	}
}

func TestLedgerErrorsNameTheField(t *testing.T) {
	cases := map[string]string{
		"ledger: {queue_size: -1}":                 "ledger.queue_size",
		"ledger: {batch_size: -5}":                 "ledger.batch_size",
		"ledger: {queue_size: 10, batch_size: 20}": "ledger.batch_size",
		"ledger: {flush_interval: -1s}":            "ledger.flush_interval",
		"ledger: {write_timeout: -1s}":             "ledger.write_timeout",
	}
	for yml, field := range cases {
		_, err := config.Parse([]byte(yml), nil)
		var fe *config.FieldError
		if !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("%s: error %v, want one naming %s", yml, err, field)
		}
	}
	if _, err := config.Parse([]byte("ledger: {queue_sise: 10}"), nil); err == nil {
		t.Error("a misspelt ledger field was accepted")
	}
}
