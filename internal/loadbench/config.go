package loadbench

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Config configures a benchmark run. DefaultConfig holds the values
// `make bench` uses.
type Config struct {
	// Binary is the switchboard binary to run as simulator and gateway.
	Binary string
	// Warmup is the uncounted start of every run; Duration the measured
	// window after it.
	Warmup, Duration time.Duration
	// Connections is the closed loops' concurrency.
	Connections int
	// Rate is the open loops' arrival rate, requests per second.
	Rate int
	// MaxInFlight bounds the open loops' outstanding requests.
	MaxInFlight int
	// HeldStreams is how many streams the hold scenario keeps open at once.
	HeldStreams int
	// HeldChunkDelay is the simulator's delay between the chunks of a held
	// stream, and HeldChunks about how many content chunks each has: the
	// streams stay open for HeldChunkDelay × HeldChunks.
	HeldChunkDelay time.Duration
	HeldChunks     int
	// HeldRampUp is how long opening all held streams takes.
	HeldRampUp time.Duration
	// Only restricts the run to these scenario names (all when empty).
	Only []string
	// BareProxyBinary, when set, is a program that serves as the bare
	// proxy when run with -BareProxyFlag ADDR -upstream URL (the loadbench
	// command itself): each load scenario then also runs through it, as the
	// reference cost of one HTTP hop on the machine.
	BareProxyBinary string
	// PprofAddr, when set, starts the gateway with its profiler there.
	PprofAddr string
	// Backends are further gateway configurations measured beside the
	// embedded one (the "gateway" target): each runs as its own gateway
	// process, and every load scenario also runs through it.
	Backends []Backend
	// Peers are other gateways (PeerNames) measured beside Switchboard in
	// the same invocation: the load scenarios except the held streams also
	// run through each. One that is not installed or does not start is
	// reported and left out.
	Peers []Peer
	// RedisURL, when set, is the Redis of a backend: the report adds what a
	// bare round trip to it costs at the open loop's rate.
	RedisURL string
	// Dir is where the children's configuration, data and logs go; empty
	// means a temporary directory removed at the end.
	Dir string
	// Progress receives one line per step; nil means none.
	Progress io.Writer
}

// DefaultConfig is the benchmark of the issue: 50 connections, 500
// requests per second, 5,000 held streams, 10 s windows after 2 s of
// warm-up.
func DefaultConfig() Config {
	return Config{
		Warmup:         2 * time.Second,
		Duration:       10 * time.Second,
		Connections:    50,
		Rate:           500,
		MaxInFlight:    2000,
		HeldStreams:    5000,
		HeldChunkDelay: 250 * time.Millisecond,
		HeldChunks:     24,
		HeldRampUp:     2500 * time.Millisecond,
	}
}

// Backend is a gateway configuration that production uses: the embedded
// configuration plus YAML sections (store, redis, ...) that point it at real
// services.
type Backend struct {
	// Name labels its target, as "gateway/NAME".
	Name string
	// YAML is appended to the gateway's configuration file.
	YAML string
	// AddedP50 is the bound on the p50 latency it adds over a direct
	// call at the open loop's rate (0: the embedded gateway's bound).
	AddedP50 time.Duration
	// KeyArgs are extra flags of the "switchboard keys create" that makes
	// its virtual key (limits: --rpm, --tpm, --budget-usd).
	KeyArgs []string
}

func (c *Config) validate() error {
	var errs []error
	if c.Binary == "" {
		errs = append(errs, errors.New("Binary (the switchboard binary) is required"))
	}
	if c.Warmup < 0 || c.Duration <= 0 || c.Duration > time.Hour {
		errs = append(errs, fmt.Errorf("Duration must be in (0, 1h] and Warmup not negative, got %s and %s", c.Duration, c.Warmup))
	}
	if c.Connections <= 0 || c.Connections > 10000 {
		errs = append(errs, fmt.Errorf("Connections must be in 1..10000, got %d", c.Connections))
	}
	if c.Rate <= 0 || c.Rate > 100000 {
		errs = append(errs, fmt.Errorf("Rate must be in 1..100000, got %d", c.Rate))
	}
	if c.MaxInFlight <= 0 {
		errs = append(errs, fmt.Errorf("MaxInFlight must be positive, got %d", c.MaxInFlight))
	}
	if c.HeldStreams < 0 || c.HeldStreams > 50000 || c.HeldChunks <= 0 || c.HeldChunkDelay <= 0 || c.HeldRampUp <= 0 {
		errs = append(errs, errors.New("HeldStreams must be in 0..50000 and HeldChunks, HeldChunkDelay, HeldRampUp positive"))
	}
	seen := map[string]bool{}
	for _, b := range c.Backends {
		if b.Name == "" || seen[b.Name] || strings.ContainsAny(b.Name, " \t/") {
			errs = append(errs, fmt.Errorf("backend names must be unique, non-empty words, got %q", b.Name))
		}
		seen[b.Name] = true
	}
	seenPeer := map[string]bool{}
	for _, p := range c.Peers {
		if !isPeer(p.Name) || seenPeer[p.Name] {
			errs = append(errs, fmt.Errorf("peers must be distinct names among %v, got %q", PeerNames, p.Name))
		}
		seenPeer[p.Name] = true
	}
	for _, name := range c.Only {
		if !slices.Contains(ScenarioNames, name) {
			errs = append(errs, fmt.Errorf("unknown scenario %q (want one of %v)", name, ScenarioNames))
		}
	}
	return errors.Join(errs...)
}

func (c *Config) wants(name string) bool {
	return len(c.Only) == 0 || slices.Contains(c.Only, name)
}

func (c *Config) progress(format string, args ...any) {
	if c.Progress != nil {
		fmt.Fprintf(c.Progress, format+"\n", args...)
	}
}
