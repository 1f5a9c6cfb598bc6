package config

import (
	"time"
)

// Defaults of the ledger section: the spend ledger's writer
// (billing/ledger).
const (
	DefaultLedgerQueueSize     = 10_000
	DefaultLedgerBatchSize     = 500
	DefaultLedgerFlushInterval = 500 * time.Millisecond
	DefaultLedgerWriteTimeout  = 10 * time.Second
	// DefaultLedgerSpoolDir is the spool's directory under the data
	// directory.
	DefaultLedgerSpoolDir = "spool"
)

// Ledger configures the spend ledger: one record per provider attempt
// that consumed tokens, written in batches off the request path to the
// store that store.driver selects (PostgreSQL, or the SQLite file), and
// spooled to local disk while that store is unreachable.
type Ledger struct {
	// QueueSize bounds the records waiting in memory (default 10000); past
	// it they are written to the spool at once rather than dropped.
	QueueSize int `yaml:"queue_size"`
	// BatchSize is the most records per database write (default 500, at
	// most queue_size).
	BatchSize int `yaml:"batch_size"`
	// FlushInterval is how long a record may wait for its batch to fill
	// (default 500ms).
	FlushInterval time.Duration `yaml:"flush_interval"`
	// WriteTimeout bounds one batch write (default 10s); a write that times
	// out is spooled and retried.
	WriteTimeout time.Duration `yaml:"write_timeout"`
	// SpoolDir is the spool's directory (default DATA_DIR/spool). Each
	// gateway process needs its own.
	SpoolDir string `yaml:"spool_dir"`
}

func (c *Config) applyLedgerDefaults() {
	l := &c.Ledger
	if l.QueueSize == 0 {
		l.QueueSize = DefaultLedgerQueueSize
	}
	if l.BatchSize == 0 {
		l.BatchSize = min(DefaultLedgerBatchSize, l.QueueSize)
	}
	if l.FlushInterval == 0 {
		l.FlushInterval = DefaultLedgerFlushInterval
	}
	if l.WriteTimeout == 0 {
		l.WriteTimeout = DefaultLedgerWriteTimeout
	}
}

func (c *Config) validateLedger() error {
	l := c.Ledger
	switch {
	case l.QueueSize < 0:
		return fieldErr("ledger.queue_size", "must be positive, got %d", l.QueueSize)
	case l.BatchSize < 0:
		return fieldErr("ledger.batch_size", "must be positive, got %d", l.BatchSize)
	case l.QueueSize > 0 && l.BatchSize > l.QueueSize:
		return fieldErr("ledger.batch_size", "%d is more than ledger.queue_size (%d)", l.BatchSize, l.QueueSize)
	case l.FlushInterval < 0:
		return fieldErr("ledger.flush_interval", "must be positive, got %s", l.FlushInterval)
	case l.WriteTimeout < 0:
		return fieldErr("ledger.write_timeout", "must be positive, got %s", l.WriteTimeout)
	}
	return nil
}
