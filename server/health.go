package server

import (
	"net/http"
)

// Health endpoints for orchestrators. They need no key and say nothing
// about the configuration.
//
//	/healthz  liveness: 200 "ok" as long as the process serves HTTP at all.
//	/readyz   readiness: 200 "ok" while serving and Options.Ready (if any)
//	          returns nil; 503 once shutdown has begun, so load balancers
//	          stop sending new work while in-flight streams finish. Aliases
//	          with deployments whose circuit breaker is open are listed
//	          after "ok" (degradedReport), still with 200: a provider's
//	          outage is not this instance's.
func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	writePlain(w, http.StatusOK, "ok\n")
}

func (s *Server) readyz(w http.ResponseWriter, _ *http.Request) {
	if s.draining.Load() {
		writePlain(w, http.StatusServiceUnavailable, "shutting down\n")
		return
	}
	if s.opts.Ready != nil {
		if err := s.opts.Ready(); err != nil {
			// The check's error is for the operator's log, not for whoever
			// can reach the port.
			s.opts.Logger.Warn("readiness check failed", "err", err)
			writePlain(w, http.StatusServiceUnavailable, "not ready\n")
			return
		}
	}
	writePlain(w, http.StatusOK, "ok\n"+degradedReport(routingOf(s.opts.Core)))
}

func writePlain(w http.ResponseWriter, status int, body string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
