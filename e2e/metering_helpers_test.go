package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/switchboard-gw/switchboard/cmd/switchboard/cli"
	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
)

// The metering tests run `switchboard serve` itself: in-process through
// cli.Run (the command's whole wiring: configuration, store, spend
// ledger, meter, server; canceling its context is what SIGTERM does), or
// as the built binary when the signal itself is under test.

// meterAdminKey is the bootstrap admin key of the metering tests.
const meterAdminKey = "sbadmin-e2e-metering-0123456789"

// meterServe is a running `switchboard serve`.
type meterServe struct {
	url     string
	dataDir string
	logs    *syncBuffer
	stop    func()     // SIGTERM, or its in-process equivalent
	exited  chan error // the command's result, once it has exited
	http    *http.Client
}

// syncBuffer collects a command's output and tells when a line matching a
// pattern has been written.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var listeningLine = regexp.MustCompile(`listening on (http://[0-9.:]+)`)

// writeServeConfig writes yml as the configuration in dir.
func writeServeConfig(t *testing.T, dir, yml string) string {
	t.Helper()
	path := filepath.Join(dir, "switchboard.yaml")
	if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func serveArgs(configPath, dataDir string) []string {
	return []string{"serve", "--config", configPath, "--data-dir", dataDir, "--addr", "127.0.0.1:0", "--log-level", "info"}
}

// serveInProcess runs `switchboard serve` with cli.Run. env is set in the
// process environment for the test's duration (the command reads it).
func serveInProcess(t *testing.T, yml, dataDir string, env map[string]string) *meterServe {
	t.Helper()
	t.Setenv("SWITCHBOARD_ADMIN_KEY", meterAdminKey)
	for k, v := range env {
		t.Setenv(k, v)
	}
	path := writeServeConfig(t, t.TempDir(), yml)
	ctx, cancel := context.WithCancel(context.Background())
	s := &meterServe{dataDir: dataDir, logs: &syncBuffer{}, stop: cancel, exited: make(chan error, 1), http: meterClient()}
	go func() {
		code := cli.Run(ctx, serveArgs(path, dataDir), s.logs, s.logs)
		if code != 0 {
			s.exited <- fmt.Errorf("exit code %d", code)
			return
		}
		s.exited <- nil
	}()
	s.awaitListening(t)
	t.Cleanup(func() { s.shutdown(t) })
	return s
}

// serveBinary uses switchboardBinary (limits_helpers_test.go).

// serveBinary runs the built binary; stop sends it SIGTERM.
func serveBinary(t *testing.T, yml, dataDir string, env map[string]string) *meterServe {
	t.Helper()
	bin := switchboardBinary(t)
	path := writeServeConfig(t, t.TempDir(), yml)
	cmd := exec.Command(bin, serveArgs(path, dataDir)...)
	cmd.Env = append(os.Environ(), "SWITCHBOARD_ADMIN_KEY="+meterAdminKey)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	s := &meterServe{dataDir: dataDir, logs: &syncBuffer{}, exited: make(chan error, 1), http: meterClient()}
	cmd.Stdout, cmd.Stderr = s.logs, s.logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.stop = func() { _ = cmd.Process.Signal(syscall.SIGTERM) }
	go func() { s.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
	})
	s.awaitListening(t)
	t.Cleanup(func() { s.shutdown(t) })
	return s
}

func meterClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
}

func (s *meterServe) awaitListening(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if m := listeningLine.FindStringSubmatch(s.logs.String()); m != nil {
			s.url = m[1]
			return
		}
		select {
		case err := <-s.exited:
			t.Fatalf("switchboard serve exited before listening (%v):\n%s", err, s.logs)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("switchboard serve is not listening after a minute:\n%s", s.logs)
}

// shutdown stops the gateway (once) and waits for it to exit.
func (s *meterServe) shutdown(t *testing.T) error {
	t.Helper()
	if s.exited == nil {
		return nil
	}
	s.stop()
	s.http.CloseIdleConnections()
	select {
	case err := <-s.exited:
		s.exited = nil
		return err
	case <-time.After(2 * time.Minute):
		t.Fatalf("switchboard serve did not exit:\n%s", s.logs)
	}
	return nil
}

func (s *meterServe) admin() switchboardv1connect.AdminServiceClient {
	return switchboardv1connect.NewAdminServiceClient(s.http, s.url, connect.WithInterceptors(meterBearer(meterAdminKey)))
}

// meterBearer sends a credential on every call, streaming ones included.
type meterBearer string

func (b meterBearer) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		req.Header().Set("Authorization", "Bearer "+string(b))
		return next(ctx, req)
	}
}

func (b meterBearer) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		conn.RequestHeader().Set("Authorization", "Bearer "+string(b))
		return conn
	}
}

func (meterBearer) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}

// newKey issues a virtual key: each case of a test has its own, so that its
// spend can be read back alone.
func (s *meterServe) newKey(t *testing.T, name string) (id, secret string) {
	t.Helper()
	resp, err := s.admin().CreateKey(context.Background(), connect.NewRequest(&switchboardv1.CreateKeyRequest{Name: name}))
	if err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	return resp.Msg.GetKey().GetId(), resp.Msg.GetSecret()
}

