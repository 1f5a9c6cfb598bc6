package server_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpcreflect"

	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/server"
	"github.com/switchboard-gw/switchboard/server/internal/servertest"
)

func get(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

func TestHealthAndReadiness(t *testing.T) {
	var notReady error
	r := start(t, &servertest.Core{}, func(o *server.Options) {
		o.Ready = func() error { return notReady }
	})
	h := r.srv.Handler()
	if rec := get(t, h, "/healthz"); rec.Code != http.StatusOK || rec.Body.String() != "ok\n" {
		t.Fatalf("/healthz = %d %q", rec.Code, rec.Body)
	}
	if rec := get(t, h, "/readyz"); rec.Code != http.StatusOK {
		t.Fatalf("/readyz = %d", rec.Code)
	}
	notReady = errors.New("database at 10.0.0.5 unreachable")
	rec := get(t, h, "/readyz")
	if rec.Code != http.StatusServiceUnavailable || strings.Contains(rec.Body.String(), "10.0.0.5") {
		t.Fatalf("/readyz with failing check = %d %q", rec.Code, rec.Body)
	}
	// Over the network too, with no key.
	resp, err := http.Get(r.url + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz: %v %v", resp, err)
	}
	resp.Body.Close()
}

// A stream in flight when shutdown begins runs to its end, over gRPC on
// HTTP/2 and over SSE on HTTP/1.1 (http.Server drains the two differently);
// meanwhile /readyz says 503, and Serve returns nil once it is done.
func TestGracefulShutdownLetsASlowStreamFinish(t *testing.T) {
	// Each transport is a function that starts a stream, returns once the
	// first piece of text arrived, and then reads the rest.
	transports := map[string]func(t *testing.T, r *running) (rest func() (string, error)){
		"grpc over h2c": func(t *testing.T, r *running) func() (string, error) {
			s, err := completionClient(r, connect.WithGRPC()).StreamComplete(context.Background(), withKey(streamMsg(), r.auth.Secret))
			if err != nil {
				t.Fatal(err)
			}
			if !s.Receive() || s.Msg().GetText() != "one" {
				t.Fatalf("first message: %v %v", s.Msg(), s.Err())
			}
			return func() (string, error) {
				var b strings.Builder
				for s.Receive() {
					b.WriteString(s.Msg().GetText())
				}
				return b.String(), s.Err()
			}
		},
		"sse over http/1.1": func(t *testing.T, r *running) func() (string, error) {
			req, _ := http.NewRequest(http.MethodPost, r.url+"/v1/chat/completions",
				strings.NewReader(`{"model":"demo","stream":true,"messages":[{"role":"user","content":"hi"}]}`))
			req.Header.Set("Authorization", "Bearer "+r.auth.Secret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.ProtoMajor != 1 {
				t.Fatalf("want HTTP/1.1, got %s", resp.Proto)
			}
			sc := bufio.NewScanner(resp.Body)
			if !sc.Scan() || !strings.Contains(sc.Text(), `"one"`) {
				t.Fatalf("first event %q", sc.Text())
			}
			return func() (string, error) {
				defer resp.Body.Close()
				var b strings.Builder
				for sc.Scan() {
					b.WriteString(sc.Text())
				}
				if !strings.HasSuffix(b.String(), "data: [DONE]") {
					return b.String(), errors.New("stream did not end with [DONE]")
				}
				return b.String(), sc.Err()
			}
		},
	}
	for name, open := range transports {
		t.Run(name, func(t *testing.T) {
			release := make(chan struct{})
			core := &servertest.Core{StreamFunc: func(ctx context.Context, _ *llm.Request) (llm.Stream, error) {
				s := servertest.NewStream(ctx, servertest.Chunks("one", "two", "three")...)
				s.Gates[1] = release
				return s, nil
			}}
			r := start(t, core, nil)
			rest := open(t, r)

			r.stop() // begin shutdown with the stream half done
			waitFor(t, func() bool { return get(t, r.srv.Handler(), "/readyz").Code == http.StatusServiceUnavailable })
			select {
			case err := <-r.stopped:
				t.Fatalf("Serve returned %v while a stream was in flight", err)
			default:
			}

			close(release)
			text, err := rest()
			if err != nil {
				t.Fatalf("stream ended with %v", err)
			}
			if !strings.Contains(text, "two") || !strings.Contains(text, "three") {
				t.Fatalf("rest of stream = %q", text)
			}
			r.client.CloseIdleConnections()
			select {
			case err := <-r.stopped:
				if err != nil {
					t.Fatalf("Serve = %v, want nil after a clean shutdown", err)
				}
				r.stopped <- nil // for the cleanup
			case <-time.After(time.Minute):
				t.Fatal("Serve did not return")
			}
		})
	}
}

// A stream that outlives ShutdownTimeout is canceled: its context ends,
// the upstream stream is closed, and Serve reports it.
func TestShutdownCancelsWhatOutlivesTheTimeout(t *testing.T) {
	never := make(chan struct{})
	streams := make(chan *servertest.Stream, 1)
	core := &servertest.Core{StreamFunc: func(ctx context.Context, _ *llm.Request) (llm.Stream, error) {
		s := servertest.NewStream(ctx, servertest.Chunks("one", "two")...)
		s.Gates[1] = never
		streams <- s
		return s, nil
	}}
	r := start(t, core, func(o *server.Options) { o.ShutdownTimeout = 100 * time.Millisecond })
	s, err := completionClient(r).StreamComplete(context.Background(), withKey(streamMsg(), r.auth.Secret))
	if err != nil {
		t.Fatal(err)
	}
	if !s.Receive() {
		t.Fatal(s.Err())
	}
	upstream := <-streams
	r.stop()
	select {
	case err := <-r.stopped:
		if err == nil {
			t.Fatal("Serve = nil, want an error saying requests were canceled")
		}
		r.stopped <- nil
	case <-time.After(time.Minute):
		t.Fatal("Serve did not return")
	}
	select {
	case <-upstream.Closed():
	case <-time.After(time.Minute):
		t.Fatal("the upstream stream was never closed")
	}
	for s.Receive() {
	}
	if s.Err() == nil {
		t.Fatal("client saw a clean end of a canceled stream")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition never became true")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestCORSPreflightForConnectAndTheShim(t *testing.T) {
	r := start(t, &servertest.Core{}, func(o *server.Options) {
		o.CORSAllowedOrigins = []string{"https://app.example.com"}
	})
	h := r.srv.Handler()
	for _, path := range []string{"/switchboard.v1.CompletionService/Complete", "/v1/chat/completions"} {
		req := httptest.NewRequest(http.MethodOptions, path, nil)
		req.Header.Set("Origin", "https://app.example.com")
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization,content-type,connect-protocol-version,x-grpc-web,x-stainless-os")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code/100 != 2 {
			t.Fatalf("%s preflight = %d", path, rec.Code)
		}
		if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "https://app.example.com" {
			t.Fatalf("%s allow-origin = %q", path, got)
		}
		if got := strings.ToLower(rec.Header().Get("Access-Control-Allow-Headers")); !strings.Contains(got, "authorization") || !strings.Contains(got, "connect-protocol-version") {
			t.Fatalf("%s allow-headers = %q", path, got)
		}
		if rec.Header().Get("Access-Control-Allow-Credentials") != "" {
			t.Fatalf("%s allows credentials", path)
		}
	}

	// The actual request exposes the gRPC-Web status headers and the ids.
	req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
	req.Header.Set("Origin", "https://app.example.com")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	exposed := strings.ToLower(rec.Header().Get("Access-Control-Expose-Headers"))
	for _, want := range []string{"grpc-status", "grpc-message", "grpc-status-details-bin", "x-request-id", "x-switchboard-provider", "retry-after"} {
		if !strings.Contains(exposed, want) {
			t.Errorf("expose-headers %q lacks %s", exposed, want)
		}
	}

	// Another origin gets nothing.
	req = httptest.NewRequest(http.MethodOptions, "/v1/models", nil)
	req.Header.Set("Origin", "https://evil.example.net")
	req.Header.Set("Access-Control-Request-Method", "GET")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("foreign origin allowed: %v", rec.Header())
	}
}

func TestCORSDefaultsToAnyOrigin(t *testing.T) {
	r := start(t, &servertest.Core{}, nil)
	req := httptest.NewRequest(http.MethodOptions, "/switchboard.v1.CompletionService/StreamComplete", nil)
	req.Header.Set("Origin", "http://localhost:5173")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "authorization")
	rec := httptest.NewRecorder()
	r.srv.Handler().ServeHTTP(rec, req)
	if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "*" {
		t.Fatalf("allow-origin = %q, want *", got)
	}
}

