package gateway_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/switchboard-gw/switchboard/billing/ledger"
	"github.com/switchboard-gw/switchboard/billing/meter"
	"github.com/switchboard-gw/switchboard/gateway"
	"github.com/switchboard-gw/switchboard/gateway/config"
	"github.com/switchboard-gw/switchboard/llm"
)

type discardSpend struct{}

func (discardSpend) WriteSpend(context.Context, []ledger.Record) error { return nil }

// benchGateways returns the metered configuration's gateway without and
// with a meter writing to a real ledger.Writer (over a store that keeps
// nothing: the store's own cost is BenchmarkWriteSpend's).
func benchGateways(b *testing.B) map[string]*gateway.Gateway {
	cfg, err := config.Parse([]byte(meteredYAML), nil)
	if err != nil {
		b.Fatal(err)
	}
	plain, err := gateway.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	w, err := ledger.NewWriter(discardSpend{}, ledger.WriterOptions{SpoolDir: b.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { w.Close(context.Background()) })
	metered, err := gateway.New(cfg, gateway.WithMeter(meter.New(meter.Options{Records: w})))
	if err != nil {
		b.Fatal(err)
	}
	return map[string]*gateway.Gateway{"unmetered": plain, "metered": metered}
}

// BenchmarkMeteringOverhead compares a request through the gateway (the
// in-process simulator behind the real OpenAI translator) without and
// with metering: the difference is what metering adds on the request's
// path.
func BenchmarkMeteringOverhead(b *testing.B) {
	for _, name := range []string{"unmetered", "metered"} {
		g := benchGateways(b)[name]
		ctx := llm.WithRequestID(context.Background(), "req_bench")
		b.Run("complete/"+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := g.Complete(ctx, caller, userReq("mini", "hello there")); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("stream/"+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s, err := g.Stream(ctx, caller, userReq("mini", "hello there"))
				if err != nil {
					b.Fatal(err)
				}
				for {
					if _, err := s.Recv(); errors.Is(err, io.EOF) {
						break
					} else if err != nil {
						b.Fatal(err)
					}
				}
				s.Close()
			}
		})
	}
}
