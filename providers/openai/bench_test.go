package openai_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/providers/openai"
)

// stubTransport answers in memory, so the benchmarks measure the provider
// (encode, HTTP plumbing, SSE reading, decode) rather than the network.
type stubTransport struct {
	contentType string
	body        string
}

func (s stubTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{
		StatusCode: 200, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"Content-Type": {s.contentType}},
		Body:    io.NopCloser(strings.NewReader(s.body)),
		Request: r,
	}, nil
}

func benchProvider(b *testing.B, contentType, body string) *openai.Provider {
	p, err := openai.New(openai.Config{
		Name: "openai", BaseURL: "http://upstream.invalid/v1", APIKey: "k",
		HTTPClient: &http.Client{Transport: stubTransport{contentType, body}},
	})
	if err != nil {
		b.Fatal(err)
	}
	return p
}

func BenchmarkProviderComplete(b *testing.B) {
	tr := fixtures.Load(b, "openai", "chat-tool-call")
	p := benchProvider(b, "application/json", string(tr.Response.RawBody()))
	req := userRequest("gpt-5-nano", "What is the weather like in Boston today?")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Complete(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProviderStream reads the recorded 67-chunk stream; ns/op divided
// by the chunk count is the per-chunk cost of the whole read path.
func BenchmarkProviderStream(b *testing.B) {
	tr := fixtures.Load(b, "openai", "chat-stream-basic")
	body := tr.Response.BodyText()
	chunks := strings.Count(body, "\n\ndata: {") + 1
	p := benchProvider(b, "text/event-stream", body)
	req := userRequest("gpt-5-nano", "Hello!")
	b.ReportAllocs()
	for b.Loop() {
		s, err := p.Stream(context.Background(), req)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := s.Recv()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		s.Close()
		if n != chunks {
			b.Fatalf("read %d chunks, want %d", n, chunks)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*chunks), "ns/chunk")
}
