package server_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"connectrpc.com/connect"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/server"
	"github.com/switchboard-gw/switchboard/server/internal/servertest"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// At Debug every request is logged once with its id and key id; secrets
// never reach the log, whichever transport and whether or not they were
// accepted.
func TestRequestLogNamesTheKeyButNeverTheSecret(t *testing.T) {
	var logs syncBuffer
	r := start(t, &servertest.Core{}, func(o *server.Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	if _, err := completionClient(r).Complete(context.Background(), withKey(completeMsg(), r.auth.Secret)); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, r.url+"/v1/models", nil)
	req.Header.Set("Authorization", "Bearer "+r.auth.Secret)
	resp, err := r.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	wrong := mistype(r.auth.Secret)
	req.Header.Set("Authorization", "Bearer "+wrong)
	resp, err = r.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("mistyped key: %d", resp.StatusCode)
	}
	// The log line is written after the response; wait until all three are there.
	waitFor(t, func() bool { return strings.Count(logs.String(), "msg=request") >= 3 })

	out := logs.String()
	if strings.Contains(out, r.auth.Secret) || strings.Contains(out, wrong) || strings.Contains(out, servertest.AdminKey) {
		t.Fatalf("a secret reached the log:\n%s", out)
	}
	if !strings.Contains(out, "key_id="+r.auth.Key.ID) || !strings.Contains(out, "request_id=req_") ||
		!strings.Contains(out, "path=/switchboard.v1.CompletionService/Complete") || !strings.Contains(out, "status=401") {
		t.Fatalf("log lacks request fields:\n%s", out)
	}
}

// An internal failure tells the caller nothing of its cause and tells the
// log everything, on both transports.
func TestInternalErrorsAreLoggedWithTheirCause(t *testing.T) {
	var logs syncBuffer
	core := &servertest.Core{CompleteFunc: func(context.Context, *llm.Request) (*llm.Response, error) {
		return nil, errors.New("pricing table corrupt at row 17")
	}}
	r := start(t, core, func(o *server.Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	})
	_, err := completionClient(r).Complete(context.Background(), withKey(completeMsg(), r.auth.Secret))
	if codeOf(err) != connect.CodeInternal || strings.Contains(err.Error(), "row 17") {
		t.Fatalf("Connect: %v", err)
	}
	req, _ := http.NewRequest(http.MethodPost, r.url+"/v1/chat/completions",
		strings.NewReader(`{"model":"demo","messages":[{"role":"user","content":"hi"}]}`))
	req.Header.Set("Authorization", "Bearer "+r.auth.Secret)
	resp, err := r.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || strings.Contains(string(b), "row 17") {
		t.Fatalf("shim: %d %s", resp.StatusCode, b)
	}
	if n := strings.Count(logs.String(), "row 17"); n != 2 {
		t.Fatalf("cause logged %d times, want 2:\n%s", n, logs.String())
	}
}
