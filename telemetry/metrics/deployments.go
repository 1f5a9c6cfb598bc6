package metrics

import (
	"context"

	"go.opentelemetry.io/otel/metric"

	"github.com/switchboard-gw/switchboard/router"
)

// Breaker states as the gauge reports them.
const (
	BreakerClosed   = 0
	BreakerHalfOpen = 1
	BreakerOpen     = 2
)

// ObserveDeployments reports, at every collection, the state of each
// deployment's circuit breaker (switchboard_deployment_breaker_state: 0
// closed, 1 half-open, 2 open) and how often it opened
// (switchboard_deployment_breaker_opened_total), from status (the
// gateway's RoutingStatus). The returned function unregisters it.
func (m *Metrics) ObserveDeployments(status func() ([]router.DeploymentStatus, []router.AliasStatus)) (unregister func() error, err error) {
	if m == nil || status == nil {
		return func() error { return nil }, nil
	}
	state, err := m.meter.Int64ObservableGauge("switchboard.deployment.breaker.state",
		metric.WithDescription("Circuit breaker state per deployment: 0 closed, 1 half-open, 2 open."))
	if err != nil {
		return nil, err
	}
	opened, err := m.meter.Int64ObservableCounter("switchboard.deployment.breaker.opened",
		metric.WithDescription("Times a deployment's circuit breaker opened."), metric.WithUnit("{event}"))
	if err != nil {
		return nil, err
	}
	reg, err := m.meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		deployments, _ := status()
		for i := range deployments {
			d := &deployments[i]
			attrs := metric.WithAttributes(labelDeployment.String(d.Name), labelProvider.String(d.Provider))
			o.ObserveInt64(state, breakerValue(d.Breaker), attrs)
			o.ObserveInt64(opened, d.Opened, attrs)
		}
		return nil
	}, state, opened)
	if err != nil {
		return nil, err
	}
	return reg.Unregister, nil
}

func breakerValue(s router.BreakerState) int64 {
	switch s {
	case router.BreakerOpen:
		return BreakerOpen
	case router.BreakerHalfOpen:
		return BreakerHalfOpen
	}
	return BreakerClosed
}
