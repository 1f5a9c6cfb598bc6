package cli

import (
	"context"
	"flag"
	"log/slog"
	"time"

	"github.com/switchboard-gw/switchboard/audit"
	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/server"
)

// auditFlags are serve's flags for the audit trail.
type auditFlags struct {
	requests                                       *bool
	requestRetention, payloadRetention, sweepEvery *time.Duration
}

func addAuditFlags(fs *flag.FlagSet) auditFlags {
	return auditFlags{
		requests:         fs.Bool("audit-requests", true, "keep a record of every completion and embeddings request in the audit trail"),
		requestRetention: fs.Duration("audit-request-retention", audit.DefaultRequestRetention, "how long request records are kept (0: for ever)"),
		payloadRetention: fs.Duration("audit-payload-retention", audit.DefaultPayloadRetention, "how long captured payloads are kept for teams that set no retention of their own"),
		sweepEvery:       fs.Duration("audit-sweep-interval", audit.DefaultSweepInterval, "how often records and payloads past their retention are deleted"),
	}
}

// startAudit builds the audit trail over st: admin events always; request
// records, payload capture and their retention sweeper unless
// --audit-requests=false. stop ends the background work once the server
// has drained, writing the last records first.
func startAudit(ctx context.Context, st keyStore, keys *auth.Keys, f auditFlags, logger *slog.Logger) (opts *server.AuditOptions, stop func()) {
	opts = &server.AuditOptions{
		Store:   st,
		Trail:   audit.NewTrail(st, nil),
		Privacy: audit.NewPrivacy(auth.NewUsers(st, nil), keys, st, audit.PrivacyOptions{Spend: st}),
	}
	if !*f.requests {
		return opts, func() {}
	}
	opts.Requests = audit.NewRequestLog(st, audit.RequestLogOptions{Teams: st, Logger: logger})
	retention := *f.requestRetention
	if retention == 0 {
		retention = -1 // for ever
	}
	sweeper := audit.NewSweeper(st, audit.SweeperOptions{RequestRetention: retention, PayloadRetention: *f.payloadRetention, Logger: logger})
	// The writer outlives ctx, so that requests still draining after a
	// shutdown signal are recorded too; the sweeper stops with ctx.
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	wrote, swept := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(wrote)
		_ = opts.Requests.Run(runCtx)
	}()
	go func() {
		defer close(swept)
		_ = sweeper.Run(runCtx, *f.sweepEvery)
	}()
	return opts, func() {
		cancel()
		<-wrote
		<-swept
	}
}
