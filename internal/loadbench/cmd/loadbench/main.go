// Command loadbench runs Switchboard's side-by-side load benchmark (what
// `make bench` runs): the OpenAI-wire simulator directly, then a bare
// reference proxy and the real gateway in front of it, under the same
// loads, and prints one table. (It also serves as that bare proxy, started
// by itself with -serve-bare-proxy.)
//
//	loadbench -bin bin/switchboard [-duration 10s] [-warmup 2s] [-only unary-open,stream-open]
//	          [-postgres-dsn postgres://...] [-redis-url redis://...]
//	          [-peers portkey,litellm -portkey-bin PATH -litellm-bin PATH]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/switchboard-gw/switchboard/internal/loadbench"
)

func main() {
	cfg := loadbench.DefaultConfig()
	flag.StringVar(&cfg.Binary, "bin", "bin/switchboard", "the switchboard binary (runs the simulator and the gateway)")
	flag.DurationVar(&cfg.Warmup, "warmup", cfg.Warmup, "uncounted warm-up of every run")
	flag.DurationVar(&cfg.Duration, "duration", cfg.Duration, "measured window of every run")
	flag.IntVar(&cfg.Connections, "connections", cfg.Connections, "concurrency of the closed loops")
	flag.IntVar(&cfg.Rate, "rate", cfg.Rate, "arrival rate of the open loops, requests per second")
	flag.IntVar(&cfg.HeldStreams, "held-streams", cfg.HeldStreams, "streams held open at once (0: skip)")
	flag.DurationVar(&cfg.HeldChunkDelay, "held-chunk-delay", cfg.HeldChunkDelay, "simulator delay between the chunks of a held stream")
	flag.IntVar(&cfg.HeldChunks, "held-chunks", cfg.HeldChunks, "content chunks per held stream")
	flag.DurationVar(&cfg.HeldRampUp, "held-ramp-up", cfg.HeldRampUp, "time to open all held streams")
	only := flag.String("only", "", "comma-separated scenarios to run: "+strings.Join(loadbench.ScenarioNames, ", ")+" (default all)")
	flag.StringVar(&cfg.PprofAddr, "gateway-pprof", "", "start the gateway with its profiler on this address, e.g. 127.0.0.1:6060")
	flag.StringVar(&cfg.Dir, "dir", "", "keep the children's configuration, data and logs here (default: a temporary directory)")
	postgresDSN := flag.String("postgres-dsn", "", "also measure a gateway whose store is this PostgreSQL database (a DSN without a password)")
	redisURL := flag.String("redis-url", "", "with -postgres-dsn, also measure a gateway whose rate limits, budgets and idempotency keys are in this Redis")
	peerList := flag.String("peers", "", "comma-separated peer gateways to measure too: "+strings.Join(loadbench.PeerNames, ", ")+
		" (default none; make bench-peers installs them and passes their executables)")
	portkeyBin := flag.String("portkey-bin", "", "with -peers portkey: Portkey's server (node_modules/.bin/gateway of @portkey-ai/gateway)")
	litellmBin := flag.String("litellm-bin", "", "with -peers litellm: LiteLLM's proxy (bin/litellm of a virtualenv with litellm[proxy])")
	quiet := flag.Bool("quiet", false, "no progress lines")
	noProxy := flag.Bool("no-bare-proxy", false, "do not run the scenarios through the bare reference proxy")
	proxyAddr := flag.String(loadbench.BareProxyFlag, "", "internal: run as the bare proxy on this address")
	proxyUpstream := flag.String("upstream", "", "internal: the bare proxy's upstream")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *proxyAddr != "" {
		if err := loadbench.ServeBareProxy(ctx, *proxyAddr, *proxyUpstream); err != nil {
			fmt.Fprintln(os.Stderr, "loadbench bare proxy:", err)
			os.Exit(1)
		}
		return
	}
	if !*noProxy {
		self, err := os.Executable()
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadbench: cannot find its own executable for the bare proxy:", err)
			os.Exit(1)
		}
		cfg.BareProxyBinary = self
	}
	cfg.Backends = loadbench.ProductionBackends(*postgresDSN, *redisURL)
	if *postgresDSN != "" {
		cfg.RedisURL = *redisURL
	}
	if *only != "" {
		cfg.Only = strings.Split(*only, ",")
	}
	peers, err := loadbench.ParsePeers(*peerList, map[string]string{loadbench.PeerPortkey: *portkeyBin, loadbench.PeerLiteLLM: *litellmBin})
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadbench: -peers:", err)
		os.Exit(2)
	}
	cfg.Peers = peers
	if !*quiet {
		cfg.Progress = os.Stderr
	}

	rep, err := loadbench.Run(ctx, cfg)
	if rep != nil && (len(rep.Runs) > 0 || len(rep.Held) > 0) {
		rep.Print(os.Stdout)
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintln(os.Stderr, "loadbench: interrupted")
		} else {
			fmt.Fprintln(os.Stderr, "loadbench:", err)
		}
		os.Exit(1)
	}
}
