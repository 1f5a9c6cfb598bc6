package server

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/billing/spend"
	"github.com/switchboard-gw/switchboard/telemetry"
	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

// Defaults for the zero values of Options.
const (
	DefaultMaxBodyBytes    int64 = 10 << 20
	DefaultShutdownTimeout       = 30 * time.Second
)

// Options configures a Server.
type Options struct {
	// Addr is the host:port ListenAndServe listens on.
	Addr string
	// TLSCertFile and TLSKeyFile, when both are set, make the server speak
	// TLS (HTTP/1.1 and HTTP/2 negotiated by ALPN). Otherwise it speaks
	// unencrypted HTTP/1.1 and HTTP/2 with prior knowledge (h2c), which gRPC
	// clients need without TLS.
	TLSCertFile, TLSKeyFile string

	// Core answers completions, embeddings and model listings.
	Core Core
	// Keys verifies virtual keys and admin credentials and backs
	// AdminService's key RPCs. Build it with auth.WithAdmin(Admin) so that
	// it accepts the bootstrap admin key, and auth.WithFailureLimiter to
	// rate limit failed authentications on both transports.
	Keys *auth.Keys
	// Admin is the bootstrap admin key (see Keys).
	Admin *auth.Admin
	// Teams and Users back AdminService's team and user RPCs; without them
	// those RPCs answer Unimplemented.
	Teams *auth.Teams
	Users *auth.Users
	// Spend backs AdminService.QuerySpend (the spend ledger's reports);
	// without it QuerySpend answers Unimplemented.
	Spend *spend.Reports
	// Limits backs AdminService's limits RPCs (SetLimits, GetLimits,
	// GetLimitUsage): the gateway's admission controller
	// (*admit.Controller). Without it they answer Unimplemented.
	Limits LimitsAdmin
	// Audit, when set, keeps the audit trail: every admin write (and every
	// read of the trail) is recorded, the audit RPCs are served, and with
	// Audit.Requests one record is kept per completion and embeddings
	// request. Nil: no audit trail; the audit RPCs answer Unimplemented.
	Audit *AuditOptions

	// MaxBodyBytes bounds a request: for Connect, gRPC and gRPC-Web the size
	// of one (decompressed) request message, refused with ResourceExhausted;
	// for the OpenAI shim the size of the body, refused with 413 and an
	// OpenAI-shaped error. Zero means DefaultMaxBodyBytes (10 MiB).
	MaxBodyBytes int64
	// ShutdownTimeout is how long in-flight requests and streams get to
	// finish once Serve's context is done; the ones still running then are
	// canceled. Zero means DefaultShutdownTimeout (30 s).
	ShutdownTimeout time.Duration
	// CORSAllowedOrigins lists the browser origins allowed to call the API
	// (Connect, gRPC-Web and the shim), e.g. "https://app.example.com"; a
	// "*" entry allows any origin, and "https://*.example.com" a family.
	// Nil means ["*"]: callers authenticate with bearer keys, never cookies,
	// so a permissive default exposes nothing a script could not already
	// reach with the key. An empty non-nil slice disables cross-origin
	// access.
	CORSAllowedOrigins []string
	// Logger receives start/stop messages at Info and one line per request
	// at Debug. Nil means slog.Default().
	Logger *slog.Logger
	// Ready is an optional readiness check for /readyz (a database ping,
	// say). Nil means always ready while serving.
	Ready func() error
	// Overhead receives the gateway's own time per request and per stream
	// chunk (see package telemetry/overhead), served at GET /debug/overhead
	// to the admin key. Nil means a recorder of the server's own.
	Overhead *overhead.Recorder
	// Telemetry, when set, observes every API request: server span,
	// request and attempt metrics, access log (see telemetry.go). The
	// Debug request log is then replaced by its access log. Nil: none.
	Telemetry *telemetry.Telemetry
	// Metrics, when set, is served without authentication at MetricsPath
	// (default /metrics) on this server's listener: Prometheus scrapers
	// carry no keys. Leave it nil to serve metrics on a separate address.
	Metrics     http.Handler
	MetricsPath string
}

// DefaultMetricsPath is where Options.Metrics is served.
const DefaultMetricsPath = "/metrics"

func (o *Options) withDefaults() (Options, error) {
	out := *o
	if out.Core == nil {
		return out, errors.New("server: Options.Core is required")
	}
	if out.Keys == nil {
		return out, errors.New("server: Options.Keys is required")
	}
	if out.Admin == nil {
		return out, errors.New("server: Options.Admin is required")
	}
	if (out.TLSCertFile == "") != (out.TLSKeyFile == "") {
		return out, errors.New("server: set both TLSCertFile and TLSKeyFile, or neither")
	}
	if out.MaxBodyBytes < 0 {
		return out, errors.New("server: MaxBodyBytes must not be negative")
	}
	if out.MaxBodyBytes == 0 {
		out.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if out.ShutdownTimeout < 0 {
		return out, errors.New("server: ShutdownTimeout must not be negative")
	}
	if out.ShutdownTimeout == 0 {
		out.ShutdownTimeout = DefaultShutdownTimeout
	}
	if out.CORSAllowedOrigins == nil {
		out.CORSAllowedOrigins = []string{"*"}
	}
	if out.Logger == nil {
		out.Logger = slog.Default()
	}
	if out.Overhead == nil {
		out.Overhead = new(overhead.Recorder)
	}
	if out.MetricsPath == "" {
		out.MetricsPath = DefaultMetricsPath
	}
	return out, nil
}
