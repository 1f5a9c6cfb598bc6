package sim_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/providers/sim"
)

const anthBenchBody = `{"model":"claude-sonnet-4-5","max_tokens":1024,"system":"You are a helpful assistant.","messages":[{"role":"user","content":"Write a short answer about gateways, please."}]}`

// BenchmarkAnthropicMessages measures the dialect's own cost per answer,
// unary and streamed, calling the handler directly.
func BenchmarkAnthropicMessages(b *testing.B) {
	for _, c := range []struct{ name, body string }{
		{"unary", anthBenchBody},
		{"stream", strings.Replace(anthBenchBody, `"max_tokens"`, `"stream":true,"max_tokens"`, 1)},
	} {
		b.Run(c.name, func(b *testing.B) {
			s := sim.New(sim.Options{})
			req, _ := http.NewRequest(http.MethodPost, "http://sim/v1/messages", nil)
			req.Header.Set("Anthropic-Version", "2023-06-01")
			w := &discardWriter{header: http.Header{}}
			rd := strings.NewReader(c.body)
			req.Body = io.NopCloser(rd)
			b.ReportAllocs()
			for b.Loop() {
				rd.Reset(c.body)
				clear(w.header)
				w.status = 0
				s.ServeHTTP(w, req)
				if w.status != http.StatusOK {
					b.Fatalf("status %d", w.status)
				}
			}
			b.ReportMetric(float64(w.n)/float64(b.N), "B/resp")
		})
	}
}
