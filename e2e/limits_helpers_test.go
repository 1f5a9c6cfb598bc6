package e2e_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/switchboard-gw/switchboard/billing/ledger"
	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
	"github.com/switchboard-gw/switchboard/internal/redistest"
	"github.com/switchboard-gw/switchboard/providers/sim"
	"github.com/switchboard-gw/switchboard/store/postgres/pgtest"
)

// The limits tests run the real binary twice, as two gateway instances
// sharing one PostgreSQL (keys, settings, the spend ledger) and one Redis
// (rate limits, budgets, idempotency keys), in front of one simulator run
// in the test process so that its served count can be read.

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// switchboardBinary builds cmd/switchboard once per test binary (the Go build
// cache makes it a link when nothing changed), or uses SWITCHBOARD_BIN. Every
// test that runs the binary shares it, so it stays in its temporary
// directory.
func switchboardBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("SWITCHBOARD_BIN"); bin != "" {
		return bin
	}
	binaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "switchboard-e2e-")
		if err != nil {
			binaryErr = err
			return
		}
		binaryPath = filepath.Join(dir, "switchboard")
		cmd := exec.Command("go", "build", "-o", binaryPath, "./cmd/switchboard")
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			binaryErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binaryErr != nil {
		t.Fatal(binaryErr)
	}
	return binaryPath
}

// Prices of the limits tests' deployments, in US dollars per million
// output tokens (input is free, so that a request's cost is exactly its
// output tokens times the price).
const (
	exactOutputPrice = 100 // nano-USD 100,000 a token
	dearOutputPrice  = 300
	cheapOutputPrice = 1
)

const limitsConfig = `
server:
  server_secret: env:SB_E2E_SERVER_SECRET
store:
  driver: postgres
  dsn: %q
redis:
  url: %q
  key_prefix: %q
limits:
  settings_refresh: 100ms
defaults: {demo: false, env_providers: false}
providers:
  upstream: {kind: openai, vendor: openai, base_url: %q, auth: none}
deployments:
  exact: {provider: upstream, model: sim-exact, pricing: {input: "0", output: "%d"}}
  dear: {provider: upstream, model: sim-dear, pricing: {input: "0", output: "%d"}}
  cheap: {provider: upstream, model: sim-cheap, pricing: {input: "0", output: "%d"}}
  capped: {provider: upstream, model: sim-capped, limits: {rpm: 3}, pricing: {input: "0", output: "1"}}
  spare: {provider: upstream, model: sim-spare, pricing: {input: "0", output: "1"}}
aliases:
  exact: {deployments: [exact]}
  big: {deployments: [dear]}
  small: {deployments: [cheap]}
  capped: {deployments: [capped, spare]}
`

// pair is two gateway instances and what they share.
type pair struct {
	a, b     *instance
	sim      *sim.Server
	dsn      string
	adminKey string
	client   *http.Client
}

type instance struct {
	name, url string
	cmd       *exec.Cmd
	log       *bytes.Buffer
	exited    chan struct{}
}

func randomHexString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startPair starts the simulator and two gateways on a fresh schema and
// Redis key prefix. It skips without PostgreSQL or Redis (make test starts
// both).
func startPair(t *testing.T) *pair {
	t.Helper()
	dsn := pgtest.NewSchema(t)
	redisURL := redistest.URL(t)
	bin := switchboardBinary(t)
	s := sim.New(sim.Options{})
	upstream := httptest.NewServer(s)
	t.Cleanup(upstream.Close)
	p := &pair{sim: s, dsn: dsn, adminKey: "e2e-admin-" + randomHexString(16), client: &http.Client{Timeout: time.Minute}}
	dir := t.TempDir()
	cfg := fmt.Sprintf(limitsConfig, dsn, redisURL, redistest.KeyPrefix(t), upstream.URL+"/v1", exactOutputPrice, dearOutputPrice, cheapOutputPrice)
	path := filepath.Join(dir, "switchboard.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "SWITCHBOARD_ADMIN_KEY="+p.adminKey, "SB_E2E_SERVER_SECRET="+randomHexString(32))
	for i, name := range []string{"a", "b"} {
		in := &instance{name: name, url: "http://" + freeAddr(t), log: &bytes.Buffer{}, exited: make(chan struct{})}
		in.cmd = exec.Command(bin, "serve", "--addr", strings.TrimPrefix(in.url, "http://"), "--config", path,
			"--data-dir", filepath.Join(dir, "data-"+name))
		in.cmd.Env = env
		in.cmd.Stdout, in.cmd.Stderr = in.log, in.log
		in.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := in.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { _ = in.cmd.Wait(); close(in.exited) }()
		t.Cleanup(func() {
			_ = in.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-in.exited:
			case <-time.After(30 * time.Second):
				_ = in.cmd.Process.Kill()
				<-in.exited
			}
			if t.Failed() {
				t.Logf("gateway %s log:\n%s", in.name, in.log.String())
			}
		})
		if i == 0 {
			p.a = in
		} else {
			p.b = in
		}
		// One at a time: the first applies the schema's migrations.
		p.waitReady(t, in)
	}
	return p
}

