package admit

import (
	"context"

	"github.com/switchboard-gw/switchboard/billing/ratelimit"
	"github.com/switchboard-gw/switchboard/llm"
)

// DeploymentScope is the rate-limit scope of a deployment.
func DeploymentScope(name string) string { return "deployment:" + name }

// AdmitDeployment checks a deployment's declared RPM and TPM before the
// router sends it an attempt, with the limiter every instance shares, so
// that N gateways together stay within what the deployment accepts. The
// router moves on to its next deployment when it refuses (the error is a
// rate limit, given to the caller when no deployment is left). TPM is
// charged the request's estimate (ctx's ticket; 0 without one) and
// corrected when the attempt ends.
func (c *Controller) AdmitDeployment(ctx context.Context, name string, rpm, tpm int64) error {
	if c.o.Limiter == nil {
		return nil
	}
	var buf [2]ratelimit.Limit
	lim := buf[:0]
	if rpm > 0 {
		lim = append(lim, ratelimit.Limit{Scope: DeploymentScope(name), Kind: ratelimit.RPM, PerMinute: rpm})
	}
	if tpm > 0 {
		lim = append(lim, ratelimit.Limit{Scope: DeploymentScope(name), Kind: ratelimit.TPM, PerMinute: tpm})
	}
	if len(lim) == 0 {
		return nil
	}
	t := TicketFrom(ctx)
	var estimate int64
	if t != nil {
		estimate = t.estimate
	}
	d, err := c.o.Limiter.Check(ctx, lim, estimate)
	if err != nil {
		return llm.AsError(err)
	}
	if !d.Allowed {
		if s, ok := d.Rejection(); ok && c.o.Events.RateLimited != nil {
			c.o.Events.RateLimited(ctx, "deployment", string(s.Kind))
		}
		return d.Err()
	}
	if t != nil && tpm > 0 && !d.Degraded {
		t.mu.Lock()
		t.deployments = append(t.deployments, deploymentCharge{name: name, limits: append([]ratelimit.Limit(nil), lim...)})
		t.mu.Unlock()
	}
	return nil
}