func TestConnectBodyLimitIsResourceExhausted(t *testing.T) {
	r := start(t, &servertest.Core{}, func(o *server.Options) { o.MaxBodyBytes = 1024 })
	big := completeMsg()
	big.Messages[0].Content[0].Kind = &switchboardv1.Part_Text{Text: strings.Repeat("x", 2048)}
	for _, proto := range protocols {
		_, err := completionClient(r, proto.opts...).Complete(context.Background(), withKey(big, r.auth.Secret))
		if codeOf(err) != connect.CodeResourceExhausted {
			t.Fatalf("%s: %v, want ResourceExhausted", proto.name, err)
		}
	}
	// The server still serves.
	if _, err := completionClient(r).Complete(context.Background(), withKey(completeMsg(), r.auth.Secret)); err != nil {
		t.Fatal(err)
	}
}

func TestReflectionListsTheServices(t *testing.T) {
	r := start(t, &servertest.Core{}, nil)
	stream := grpcreflect.NewClient(r.client, r.url, connect.WithGRPC()).NewStream(context.Background())
	defer stream.Close()
	names, err := stream.ListServices()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, n := range names {
		got[string(n)] = true
	}
	if !got["switchboard.v1.CompletionService"] || !got["switchboard.v1.AdminService"] {
		t.Fatalf("services = %v", names)
	}
}

