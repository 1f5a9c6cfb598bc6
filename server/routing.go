package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/switchboard-gw/switchboard/auth"
	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/router"
	"github.com/switchboard-gw/switchboard/server/internal/routeheader"
)

// RoutingStatus is implemented by a Core that routes (*gateway.Gateway):
// the state of its deployments and aliases, for /readyz and
// AdminService.ListDeployments.
type RoutingStatus interface {
	RoutingStatus() ([]router.DeploymentStatus, []router.AliasStatus)
}

// routingOf returns core's RoutingStatus, or nil.
func routingOf(core Core) RoutingStatus {
	rs, _ := core.(RoutingStatus)
	return rs
}

// noteRoute sets the route headers (attempts, alias, rule).
func noteRoute(h http.Header, rt *llm.Route) { routeheader.Set(h, rt) }

// routeToProto converts a route; nil stays nil.
func routeToProto(rt *llm.Route) *switchboardv1.Route {
	if rt == nil {
		return nil
	}
	out := &switchboardv1.Route{Alias: rt.Alias, Rule: rt.Rule, Attempts: make([]*switchboardv1.Attempt, len(rt.Attempts))}
	for i := range rt.Attempts {
		a := &rt.Attempts[i]
		pa := &switchboardv1.Attempt{
			Number:         int32(a.Number),
			Alias:          a.Alias,
			Deployment:     a.Deployment,
			Provider:       a.Provider,
			Model:          a.Model,
			Key:            int32(a.Key),
			Reason:         attemptReasons[a.Reason],
			Outcome:        attemptOutcomes[a.Outcome],
			UpstreamStatus: int32(a.Status),
			Latency:        durationpb.New(a.Latency),
			Usage:          usageToProto(&a.Usage),
			UsageEstimated: a.UsageEstimated,
		}
		if !a.Start.IsZero() {
			pa.StartTime = timestamppb.New(a.Start)
		}
		if a.TTFT > 0 {
			pa.TimeToFirstToken = durationpb.New(a.TTFT)
		}
		if a.Failed() {
			_, pa.ErrorReason, _, _ = connectCodeOf(&llm.Error{Kind: a.ErrorKind})
		}
		out.Attempts[i] = pa
	}
	return out
}

var attemptReasons = map[llm.AttemptReason]switchboardv1.AttemptReason{
	llm.AttemptFirst:        switchboardv1.AttemptReason_ATTEMPT_REASON_FIRST,
	llm.AttemptFailover:     switchboardv1.AttemptReason_ATTEMPT_REASON_FAILOVER,
	llm.AttemptRetry:        switchboardv1.AttemptReason_ATTEMPT_REASON_RETRY,
	llm.AttemptFallback:     switchboardv1.AttemptReason_ATTEMPT_REASON_FALLBACK,
	llm.AttemptKey:          switchboardv1.AttemptReason_ATTEMPT_REASON_KEY,
	llm.AttemptHedge:        switchboardv1.AttemptReason_ATTEMPT_REASON_HEDGE,
	llm.AttemptContinuation: switchboardv1.AttemptReason_ATTEMPT_REASON_CONTINUATION,
}

var attemptOutcomes = map[llm.AttemptOutcome]switchboardv1.AttemptOutcome{
	llm.OutcomeOK:        switchboardv1.AttemptOutcome_ATTEMPT_OUTCOME_OK,
	llm.OutcomeFailed:    switchboardv1.AttemptOutcome_ATTEMPT_OUTCOME_FAILED,
	llm.OutcomeBroken:    switchboardv1.AttemptOutcome_ATTEMPT_OUTCOME_BROKEN,
	llm.OutcomeCanceled:  switchboardv1.AttemptOutcome_ATTEMPT_OUTCOME_CANCELED,
	llm.OutcomeStreaming: switchboardv1.AttemptOutcome_ATTEMPT_OUTCOME_STREAMING,
}

