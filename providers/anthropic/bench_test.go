package anthropic_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/providers/anthropic"
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

func benchProvider(b *testing.B, contentType, body string) *anthropic.Provider {
	p, err := anthropic.New(anthropic.Config{APIKey: "k", HTTPClient: &http.Client{Transport: stubTransport{contentType, body}}})
	if err != nil {
		b.Fatal(err)
	}
	return p
}

func BenchmarkProviderComplete(b *testing.B) {
	tr := fixtures.Load(b, "anthropic", "messages-tool-use")
	p := benchProvider(b, "application/json", string(tr.Response.RawBody()))
	req := userRequest("claude-sonnet-4-5", "What is the weather in Tokyo? Use the get_weather tool.")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Complete(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProviderStream reads the recorded text stream (10 events);
// ns/event is the per-event cost of the whole read path.
func BenchmarkProviderStream(b *testing.B) {
	body := fixtures.Load(b, "anthropic", "messages-stream-text").Response.BodyText()
	events := strings.Count(body, "\n\nevent: ") + 1
	p := benchProvider(b, "text/event-stream; charset=utf-8", body)
	req := userRequest("claude-sonnet-4-5", "Two names for a pet pelican, be brief")
	b.ReportAllocs()
	for b.Loop() {
		s, err := p.Stream(context.Background(), req)
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := s.Recv()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		s.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*events), "ns/event")
}
