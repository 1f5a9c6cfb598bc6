package sim_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/providers/sim"
)

const benchGeminiBody = `{"systemInstruction":{"parts":[{"text":"You are a helpful assistant."}]},"contents":[{"role":"user","parts":[{"text":"Write a short answer about gateways, please."}]}]}`

// BenchmarkGeminiDialect measures the Gemini dialect's handler, unary and
// alt=sse, called directly (no sockets).
func BenchmarkGeminiDialect(b *testing.B) {
	s := sim.New(sim.Options{})
	for _, c := range []struct{ name, path string }{
		{"unary", "http://sim/v1beta/models/sim-chat:generateContent"},
		{"stream", "http://sim/v1beta/models/sim-chat:streamGenerateContent?alt=sse"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			req, _ := http.NewRequest(http.MethodPost, c.path, nil)
			w := &discardWriter{header: http.Header{}}
			rd := strings.NewReader(benchGeminiBody)
			req.Body = io.NopCloser(rd)
			for b.Loop() {
				rd.Reset(benchGeminiBody)
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
