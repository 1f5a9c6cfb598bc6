package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/server"
	"github.com/switchboard-gw/switchboard/server/internal/servertest"
)

// These benchmarks measure the transport's own cost per request: the core
// answers instantly from memory and the handler is called in-process, so
// what remains is routing, authentication (a cached key verification),
// decoding, conversion and encoding.

func benchHandler(b *testing.B, core *servertest.Core) (http.Handler, string) {
	b.Helper()
	a := servertest.NewAuth(b)
	srv, err := server.New(server.Options{
		Core: core, Keys: a.Keys, Admin: a.Admin,
		Logger: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})),
	})
	if err != nil {
		b.Fatal(err)
	}
	return srv.Handler(), a.Secret
}

// discardWriter is a ResponseWriter that keeps nothing, so the benchmark
// does not measure a recorder's buffer.
type discardWriter struct {
	h      http.Header
	status int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(s int)           { d.status = s }
func (d *discardWriter) Flush()                      {}

func serveBench(b *testing.B, h http.Handler, method, path, contentType, secret string, body []byte) {
	b.Helper()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(method, path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+secret)
		req.Header.Set("Content-Type", contentType)
		w := &discardWriter{h: http.Header{}}
		h.ServeHTTP(w, req)
		if w.status != 0 && w.status != http.StatusOK {
			b.Fatalf("status %d", w.status)
		}
	}
}

func BenchmarkShimChatCompletion(b *testing.B) {
	h, secret := benchHandler(b, &servertest.Core{})
	body := []byte(`{"model":"demo","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"Say hello."}],"temperature":0.2,"max_tokens":64}`)
	serveBench(b, h, http.MethodPost, "/v1/chat/completions", "application/json", secret, body)
}

// 100 text chunks per stream.
func BenchmarkShimChatStream100Chunks(b *testing.B) {
	texts := strings.Fields(strings.Repeat("word ", 100))
	chunks := servertest.Chunks(texts...)
	core := &servertest.Core{StreamFunc: func(ctx context.Context, _ *llm.Request) (llm.Stream, error) {
		return servertest.NewStream(ctx, chunks...), nil
	}}
	h, secret := benchHandler(b, core)
	body := []byte(`{"model":"demo","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Say hello."}]}`)
	serveBench(b, h, http.MethodPost, "/v1/chat/completions", "application/json", secret, body)
}

func BenchmarkConnectComplete(b *testing.B) {
	h, secret := benchHandler(b, &servertest.Core{})
	body, err := proto.Marshal(completeMsg())
	if err != nil {
		b.Fatal(err)
	}
	serveBench(b, h, http.MethodPost, switchboardv1connect.CompletionServiceCompleteProcedure, "application/proto", secret, body)
}

// Over a real loopback connection with the generated client, gRPC over h2c.
func BenchmarkGRPCCompleteLoopback(b *testing.B) {
	core := &servertest.Core{}
	a := servertest.NewAuth(b)
	srv, err := server.New(server.Options{Core: core, Keys: a.Keys, Admin: a.Admin,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(srv.Handler())
	var p http.Protocols
	p.SetHTTP1(true)
	p.SetUnencryptedHTTP2(true)
	ts.Config.Protocols = &p
	ts.Start()
	defer ts.Close()
	client := switchboardv1connect.NewCompletionServiceClient(h2cClient(), ts.URL, connect.WithGRPC())
	req := withKey(completeMsg(), a.Secret)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := client.Complete(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}