func (p *pair) waitReady(t *testing.T, in *instance) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-in.exited:
			t.Fatalf("gateway %s exited:\n%s", in.name, in.log.String())
		default:
		}
		resp, err := p.client.Get(in.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("gateway %s not ready after 60 s:\n%s", in.name, in.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// instances returns the gateways, to spread requests over both.
func (p *pair) instances() []*instance { return []*instance{p.a, p.b} }

func (p *pair) admin(in *instance) switchboardv1connect.AdminServiceClient {
	bearer := "Bearer " + p.adminKey
	auth := connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			req.Header().Set("Authorization", bearer)
			return next(ctx, req)
		}
	})
	return switchboardv1connect.NewAdminServiceClient(p.client, in.url, connect.WithInterceptors(auth))
}

// key creates a virtual key with limits on instance a.
func (p *pair) key(t *testing.T, name string, limits *switchboardv1.KeyLimits) (id, secret string) {
	t.Helper()
	resp, err := p.admin(p.a).CreateKey(context.Background(), connect.NewRequest(&switchboardv1.CreateKeyRequest{Name: name, Limits: limits}))
	if err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	return resp.Msg.GetKey().GetId(), resp.Msg.GetSecret()
}

// shimResult is one answer of the OpenAI shim.
type shimResult struct {
	status int
	header http.Header
	body   string
}

// chatOn sends a chat completion to in's shim. reply forces the
// simulator's answer, which max_tokens then cuts to exactly that many
// tokens when the reply is longer.
func (p *pair) chatOn(t *testing.T, in *instance, secret, model string, maxTokens int, reply string, headers map[string]string) shimResult {
	t.Helper()
	text := "Say something."
	if reply != "" {
		text += " [[sim reply=" + quote(reply) + "]]"
	}
	body := fmt.Sprintf(`{"model":%q,"max_tokens":%d,"messages":[{"role":"user","content":%s}]}`, model, maxTokens, quote(text))
	req, err := http.NewRequest(http.MethodPost, in.url+"/v1/chat/completions", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		t.Errorf("POST %s: %v", in.url, err)
		return shimResult{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return shimResult{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// streamOn sends a streamed chat completion to in's shim and reads the
// whole event stream.
func (p *pair) streamOn(t *testing.T, in *instance, secret, model string, maxTokens int, reply string) shimResult {
	t.Helper()
	text := "Say something. [[sim reply=" + quote(reply) + "]]"
	body := fmt.Sprintf(`{"model":%q,"max_tokens":%d,"stream":true,"messages":[{"role":"user","content":%s}]}`, model, maxTokens, quote(text))
	return p.post(t, in.url+"/v1/chat/completions", body, map[string]string{"Authorization": "Bearer " + secret})
}

// anthropicOn sends a Messages request to in's Anthropic-shaped front door.
func (p *pair) anthropicOn(t *testing.T, in *instance, secret, body string) shimResult {
	t.Helper()
	return p.post(t, in.url+"/v1/messages", body, map[string]string{"X-Api-Key": secret, "Anthropic-Version": "2023-06-01"})
}

func (p *pair) post(t *testing.T, url, body string, headers map[string]string) shimResult {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return shimResult{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// longReply has far more tokens than any max_tokens the tests use.
var longReply = strings.TrimSpace(strings.Repeat("word ", 200))

// spent is the spend ledger's total for a key, read from the database.
func (p *pair) spent(t *testing.T, keyID string) int64 {
	t.Helper()
	st := openPostgres(t, p.dsn)
	total, err := st.SpendTotal(context.Background(), ledger.Filter{From: time.Unix(0, 0), To: time.Now().Add(time.Hour), KeyID: keyID})
	if err != nil {
		t.Fatal(err)
	}
	return total
}

// ledgerSettles waits until the spend ledger's total for a key stops
// moving (the gateways write it in batches), checking on the way that it
// never exceeds limit, and returns it.
func (p *pair) ledgerSettles(t *testing.T, keyID string, want, limit int64) int64 {
	t.Helper()
	var last int64
	eventually(t, fmt.Sprintf("the ledger total of %s reaches %d", keyID, want), func() bool {
		last = p.spent(t, keyID)
		if limit > 0 && last > limit {
			t.Fatalf("the ledger total %d exceeds the budget %d", last, limit)
		}
		return last == want
	})
	return last
}
