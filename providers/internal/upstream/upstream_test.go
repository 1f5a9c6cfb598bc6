package upstream_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/internal/upstream"
)

func TestTransportErrorClassifies(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		err  error
		want llm.Kind
	}{
		{"canceled", canceled, errors.New("x"), llm.KindCanceled},
		{"deadline", context.Background(), context.DeadlineExceeded, llm.KindTimeout},
		{"refused", context.Background(), &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, llm.KindUnavailable},
		{"dns", context.Background(), &net.DNSError{Name: "nowhere.invalid"}, llm.KindUnavailable},
		{"other", context.Background(), errors.New("boom"), llm.KindUnavailable},
	} {
		e := upstream.TransportError(tc.ctx, "prov", tc.err)
		if e.Kind != tc.want || e.Provider != "prov" || !errors.Is(e, tc.err) && tc.name != "canceled" {
			t.Errorf("%s: kind %v provider %q, want %v", tc.name, e.Kind, e.Provider, tc.want)
		}
	}
	if e := upstream.ReadError(context.Background(), "prov", errors.New("reset")); e.Kind != llm.KindUpstream {
		t.Errorf("a broken read is %v, want upstream", e.Kind)
	}
}

func TestReadBody(t *testing.T) {
	buf, err := upstream.ReadBody(context.Background(), "prov", strings.NewReader(`{"ok":true}`))
	if err != nil || buf.String() != `{"ok":true}` {
		t.Fatalf("ReadBody: %q, %v", buf, err)
	}
	upstream.PutBuffer(buf)
}