// ListDeployments reports the router's view of every deployment. It reads
// no team's data; admins and auditors of every team may call it.
func (s *adminService) ListDeployments(ctx context.Context, _ *connect.Request[switchboardv1.ListDeploymentsRequest]) (*connect.Response[switchboardv1.ListDeploymentsResponse], error) {
	if err := authorizeGlobal(ctx, auth.AccessRead); err != nil {
		return nil, err
	}
	out := &switchboardv1.ListDeploymentsResponse{}
	if s.routing == nil {
		return connect.NewResponse(out), nil
	}
	deployments, aliases := s.routing.RoutingStatus()
	for i := range deployments {
		out.Deployments = append(out.Deployments, deploymentStatusToProto(&deployments[i]))
	}
	for _, a := range aliases {
		out.Aliases = append(out.Aliases, &switchboardv1.AliasStatus{
			Name: a.Name, Deployments: int32(a.Deployments), Available: int32(a.Available), Unavailable: a.Unavailable,
		})
	}
	return connect.NewResponse(out), nil
}

func deploymentStatusToProto(d *router.DeploymentStatus) *switchboardv1.DeploymentStatus {
	out := &switchboardv1.DeploymentStatus{
		Name:                   d.Name,
		Provider:               d.Provider,
		Model:                  d.Model,
		Aliases:                d.Aliases,
		BreakerState:           breakerStates[d.Breaker],
		BreakerOpened:          d.Opened,
		ErrorRate:              d.ErrorRate,
		Attempts:               d.Attempts,
		RequestsLastMinute:     d.Requests,
		TokensLastMinute:       d.Tokens,
		RequestsPerMinuteLimit: d.Limits.RPM,
		TokensPerMinuteLimit:   d.Limits.TPM,
		Keys:                   int32(d.Keys),
	}
	if !d.ProbeAt.IsZero() {
		out.ProbeTime = timestamppb.New(d.ProbeAt)
	}
	if !d.CoolingUntil.IsZero() {
		out.RetryAfterTime = timestamppb.New(d.CoolingUntil)
	}
	durations := []struct {
		d   time.Duration
		dst **durationpb.Duration
	}{{d.Latency, &out.Latency}, {d.LatencyP95, &out.LatencyP95}, {d.TTFT, &out.TimeToFirstToken}, {d.TTFTP95, &out.TimeToFirstTokenP95}}
	for _, x := range durations {
		if x.d > 0 {
			*x.dst = durationpb.New(x.d)
		}
	}
	return out
}

var breakerStates = map[router.BreakerState]switchboardv1.BreakerState{
	router.BreakerClosed:   switchboardv1.BreakerState_BREAKER_STATE_CLOSED,
	router.BreakerOpen:     switchboardv1.BreakerState_BREAKER_STATE_OPEN,
	router.BreakerHalfOpen: switchboardv1.BreakerState_BREAKER_STATE_HALF_OPEN,
}

// degradedReport is the part of the /readyz body that lists the aliases
// with unavailable deployments: "degraded: chat (1 of 3 deployments
// unavailable), vision (all 2 deployments unavailable)". It is empty when
// every deployment is available. It names aliases only (which every key
// holder can list); deployment details are for AdminService.
// ListDeployments. A provider outage does not make the instance unready:
// taking every replica out of the load balancer would turn one provider's
// outage into the gateway's.
func degradedReport(rs RoutingStatus) string {
	if rs == nil {
		return ""
	}
	_, aliases := rs.RoutingStatus()
	var b strings.Builder
	for _, a := range aliases {
		if !a.Degraded() {
			continue
		}
		if b.Len() == 0 {
			b.WriteString("degraded:")
		} else {
			b.WriteByte(',')
		}
		if a.Down() {
			fmt.Fprintf(&b, " %s (all %d deployments unavailable)", a.Name, a.Deployments)
		} else {
			fmt.Fprintf(&b, " %s (%d of %d deployments unavailable)", a.Name, len(a.Unavailable), a.Deployments)
		}
	}
	if b.Len() > 0 {
		b.WriteByte('\n')
	}
	return b.String()
}