// spend runs QuerySpend over the last day and the next, and returns every
// row the stream carries.
func (s *meterServe) spend(t *testing.T, req *switchboardv1.QuerySpendRequest) []*switchboardv1.SpendRow {
	t.Helper()
	rows, err := s.trySpend(req)
	if err != nil {
		t.Fatalf("QuerySpend: %v", err)
	}
	return rows
}

func (s *meterServe) trySpend(req *switchboardv1.QuerySpendRequest) ([]*switchboardv1.SpendRow, error) {
	return s.trySpendWith(s.admin(), req)
}

// trySpendWith runs QuerySpend with client's credential.
func (s *meterServe) trySpendWith(client switchboardv1connect.AdminServiceClient, req *switchboardv1.QuerySpendRequest) ([]*switchboardv1.SpendRow, error) {
	if req.StartTime == nil {
		req.StartTime = timestamppb.New(time.Now().Add(-24 * time.Hour))
		req.EndTime = timestamppb.New(time.Now().Add(24 * time.Hour))
	}
	stream, err := client.QuerySpend(context.Background(), connect.NewRequest(req))
	if err != nil {
		return nil, err
	}
	defer stream.Close()
	var rows []*switchboardv1.SpendRow
	for stream.Receive() {
		rows = append(rows, stream.Msg().GetRows()...)
	}
	return rows, stream.Err()
}

// keySpend waits until the ledger holds attempts records of key, and
// returns its total.
func (s *meterServe) keySpend(t *testing.T, keyID string, attempts int64) *switchboardv1.SpendRow {
	t.Helper()
	var last []*switchboardv1.SpendRow
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		last = s.spend(t, &switchboardv1.QuerySpendRequest{KeyId: keyID})
		if len(last) == 1 && last[0].GetAttempts() >= attempts {
			return last[0]
		}
	}
	t.Fatalf("the ledger has %v for key %s, want %d attempts", last, keyID, attempts)
	return nil
}

// shimRequest posts a chat completion to the shim with key.
func (s *meterServe) shimRequest(ctx context.Context, key string, body any) (*http.Response, error) {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/v1/chat/completions", bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	return s.http.Do(req)
}

func chatRequest(model, text string, stream bool) map[string]any {
	body := map[string]any{"model": model, "messages": []map[string]string{{"role": "user", "content": text}}}
	if stream {
		body["stream"] = true
		body["stream_options"] = map[string]bool{"include_usage": true}
	}
	return body
}

// meterUsage is the usage object of an OpenAI answer or usage chunk.
type meterUsage struct {
	PromptTokens        int64 `json:"prompt_tokens"`
	CompletionTokens    int64 `json:"completion_tokens"`
	PromptTokensDetails struct {
		CachedTokens     int64 `json:"cached_tokens"`
		CacheWriteTokens int64 `json:"cache_write_tokens"`
	} `json:"prompt_tokens_details"`
	CompletionTokensDetails struct {
		ReasoningTokens int64 `json:"reasoning_tokens"`
	} `json:"completion_tokens_details"`
}

// meterStream is what a client saw of a shim stream.
type meterStream struct {
	text      string
	usage     *meterUsage
	extCost   string // the usage chunk's switchboard.cost_usd
	trailer   string // the X-Switchboard-Cost-Usd trailer
	done      bool
	requestID string
}

// readShimStream reads a shim stream; with cutAfter > 0 it stops after
// that many content chunks and closes the connection, as a client that
// goes away does.
func readShimStream(t *testing.T, resp *http.Response, cutAfter int) meterStream {
	t.Helper()
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	out := meterStream{requestID: resp.Header.Get("X-Request-Id")}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	contentChunks := 0
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		if data == "[DONE]" {
			out.done = true
			continue
		}
		var chunk struct {
			Choices []struct {
				Delta struct {
					Content string `json:"content"`
				} `json:"delta"`
			} `json:"choices"`
			Usage       *meterUsage `json:"usage"`
			Switchboard *struct {
				CostUSD string `json:"cost_usd"`
			} `json:"switchboard"`
		}
		if err := json.Unmarshal([]byte(data), &chunk); err != nil {
			t.Fatalf("event %q: %v", data, err)
		}
		for _, c := range chunk.Choices {
			if c.Delta.Content != "" {
				out.text += c.Delta.Content
				contentChunks++
			}
		}
		if chunk.Usage != nil {
			out.usage = chunk.Usage
		}
		if chunk.Switchboard != nil {
			out.extCost = chunk.Switchboard.CostUSD
		}
		if cutAfter > 0 && contentChunks >= cutAfter {
			return out // the deferred Close hangs up mid-stream
		}
	}
	if err := sc.Err(); err != nil && !errors.Is(err, io.EOF) {
		t.Fatalf("reading the stream: %v", err)
	}
	out.trailer = resp.Trailer.Get("X-Switchboard-Cost-Usd")
	return out
}
