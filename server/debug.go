package server

import (
	"encoding/json"
	"net/http"

	"github.com/switchboard-gw/switchboard/auth"
	openaishim "github.com/switchboard-gw/switchboard/server/openai"
)

// debugOverhead serves GET /debug/overhead: the distributions of the
// gateway's own time (package telemetry/overhead) as JSON, to the admin key
// only, since traffic volumes and timings are operational data.
//
//	{"unary": {"count": N, "p50_ns": ..., "p90_ns": ..., "p99_ns": ..., "max_ns": ..., "mean_ns": ...,
//	           "histogram": {"count": N, "sum_ns": ..., "max_ns": ..., "buckets": [{"lo": ..., "hi": ..., "n": ...}]}},
//	 "stream_request": {...}, "stream_chunk": {...}}
//
// The histograms are cumulative since start; the difference of two readings
// (histogram.Snapshot.Sub) is the distribution of the time between them.
func (s *Server) debugOverhead(w http.ResponseWriter, r *http.Request) {
	token, _ := auth.BearerToken(r.Header.Get("Authorization"))
	if err := s.opts.Admin.Verify(token); err != nil {
		openaishim.WriteError(w, err)
		return
	}
	body, err := json.Marshal(s.opts.Overhead.Snapshot())
	if err != nil {
		openaishim.WriteError(w, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(body)
}
