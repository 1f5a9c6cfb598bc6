package router

import (
	"sort"
	"time"
)

// DeploymentStatus is what the router knows of one deployment now.
type DeploymentStatus struct {
	Name     string
	Provider string
	Model    string
	// Aliases are the aliases that use the deployment, sorted.
	Aliases []string
	Breaker BreakerState
	// ProbeAt is when an open breaker lets a probe through.
	ProbeAt time.Time
	// Opened counts the times the breaker opened.
	Opened int64
	// Latency and TTFT are the moving averages of successful unary calls
	// and streams (0 without a sample); LatencyP95 and TTFTP95 estimates
	// of their 95th percentile.
	Latency, LatencyP95 time.Duration
	TTFT, TTFTP95       time.Duration
	// ErrorRate is the share of failed attempts in the last minute, over
	// Attempts attempts.
	ErrorRate float64
	Attempts  int64
	// Requests and Tokens are the last minute's counts against Limits.
	Requests, Tokens int64
	Limits           Limits
	// CoolingUntil is set while a Retry-After the deployment sent runs.
	CoolingUntil time.Time
	// Keys is the size of the credential pool.
	Keys int
}

// AliasStatus summarizes an alias's deployments.
type AliasStatus struct {
	Name        string
	Deployments int
	// Available counts the deployments whose breaker lets requests
	// through.
	Available int
	// Unavailable names the others.
	Unavailable []string
}

// Degraded reports whether some deployment is unavailable.
func (a AliasStatus) Degraded() bool { return len(a.Unavailable) > 0 }

// Down reports whether no deployment is available.
func (a AliasStatus) Down() bool { return a.Available == 0 }

// Status reports every deployment of the configured aliases, sorted by
// name, and every alias with deployments, sorted by name.
func (r *Router) Status() ([]DeploymentStatus, []AliasStatus) {
	now := r.clock.Now()
	ns := now.UnixNano()
	byName := map[string]*DeploymentStatus{}
	var aliases []AliasStatus
	for _, name := range r.names {
		a := r.aliases[name]
		if a.isRules {
			continue
		}
		as := AliasStatus{Name: name, Deployments: len(a.members)}
		for _, m := range a.members {
			if m.st.breaker.wouldAllow(m.breaker, ns) {
				as.Available++
			} else {
				as.Unavailable = append(as.Unavailable, m.d.Name)
			}
			ds := byName[m.d.Name]
			if ds == nil {
				ds = r.deploymentStatus(m, now)
				byName[m.d.Name] = ds
			}
			ds.Aliases = append(ds.Aliases, name)
		}
		aliases = append(aliases, as)
	}
	out := make([]DeploymentStatus, 0, len(byName))
	for _, ds := range byName {
		out = append(out, *ds)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, aliases
}

func (r *Router) deploymentStatus(m *member, now time.Time) *DeploymentStatus {
	ns := now.UnixNano()
	st := m.st
	state, openUntil, _, _, opened := st.breaker.snapshot(ns)
	ds := &DeploymentStatus{
		Name: m.d.Name, Provider: m.d.ProviderName, Model: m.d.Model,
		Breaker: state, Opened: opened, Limits: m.d.Limits, Keys: len(m.d.keys()),
	}
	if m.breaker.Disabled {
		ds.Breaker = BreakerClosed
	}
	if ds.Breaker == BreakerOpen {
		ds.ProbeAt = time.Unix(0, openUntil)
	}
	if c := st.coolUntil.Load(); c > ns {
		ds.CoolingUntil = time.Unix(0, c)
	}
	st.mu.Lock()
	seconds := func(x float64) time.Duration { return time.Duration(x * float64(time.Second)) }
	if st.latency.n > 0 {
		ds.Latency, ds.LatencyP95 = seconds(st.latency.mean), seconds(st.latency.percentile(95))
	}
	if st.ttft.n > 0 {
		ds.TTFT, ds.TTFTP95 = seconds(st.ttft.mean), seconds(st.ttft.percentile(95))
	}
	recent := st.recent.sum(ns)
	usage := st.usage.sum(ns)
	st.mu.Unlock()
	ds.Attempts = recent.ok + recent.fail
	if ds.Attempts > 0 {
		ds.ErrorRate = float64(recent.fail) / float64(ds.Attempts)
	}
	ds.Requests, ds.Tokens = usage.requests, usage.tokens
	return ds
}
