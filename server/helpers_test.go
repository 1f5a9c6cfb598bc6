package server_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
	"github.com/switchboard-gw/switchboard/server"
	"github.com/switchboard-gw/switchboard/server/internal/servertest"
)

// running is a Server serving on a loopback port.
type running struct {
	srv     *server.Server
	url     string
	auth    *servertest.Auth
	core    *servertest.Core
	stop    context.CancelFunc
	stopped chan error
	// client speaks h2c; its idle connections are closed before the server
	// stops, or HTTP/2's graceful GOAWAY would wait a second for them.
	client *http.Client
}

// start serves a Server on 127.0.0.1 with real keys; opts may adjust the
// options (Core, Keys and Admin are filled in).
func start(t *testing.T, core *servertest.Core, opts func(*server.Options)) *running {
	t.Helper()
	a := servertest.NewAuth(t)
	o := server.Options{
		Core: core, Keys: a.Keys, Admin: a.Admin,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if opts != nil {
		opts(&o)
	}
	srv, err := server.New(o)
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{srv: srv, url: "http://" + ln.Addr().String(), auth: a, core: core, stop: cancel, stopped: make(chan error, 1), client: h2cClient()}
	go func() { r.stopped <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		r.client.CloseIdleConnections()
		cancel()
		select {
		case <-r.stopped:
		case <-time.After(time.Minute):
			t.Error("server did not stop")
		}
	})
	return r
}

// h2cClient speaks HTTP/2 without TLS (prior knowledge), as gRPC clients do.
func h2cClient() *http.Client {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: &http.Transport{Protocols: &p}}
}

// protocols are the three ways a Connect-Go client can talk to the server.
var protocols = []struct {
	name string
	opts []connect.ClientOption
}{
	{"connect", nil},
	{"grpc", []connect.ClientOption{connect.WithGRPC()}},
	{"grpcweb", []connect.ClientOption{connect.WithGRPCWeb()}},
}

func completionClient(r *running, opts ...connect.ClientOption) switchboardv1connect.CompletionServiceClient {
	return switchboardv1connect.NewCompletionServiceClient(r.client, r.url, opts...)
}

func adminClient(r *running, opts ...connect.ClientOption) switchboardv1connect.AdminServiceClient {
	return switchboardv1connect.NewAdminServiceClient(r.client, r.url, opts...)
}

func withKey[T any](msg *T, key string) *connect.Request[T] {
	req := connect.NewRequest(msg)
	if key != "" {
		req.Header().Set("Authorization", "Bearer "+key)
	}
	return req
}

func codeOf(err error) connect.Code {
	var ce *connect.Error
	if errors.As(err, &ce) {
		return ce.Code()
	}
	return connect.CodeUnknown
}
