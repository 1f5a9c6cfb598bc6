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

// With hooks, Begin's request is the one served and End learns the status
// and size of the answer; the Debug line is left to End.
func TestMiddlewareCallsItsHooks(t *testing.T) {
	var logs strings.Builder
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	type key struct{}
	var ended request.Result
	var endedInfo *request.Info
	hooks := &request.Hooks{
		Begin: func(r *http.Request, info *request.Info) *http.Request {
			return r.WithContext(context.WithValue(r.Context(), key{}, info.ID))
		},
		End: func(r *http.Request, info *request.Info, res request.Result) {
			if r.Context().Value(key{}) != info.ID {
				t.Error("End did not get Begin's request")
			}
			ended, endedInfo = res, info
		},
	}
	h := request.MiddlewareWithHooks(logger, nil, hooks, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Context().Value(key{}) == nil {
			t.Error("the handler did not get Begin's request")
		}
		w.WriteHeader(http.StatusTeapot)
		_, _ = io.WriteString(w, "short and stout")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if ended.Status != http.StatusTeapot || ended.Bytes != 15 || endedInfo == nil || endedInfo.ID != rec.Header().Get(request.HeaderID) {
		t.Errorf("End saw %+v, info %+v", ended, endedInfo)
	}
	if strings.Contains(logs.String(), "msg=request") {
		t.Errorf("the Debug line was written besides the hooks:\n%s", logs.String())
	}
}
