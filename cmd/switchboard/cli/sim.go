package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/switchboard-gw/switchboard/providers/sim"
)

// simulate runs the provider simulator on its own port: the "direct"
// baseline of the load benchmark, and a stand-in upstream for experiments.
func simulate(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("sim", e)
	addr := fs.String("addr", "127.0.0.1:9090", "listen address")
	latency := fs.Duration("latency", 0, "delay before a unary response")
	ttft := fs.Duration("ttft", 0, "delay before the first streamed chunk")
	gap := fs.Duration("inter-chunk-delay", 0, "delay between streamed chunks")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	s := sim.New(sim.Options{Latency: *latency, TTFT: *ttft, InterChunkDelay: *gap})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	hs.Protocols = &protocols
	fmt.Fprintf(e.stdout, "switchboard simulator listening on http://%s/v1\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
