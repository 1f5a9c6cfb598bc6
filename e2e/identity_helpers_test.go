package e2e_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/gateway"
	"github.com/switchboard-gw/switchboard/gateway/config"
	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
	"github.com/switchboard-gw/switchboard/server"
	"github.com/switchboard-gw/switchboard/store/sqlite"
)

// idServerSecret is shared by the instances of a test, as it would be by
// gateways sharing a database.
var idServerSecret = bytes.Repeat([]byte{0x42}, 32)

// idAdminKey is the bootstrap admin key of the identity tests' gateways.
const idAdminKey = "sk-sbadmin-e2e-bootstrap-admin-key-0123"

// idgw is a gateway wired as `switchboard serve` wires it, over a given
// store, with Keys.Run doing its background work.
type idgw struct {
	url  string
	keys *auth.Keys
	h2c  *http.Client
}

// startIdentityGateway serves a gateway over st on a loopback port.
func startIdentityGateway(t *testing.T, st auth.Store, opts ...auth.KeysOption) *idgw {
	t.Helper()
	noEnv := func(string) (string, bool) { return "", false }
	cfg, err := config.Load("", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	core, err := gateway.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	admin := auth.NewAdmin(idAdminKey)
	keys := auth.NewKeys(st, idServerSecret, append([]auth.KeysOption{auth.WithAdmin(admin), auth.WithLogger(quiet)}, opts...)...)
	srv, err := server.New(server.Options{
		Core: core, Keys: keys, Admin: admin,
		Teams: auth.NewTeams(st, nil), Users: auth.NewUsers(st, nil),
		Logger: quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	g := &idgw{url: "http://" + ln.Addr().String(), keys: keys, h2c: &http.Client{Transport: &http.Transport{Protocols: &p}}}
	ctx, stop := context.WithCancel(context.Background())
	served, ran := make(chan error, 1), make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	go func() { ran <- keys.Run(ctx) }()
	t.Cleanup(func() {
		g.h2c.CloseIdleConnections()
		stop()
		for _, ch := range []chan error{served, ran} {
			select {
			case <-ch:
			case <-time.After(time.Minute):
				t.Error("gateway did not stop")
			}
		}
	})
	return g
}

// openSQLiteStore opens a SQLite store in a temporary directory.
func openSQLiteStore(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// admin returns an AdminService client that sends credential.
func (g *idgw) admin(credential string, opts ...connect.ClientOption) switchboardv1connect.AdminServiceClient {
	bearer := "Bearer " + credential
	auth := connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			req.Header().Set("Authorization", bearer)
			return next(ctx, req)
		}
	})
	return switchboardv1connect.NewAdminServiceClient(g.h2c, g.url, append(opts, connect.WithInterceptors(auth))...)
}

// chat sends one chat completion through the OpenAI shim and returns the
// status and the Retry-After header.
func (g *idgw) chat(t *testing.T, secret string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, g.url+"/v1/chat/completions",
		strings.NewReader(`{"model":"demo","messages":[{"role":"user","content":"hello"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := g.h2c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

// complete sends one Complete over Connect and returns its error.
func (g *idgw) complete(secret string, opts ...connect.ClientOption) error {
	c := switchboardv1connect.NewCompletionServiceClient(g.h2c, g.url, opts...)
	_, err := c.Complete(context.Background(), authed(&switchboardv1.CompleteRequest{Model: "demo", Messages: userMessage("hi")}, secret))
	return err
}

// createKey issues a key through AdminService with credential.
func (g *idgw) createKey(t *testing.T, credential string, req *switchboardv1.CreateKeyRequest) (*switchboardv1.Key, string) {
	t.Helper()
	resp, err := g.admin(credential).CreateKey(context.Background(), connect.NewRequest(req))
	if err != nil {
		t.Fatalf("CreateKey(%s): %v", req.GetName(), err)
	}
	return resp.Msg.GetKey(), resp.Msg.GetSecret()
}

// eventually polls cond every 50 ms until it holds, failing the test after
// a generous deadline; it asserts an outcome, not a duration.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: still not the case after 60 s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
