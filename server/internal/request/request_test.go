package request_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/server/internal/request"
)

func TestIDsAreUniqueAndPrefixed(t *testing.T) {
	seen := map[string]bool{}
	for range 10000 {
		id := request.NewID()
		if !strings.HasPrefix(id, "req_") || seen[id] {
			t.Fatalf("id %q repeated or unprefixed", id)
		}
		seen[id] = true
	}
}

func TestEnsureKeepsAnExistingInfo(t *testing.T) {
	ctx, info := request.Ensure(context.Background())
	if info == nil || info.ID == "" || request.From(ctx) != info {
		t.Fatal("Ensure did not attach a fresh Info")
	}
	ctx2, info2 := request.Ensure(ctx)
	if ctx2 != ctx || info2 != info {
		t.Fatal("Ensure replaced an existing Info")
	}
	if request.PrincipalFrom(context.Background()) != nil {
		t.Fatal("principal from an empty context")
	}
}

// The middleware sets the id header before the handler runs, and at Debug
// the wrapped writer still flushes (SSE depends on it).
func TestMiddlewareSetsIDAndKeepsFlushing(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
		logger := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: level}))
		var seen *request.Info
		h := request.Middleware(logger, nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen = request.From(r.Context())
			if err := http.NewResponseController(w).Flush(); err != nil {
				t.Errorf("level %v: flush: %v", level, err)
			}
		}))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		if seen == nil || rec.Header().Get(request.HeaderID) != seen.ID || !rec.Flushed {
			t.Fatalf("level %v: info %+v, header %q, flushed %v", level, seen, rec.Header().Get(request.HeaderID), rec.Flushed)
		}
	}
}
