package frontdoor_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/server/internal/frontdoor"
	"github.com/switchboard-gw/switchboard/server/internal/servertest"
)

func TestReadBodyLimits(t *testing.T) {
	read := func(body string, declared int64) ([]byte, error) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.ContentLength = declared
		b, release, err := frontdoor.ReadBody(httptest.NewRecorder(), r, 8)
		if err != nil {
			return nil, err
		}
		defer release()
		return append([]byte(nil), b...), nil
	}
	if b, err := read("12345678", 8); err != nil || string(b) != "12345678" {
		t.Fatalf("at the limit: %q %v", b, err)
	}
	for _, declared := range []int64{9, -1} { // declared too large, and unknown length
		if _, err := read("123456789", declared); llm.KindOf(err) != llm.KindPayloadTooLarge {
			t.Fatalf("declared %d: %v", declared, err)
		}
	}
}

func TestRetryAfterRoundsUp(t *testing.T) {
	for d, want := range map[time.Duration]int64{time.Second: 1, 1500 * time.Millisecond: 2, time.Millisecond: 1, 3 * time.Second: 3} {
		if got := frontdoor.RetryAfterSeconds(d); got != want {
			t.Errorf("%v: %d, want %d", d, got, want)
		}
	}
}

// bufferedStream says its next chunk is ready.
type bufferedStream struct{ *servertest.Stream }

func (bufferedStream) Buffered() bool { return true }

func TestFlushDue(t *testing.T) {
	w := frontdoor.NewEventWriter(httptest.NewRecorder(), nil, nil)
	defer w.Release()
	ready := bufferedStream{servertest.NewStream(context.Background())}
	if err := w.Write([]byte("data: 1\n\n")); err != nil {
		t.Fatal(err)
	}
	if !w.FlushDue(ready) {
		t.Fatal("the first event must leave at once")
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	for i := range frontdoor.MaxCoalescedEvents {
		if w.FlushDue(ready) {
			t.Fatalf("flush due after %d events although the next chunk is ready", i)
		}
		_ = w.Write([]byte("data: x\n\n"))
	}
	if !w.FlushDue(ready) {
		t.Fatal("a burst must leave after MaxCoalescedEvents")
	}
	if !w.FlushDue(servertest.NewStream(context.Background())) {
		t.Fatal("nothing is ready: flush")
	}
}