// Plain HTTP clients of the Connect protocol get the request id, and
// Retry-After as a header as well as in the error detail.
func TestConnectUnaryOverPlainHTTP(t *testing.T) {
	core := &servertest.Core{CompleteFunc: func(context.Context, *llm.Request) (*llm.Response, error) {
		return nil, &llm.Error{Kind: llm.KindRateLimited, RetryAfter: 1500 * time.Millisecond, Message: "slow down"}
	}}
	r := start(t, core, nil)
	body := `{"model":"demo","messages":[{"role":"ROLE_USER","content":[{"text":"hi"}]}]}`
	req, _ := http.NewRequest(http.MethodPost, r.url+"/switchboard.v1.CompletionService/Complete", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+r.auth.Secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "2" || resp.Header.Get("X-Request-Id") == "" {
		t.Fatalf("%d %v %s", resp.StatusCode, resp.Header, b)
	}
	if !strings.Contains(string(b), `"resource_exhausted"`) || !strings.Contains(string(b), "switchboard.v1.ErrorDetail") {
		t.Fatalf("body %s", b)
	}
}

func TestNewRejectsIncompleteOptions(t *testing.T) {
	a := servertest.NewAuth(t)
	core := &servertest.Core{}
	bad := []server.Options{
		{Keys: a.Keys, Admin: a.Admin},
		{Core: core, Admin: a.Admin},
		{Core: core, Keys: a.Keys},
		{Core: core, Keys: a.Keys, Admin: a.Admin, TLSCertFile: "cert.pem"},
		{Core: core, Keys: a.Keys, Admin: a.Admin, MaxBodyBytes: -1},
		{Core: core, Keys: a.Keys, Admin: a.Admin, TLSCertFile: "/nonexistent/cert.pem", TLSKeyFile: "/nonexistent/key.pem"},
	}
	for i, o := range bad {
		if _, err := server.New(o); err == nil {
			t.Errorf("options %d accepted", i)
		}
	}
}

func TestServeReturnsWhenTheListenerFails(t *testing.T) {
	a := servertest.NewAuth(t)
	srv, err := server.New(server.Options{Core: &servertest.Core{}, Keys: a.Keys, Admin: a.Admin})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	if err := srv.Serve(context.Background(), ln); err == nil {
		t.Fatal("Serve on a closed listener returned nil")
	}
}
