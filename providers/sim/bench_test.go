package sim_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/providers/sim"
)

// The simulator is the "direct" baseline of the gateway's load benchmarks,
// so its own cost must stay small. These benchmarks call the handler
// directly (no sockets), serially and on all cores, and through Transport.

const benchChatBody = `{"model":"sim-chat","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Write a short answer about gateways, please."}]}`

const benchStreamBody = `{"model":"sim-chat","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Write a short answer about gateways, please."}]}`

// discardWriter is the cheapest ResponseWriter that still streams.
type discardWriter struct {
	header http.Header
	status int
	n      int
}

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) WriteHeader(code int)        { d.status = code }
func (d *discardWriter) Write(p []byte) (int, error) { d.n += len(p); return len(p), nil }
func (d *discardWriter) Flush()                      {}

func benchHandler(b *testing.B, body string) {
	s := sim.New(sim.Options{})
	b.Run("handler", func(b *testing.B) {
		b.ReportAllocs()
		req, _ := http.NewRequest(http.MethodPost, "http://sim/v1/chat/completions", nil)
		w := &discardWriter{header: http.Header{}}
		rd := strings.NewReader(body)
		req.Body = io.NopCloser(rd)
		for b.Loop() {
			rd.Reset(body)
			clear(w.header)
			w.status = 0
			s.ServeHTTP(w, req)
			if w.status != http.StatusOK {
				b.Fatalf("status %d", w.status)
			}
		}
		b.ReportMetric(float64(w.n)/float64(b.N), "B/resp")
	})
	b.Run("handler-parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			req, _ := http.NewRequest(http.MethodPost, "http://sim/v1/chat/completions", nil)
			w := &discardWriter{header: http.Header{}}
			rd := strings.NewReader(body)
			req.Body = io.NopCloser(rd)
			for pb.Next() {
				rd.Reset(body)
				clear(w.header)
				s.ServeHTTP(w, req)
			}
		})
	})
	b.Run("transport", func(b *testing.B) {
		b.ReportAllocs()
		client := &http.Client{Transport: s.Transport()}
		payload := []byte(body)
		for b.Loop() {
			resp, err := client.Post("http://sim/v1/chat/completions", "application/json", bytes.NewReader(payload))
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}

func BenchmarkChatUnary(b *testing.B) { benchHandler(b, benchChatBody) }

func BenchmarkChatStream(b *testing.B) { benchHandler(b, benchStreamBody) }
