package gateway

import (
	"context"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/billing/admit"
	"github.com/switchboard-gw/switchboard/billing/limits"
	"github.com/switchboard-gw/switchboard/billing/meter"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/router"
)

// admission is the gateway's admission controller (billing/admit) and the
// prices it reserves by.
type admission struct {
	c      *admit.Controller
	prices *AdmissionPrices
}

// WithAdmission admits every completion and embeddings request through c
// before it is routed (max_cost, Idempotency-Key, rate limits, budgets),
// settles it when it ends, and enforces deployments' declared RPM and TPM
// across instances through c (router.DeploymentGate). prices must be the
// Pricer c was built with: the gateway keeps it current on every reload.
// Actual costs come from metering: without WithMeter the gateway meters
// for admission alone (no spend records).
func WithAdmission(c *admit.Controller, prices *AdmissionPrices) Option {
	return func(b *buildOptions) { b.admission = &admission{c: c, prices: prices} }
}

// Admission returns the gateway's admission controller (nil without
// WithAdmission), for the admin API.
func (g *Gateway) Admission() *admit.Controller {
	if g.opts.admission == nil {
		return nil
	}
	return g.opts.admission.c
}

// finishAdmission completes the options once all are applied: admission
// needs a meter to learn what attempts cost.
func (o *buildOptions) finishAdmission() {
	a := o.admission
	if a == nil {
		return
	}
	if o.meter == nil {
		o.meter = meter.New(meter.Options{})
	}
	o.meter.AddCostSink(func(ctx context.Context, at *llm.Attempt, c meter.Charge) { a.c.ObserveCost(ctx, at, c.NanoUSD) })
}

// deploymentGate is the router's gate: deployments' limits, shared.
func (o *buildOptions) deploymentGate() router.DeploymentGate {
	a := o.admission
	if a == nil {
		return nil
	}
	return func(ctx context.Context, d *router.Deployment) error {
		return a.c.AdmitDeployment(ctx, d.Name, d.Limits.RPM, d.Limits.TPM)
	}
}

// admissionReloaded points the worst-case prices at a new router and
// configuration's prices.
func (o *buildOptions) admissionReloaded(r *router.Router, p *configPricer) {
	if a := o.admission; a != nil && a.prices != nil {
		a.prices.reset(r, p)
	}
}

// callerOf is who p is, with its key's own limits.
func callerOf(p *auth.Principal) admit.Caller {
	c := admit.Caller{KeyID: p.KeyID, TeamID: p.TeamID, UserID: p.UserID,
		Key: admit.KeyLimits{RPM: p.Limits.RPM, TPM: p.Limits.TPM, BudgetNanoUSD: p.Limits.BudgetNanoUSD}}
	switch p.Limits.BudgetPeriod {
	case auth.BudgetDaily:
		c.Key.BudgetWindow = limits.Daily
	case auth.BudgetMonthly:
		c.Key.BudgetWindow = limits.Monthly
	default:
		c.Key.BudgetWindow = limits.Lifetime
	}
	return c
}

// admitRequest admits a completion: it returns the context and request to
// route (a downgrade budget may have changed the alias) and the ticket to
// finish, which is nil without admission and Replayed when the answer is
// an idempotent replay.
func (g *Gateway) admitRequest(ctx context.Context, p *auth.Principal, req *llm.Request, stream bool) (context.Context, *llm.Request, *admit.Ticket, error) {
	a := g.opts.admission
	if a == nil {
		return ctx, req, nil, nil
	}
	t, err := a.c.Admit(ctx, callerOf(p), req, stream)
	if err != nil {
		return ctx, req, nil, err
	}
	return t.Context(ctx), t.Request(req), t, nil
}

// admitEmbed admits an embeddings request.
func (g *Gateway) admitEmbed(ctx context.Context, p *auth.Principal, req *llm.EmbedRequest) (context.Context, *llm.EmbedRequest, *admit.Ticket, error) {
	a := g.opts.admission
	if a == nil {
		return ctx, req, nil, nil
	}
	t, err := a.c.AdmitEmbed(ctx, callerOf(p), req)
	if err != nil {
		return ctx, req, nil, err
	}
	if m := t.Model(); m != req.Model {
		up := *req
		up.Model = m
		req = &up
	}
	return t.Context(ctx), req, t, nil
}
