package sim_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/providers/sim"
)

// waitLimit bounds waits for something that must happen; it is generous so
// a loaded machine does not fail the test, and never a speed requirement.
const waitLimit = 10 * time.Second

// tracked wraps a handler (serving one request) and closes started and
// done when ServeHTTP begins and returns.
type tracked struct {
	h             http.Handler
	started, done chan struct{}
}

func track(h http.Handler) *tracked {
	return &tracked{h: h, started: make(chan struct{}), done: make(chan struct{})}
}

func (t *tracked) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	close(t.started)
	defer close(t.done)
	t.h.ServeHTTP(w, r)
}

func (t *tracked) finished() bool {
	select {
	case <-t.done:
		return true
	default:
		return false
	}
}

func (t *tracked) wait(tb testing.TB, what string) {
	tb.Helper()
	select {
	case <-t.done:
	case <-time.After(waitLimit):
		tb.Fatalf("%s: the handler did not return", what)
	}
}

func TestTransportDeliversFlushesAsTheyHappen(t *testing.T) {
	release := make(chan struct{})
	h := track(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Echo", string(body))
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, "first\n")
		w.(http.Flusher).Flush()
		<-release
		io.WriteString(w, "second\n")
	}))
	client := &http.Client{Transport: sim.HandlerTransport(h)}
	resp, err := client.Post("http://anything/x", "text/plain", strings.NewReader("ping"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted || resp.Header.Get("X-Echo") != "ping" {
		t.Errorf("status %d, echo %q", resp.StatusCode, resp.Header.Get("X-Echo"))
	}
	rd := bufio.NewReader(resp.Body)
	line, err := rd.ReadString('\n')
	if err != nil || line != "first\n" {
		t.Fatalf("first line %q, %v", line, err)
	}
	if h.finished() {
		t.Fatal("the handler finished before the first flush was read")
	}
	close(release)
	rest, err := io.ReadAll(rd)
	if err != nil || string(rest) != "second\n" {
		t.Errorf("rest %q, %v", rest, err)
	}
	h.wait(t, "after release")
}

func TestTransportStreamsSimulatorChunks(t *testing.T) {
	h := track(sim.New(sim.Options{InterChunkDelay: time.Hour}))
	client := &http.Client{Transport: sim.HandlerTransport(h)}
	resp, err := client.Post("http://sim/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true}`))
	if err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "data: {") {
		t.Fatalf("first line %q, %v", line, err)
	}
	if h.finished() {
		t.Fatal("the stream's handler finished before its first chunk was read")
	}
	// Closing the body early stops the handler (it was waiting an hour).
	resp.Body.Close()
	h.wait(t, "after the body was closed")
}

func TestCancelStopsTheHandler(t *testing.T) {
	cases := map[string]struct {
		opts sim.Options
		body string
	}{
		"stream before the first chunk": {sim.Options{TTFT: time.Hour}, `{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true}`},
		"stream between chunks":         {sim.Options{InterChunkDelay: time.Hour}, `{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true}`},
		"unary":                         {sim.Options{Latency: time.Hour}, `{"model":"m","messages":[{"role":"user","content":"hi"}]}`},
	}
	for name, c := range cases {
		for _, via := range []string{"tcp", "transport"} {
			t.Run(via+"/"+name, func(t *testing.T) {
				h := track(sim.New(c.opts))
				client := &http.Client{Transport: sim.HandlerTransport(h)}
				base := "http://sim"
				if via == "tcp" {
					hs := httptest.NewServer(h)
					defer hs.Close()
					client, base = hs.Client(), hs.URL
				}
				ctx, cancel := context.WithCancel(context.Background())
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/chat/completions", strings.NewReader(c.body))
				errc := make(chan error, 1)
				go func() {
					resp, err := client.Do(req)
					if err == nil {
						_, err = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
					errc <- err
				}()
				select {
				case <-h.started:
				case <-time.After(waitLimit):
					t.Fatal("the request did not reach the handler")
				}
				cancel()
				select {
				case err := <-errc:
					if err == nil {
						t.Errorf("the cancelled request succeeded")
					}
				case <-time.After(waitLimit):
					t.Fatal("the client did not return after cancel")
				}
				h.wait(t, "after cancel")
			})
		}
	}
}

func TestTransportAbortIsAConnectionError(t *testing.T) {
	client := &http.Client{Transport: sim.HandlerTransport(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(http.ErrAbortHandler)
	}))}
	if resp, err := client.Get("http://sim/x"); err == nil {
		resp.Body.Close()
		t.Fatal("a panicking handler produced a response")
	}
}

func TestTransportUnaryResponse(t *testing.T) {
	tg := memTarget(t, sim.Options{})
	resp, data := tg.post(t, "/chat/completions", map[string]any{"model": "m", "messages": userMsg("hi")})
	if resp.StatusCode != http.StatusOK || resp.ContentLength != int64(len(data)) {
		t.Errorf("status %d, content length %d for %d bytes", resp.StatusCode, resp.ContentLength, len(data))
	}
	for _, h := range []string{"X-Request-Id", "Openai-Version", "X-Ratelimit-Limit-Requests", "Openai-Processing-Ms"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("missing header %s", h)
		}
	}
}
