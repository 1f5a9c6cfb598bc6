package bedrock_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/providers/bedrock"
)

// stubTransport answers in memory, so the benchmarks measure the provider
// (encoding, signing, HTTP plumbing, frame reading, decoding) rather than
// the network.
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
		Header:  http.Header{"Content-Type": {s.contentType}, "X-Amzn-Requestid": {"bench"}},
		Body:    io.NopCloser(strings.NewReader(s.body)),
		Request: r,
	}, nil
}

func benchProvider(b *testing.B, contentType, body string) *bedrock.Provider {
	p, err := bedrock.New(bedrock.Config{Region: "us-east-1", Credentials: bedrock.StaticCredentials(testCreds),
		HTTPClient: &http.Client{Transport: stubTransport{contentType, body}}})
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkProviderComplete is one unary call: conversion, marshalling,
// SigV4 signing, and decoding the recorded tool-use answer.
func BenchmarkProviderComplete(b *testing.B) {
	body, _ := json.Marshal(json.RawMessage(fixtures.Load(b, "bedrock", "converse-tool-use").Response.Body))
	p := benchProvider(b, "application/json", string(body))
	req := userRequest("us.amazon.nova-micro-v1:0", "What is the capital of France?")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Complete(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProviderStream reads the recorded stream (33 frames);
// ns/frame is the per-chunk cost of the whole read path.
func BenchmarkProviderStream(b *testing.B) {
	raw := fixtures.Load(b, "bedrock", "converseStream-text").Response.RawBody()
	frames := len(splitFramesB(raw))
	p := benchProvider(b, "application/vnd.amazon.eventstream", string(raw))
	req := userRequest("us.amazon.nova-micro-v1:0", "What is the capital of France?")
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
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*frames), "ns/frame")
}

func splitFramesB(raw []byte) [][]byte {
	var out [][]byte
	for len(raw) >= 4 {
		n := int(raw[0])<<24 | int(raw[1])<<16 | int(raw[2])<<8 | int(raw[3])
		out = append(out, raw[:n])
		raw = raw[n:]
	}
	return out
}
