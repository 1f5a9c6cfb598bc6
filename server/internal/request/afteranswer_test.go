package request_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/server/internal/request"
)

// Work deferred with llm.AfterAnswer runs once the client has the whole
// answer, and before the connection's next request is served.
func TestAfterAnswerRunsOnceTheClientHasTheAnswer(t *testing.T) {
	clientHasAnswer := make(chan struct{})
	ran := make(chan string, 2)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(request.Middleware(logger, nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/next" {
			ran <- "next request"
			return
		}
		llm.AfterAnswer(r.Context(), func() {
			select {
			case <-clientHasAnswer:
				ran <- "after answer"
			case <-time.After(10 * time.Second):
				ran <- "ran before the client had the answer (the middleware did not flush it)"
			}
		})
		w.Header().Set("Content-Length", "6")
		_, _ = w.Write([]byte("answer"))
	})))
	defer srv.Close()

	resp, err := srv.Client().Get(srv.URL + "/first")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(body) != "answer" {
		t.Fatalf("body %q, %v", body, err)
	}
	close(clientHasAnswer)
	// The same keep-alive connection: served after the deferred work.
	resp, err = srv.Client().Get(srv.URL + "/next")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if first, second := <-ran, <-ran; first != "after answer" || second != "next request" {
		t.Fatalf("order: %q then %q", first, second)
	}
}

// Without a transport that defers (or once its answer is out), the work
// runs at once.
func TestAfterAnswerRunsAtOnceOutsideTheMiddleware(t *testing.T) {
	ctx, _ := request.Ensure(context.Background())
	ran := false
	llm.AfterAnswer(ctx, func() { ran = true })
	if !ran {
		t.Fatal("work deferred by an Info no middleware will run")
	}
	ran = false
	llm.AfterAnswer(context.Background(), func() { ran = true })
	if !ran {
		t.Fatal("work deferred without any transport")
	}
}

// An answer of unknown length (a stream) ends only when its handler
// returns: the deferred work runs after that, on its own goroutine, and
// WaitAfterAnswers waits for it.
func TestAfterAnswerOfAStreamRunsOnceItHasEnded(t *testing.T) {
	clientHasAnswer := make(chan struct{})
	ran := make(chan string, 1)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(request.Middleware(logger, nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		llm.AfterAnswer(r.Context(), func() {
			select {
			case <-clientHasAnswer:
				ran <- "after the stream ended"
			case <-time.After(10 * time.Second):
				ran <- "ran while the stream was still open"
			}
		})
		_, _ = w.Write([]byte("data: [DONE]\n\n"))
	})))
	defer srv.Close()

	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body) // to the end of the chunked body
	resp.Body.Close()
	if err != nil || string(body) != "data: [DONE]\n\n" {
		t.Fatalf("body %q, %v", body, err)
	}
	close(clientHasAnswer)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := request.WaitAfterAnswers(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-ran:
		if got != "after the stream ended" {
			t.Fatal(got)
		}
	default:
		t.Fatal("WaitAfterAnswers returned before the work had run")
	}
}
