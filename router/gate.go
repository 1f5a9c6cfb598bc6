package router

import "context"

// DeploymentGate is asked before each attempt on a deployment that
// declares limits (Limits.RPM or TPM), with the request's context: nil lets
// the attempt go ahead; an error (a rate limit) skips the deployment for
// this attempt, as if it were busy, and the router moves on to the next
// one (and, when the alias has none left, to its fallbacks for overload).
// When nothing else answers, the caller gets the gate's last error. The
// gateway enforces deployments' limits across instances with it
// (billing/admit); the router's own per-instance counts still steer the
// usage-based strategy. It must be safe for concurrent use.
type DeploymentGate func(ctx context.Context, d *Deployment) error

// admitted asks the gate about an attempt on m; on refusal it gives back
// the breaker's probe slot and remembers the refusal for finalError.
func (rn *run) admitted(m *member, probe bool) bool {
	if rn.r.gate == nil || !m.hasLimits {
		return true
	}
	if err := rn.r.gate(rn.ctx, m.d); err != nil {
		m.st.breaker.release(probe)
		rn.gateErr = err
		return false
	}
	return true
}
