package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpcreflect"

	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
	anthropicshim "github.com/switchboard-gw/switchboard/server/anthropic"
	"github.com/switchboard-gw/switchboard/server/internal/request"
	openaishim "github.com/switchboard-gw/switchboard/server/openai"
	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

// Connection limits. There is deliberately no WriteTimeout: it would cut
// long streams in the middle; slow clients are bounded by the stream's own
// context instead. ReadTimeout is not set either, because on HTTP/1.1 it would
// also apply to the connection while a long response streams out;
// ReadHeaderTimeout bounds slowloris-style header trickling and MaxBodyBytes
// bounds what a body can cost.
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 120 * time.Second
	maxHeaderBytes    = 64 << 10
)

// Server is the gateway's one HTTP server: the Connect API (Connect, gRPC
// and gRPC-Web) for CompletionService and AdminService, gRPC reflection, the
// OpenAI-compatible shim under /v1/, the Anthropic-shaped front door at
// /v1/messages, and /healthz and /readyz, all on one port.
type Server struct {
	opts      Options
	handler   http.Handler
	tlsConfig *tls.Config
	// draining is set when shutdown begins; /readyz answers 503 from then on.
	draining atomic.Bool
}

// New builds a Server. It loads the TLS certificate, when configured, so a
// bad certificate fails at start rather than at the first connection.
func New(opts Options) (*Server, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Server{opts: o}
	if err := s.setUpTelemetry(); err != nil {
		return nil, err
	}
	s.setUpAudit()
	if o.TLSCertFile != "" {
		cert, err := tls.LoadX509KeyPair(o.TLSCertFile, o.TLSKeyFile)
		if err != nil {
			return nil, fmt.Errorf("server: loading TLS certificate: %w", err)
		}
		s.tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	s.handler = s.routes()
	return s, nil
}

// Handler returns the server's handler, for tests and for embedding in
// another server.
func (s *Server) Handler() http.Handler { return s.handler }

// Overhead returns the recorder of the gateway's own time per request.
func (s *Server) Overhead() *overhead.Recorder { return s.opts.Overhead }

func (s *Server) routes() http.Handler {
	o := &s.opts
	connectOpts := connect.WithHandlerOptions(
		// errorLogger is outermost so it also sees authentication failures
		// that are internal (a broken key store).
		connect.WithInterceptors(rpcOutcome{}, errorLogger{o.Logger}, &authInterceptor{keys: o.Keys}),
		connect.WithReadMaxBytes(int(o.MaxBodyBytes)),
		connect.WithRecover(s.recoverRPC),
	)
	mux := http.NewServeMux()
	mux.Handle(switchboardv1connect.NewCompletionServiceHandler(&completionService{core: o.Core, overhead: o.Overhead}, connectOpts))
	admin := &adminService{keys: o.Keys, teams: o.Teams, users: o.Users, routing: routingOf(o.Core), spend: o.Spend, audit: o.Audit,
		limits: o.Limits}
	mux.Handle(switchboardv1connect.NewAdminServiceHandler(admin, connectOpts, s.auditOption(admin)))

	// Reflection describes the public API to buf curl and grpcurl; it needs
	// no key, like the .proto files it serves.
	reflector := grpcreflect.NewStaticReflector(
		switchboardv1connect.CompletionServiceName,
		switchboardv1connect.AdminServiceName,
	)
	mux.Handle(grpcreflect.NewHandlerV1(reflector))
	mux.Handle(grpcreflect.NewHandlerV1Alpha(reflector))

	mux.Handle("/v1/", openaishim.NewHandler(openaishim.Options{
		Core:         o.Core,
		Keys:         o.Keys,
		MaxBodyBytes: o.MaxBodyBytes,
		Logger:       o.Logger,
		Overhead:     o.Overhead,
	}))
	// The Anthropic-shaped front door owns /v1/messages and what is under
	// it; the rest of /v1/ is the OpenAI shim's.
	anthropic := anthropicshim.NewHandler(anthropicshim.Options{
		Core:         o.Core,
		Keys:         o.Keys,
		MaxBodyBytes: o.MaxBodyBytes,
		Logger:       o.Logger,
		Overhead:     o.Overhead,
	})
	mux.Handle(anthropicshim.PathMessages, anthropic)
	mux.Handle(anthropicshim.PathMessages+"/", anthropic)
	s.mountMetrics(mux)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.HandleFunc("GET /debug/overhead", s.debugOverhead)

	return request.MiddlewareWithHooks(o.Logger, o.Overhead, requestHooks(o.Telemetry), withCORS(o.CORSAllowedOrigins, s.withClientInfo(mux)))
}

// recoverRPC turns a panic in a Connect handler into an Internal error for
// that one call, logged with the procedure, instead of a dropped connection.
func (s *Server) recoverRPC(ctx context.Context, spec connect.Spec, _ http.Header, p any) error {
	attrs := []any{"procedure", spec.Procedure, "panic", p}
	if info := request.From(ctx); info != nil {
		attrs = append(attrs, "request_id", info.ID)
	}
	s.opts.Logger.Error("panic in RPC handler", attrs...)
	return connect.NewError(connect.CodeInternal, errors.New("internal error"))
}

func (s *Server) newHTTPServer(base context.Context) *http.Server {
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	if s.tlsConfig != nil {
		protocols.SetHTTP2(true)
	} else {
		protocols.SetUnencryptedHTTP2(true)
	}
	srv := &http.Server{
		Handler:           s.handler,
		Protocols:         &protocols,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		BaseContext:       func(net.Listener) context.Context { return base },
		ErrorLog:          slog.NewLogLogger(s.opts.Logger.Handler(), slog.LevelWarn),
	}
	if s.tlsConfig != nil {
		srv.TLSConfig = s.tlsConfig.Clone()
	}
	return srv
}

// ListenAndServe listens on Options.Addr and calls Serve.
func (s *Server) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx is done, then shuts down gracefully: /readyz
// turns 503, the listener closes, idle connections close, and in-flight
// requests and streams get Options.ShutdownTimeout to finish. Those still
// running then have their contexts canceled (which aborts their upstream
// calls) and their connections closed. Serve returns nil after a clean
// shutdown, an error when it had to cancel requests or could not serve.
// It closes ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	// Requests inherit ctx's values but not its cancellation: ctx ending
	// starts the graceful shutdown, it must not abort in-flight streams.
	base, cancelRequests := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRequests()
	srv := s.newHTTPServer(base)

	served := make(chan error, 1)
	go func() {
		if s.tlsConfig != nil {
			served <- srv.ServeTLS(ln, "", "")
		} else {
			served <- srv.Serve(ln)
		}
	}()
	s.opts.Logger.Debug("serving", "addr", ln.Addr().String(), "tls", s.tlsConfig != nil)

	select {
	case err := <-served:
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}

	s.draining.Store(true)
	s.opts.Logger.Info("shutting down", "grace", s.opts.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownTimeout)
	defer cancel()
	var result error
	if err := srv.Shutdown(shutdownCtx); err != nil {
		cancelRequests()
		_ = srv.Close()
		result = fmt.Errorf("server: in-flight requests outlived the %s shutdown timeout and were canceled", s.opts.ShutdownTimeout)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) && result == nil {
		result = fmt.Errorf("server: %w", err)
	}
	// Budget settlements deferred until after answers that ended with their
	// handlers (streams) may still be running.
	if err := request.WaitAfterAnswers(shutdownCtx); err != nil && result == nil {
		result = fmt.Errorf("server: work after answers outlived the %s shutdown timeout", s.opts.ShutdownTimeout)
	}
	if result == nil {
		s.opts.Logger.Info("shut down cleanly")
	}
	return result
}
