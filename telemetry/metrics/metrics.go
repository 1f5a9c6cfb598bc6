package metrics

import (
	"errors"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/switchboard-gw/switchboard/telemetry/genai"
)

// ScopeName is the instrumentation scope of Switchboard's metrics.
const ScopeName = "github.com/switchboard-gw/switchboard"

// CardinalityLimit is the most series one instrument keeps; further label
// combinations are folded into an overflow series. Package telemetry sets
// it on the meter provider.
const CardinalityLimit = 2000

// Options configure what the metrics carry.
type Options struct {
	// TeamLabel adds a "team" label (the team id) to the cost counter, for
	// spend per team on dashboards. Off by default: the number of teams is
	// the operator's to bound.
	TeamLabel bool
}

// Metrics records Switchboard's metrics. A nil *Metrics records nothing.
type Metrics struct {
	opts Options

	// GenAI semantic conventions.
	tokenUsage        metric.Int64Histogram   // gen_ai.client.token.usage, per attempt
	operationDuration metric.Float64Histogram // gen_ai.client.operation.duration, per attempt
	timeToFirstToken  metric.Float64Histogram // gen_ai.server.time_to_first_token, per streamed request
	timePerOutput     metric.Float64Histogram // gen_ai.server.time_per_output_token, per streamed request

	// Switchboard's own.
	requests        metric.Int64Counter
	requestDuration metric.Float64Histogram
	inFlight        metric.Int64UpDownCounter
	attempts        metric.Int64Counter
	fallbacks       metric.Int64Counter
	cost            metric.Float64Counter
	rateLimited     metric.Int64Counter
	budgetRejected  metric.Int64Counter

	meter  metric.Meter
	ledger ledgerGauges

	// Attribute sets already built, by label values (sets.go).
	transportSets setCache[string, metric.MeasurementOption]
	requestSets   setCache[requestKey, metric.MeasurementOption]
	streamSets    setCache[streamKey, metric.MeasurementOption]
	attemptSets   setCache[attemptKey, attemptSets]
}

// Bucket boundaries: the GenAI conventions' advice for their metrics, and
// request durations from 5 ms to 5 min for the gateway's.
var (
	tokenBuckets    = []float64{1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864}
	durationBuckets = []float64{0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92}
	ttftBuckets     = []float64{0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0}
	tpotBuckets     = []float64{0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5}
	requestBuckets  = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300}
)

// New creates the instruments on meter (from the provider package
// telemetry sets up, or a test's).
func New(meter metric.Meter, opts Options) (*Metrics, error) {
	m := &Metrics{opts: opts, meter: meter}
	var errs []error
	check := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	var err error
	m.tokenUsage, err = meter.Int64Histogram("gen_ai.client.token.usage",
		metric.WithDescription("Number of input and output tokens used, per provider attempt."),
		metric.WithUnit("{token}"), metric.WithExplicitBucketBoundaries(tokenBuckets...))
	check(err)
	m.operationDuration, err = meter.Float64Histogram("gen_ai.client.operation.duration",
		metric.WithDescription("Duration of each provider attempt (until the response, or the end of the stream)."),
		metric.WithUnit("s"), metric.WithExplicitBucketBoundaries(durationBuckets...))
	check(err)
	m.timeToFirstToken, err = meter.Float64Histogram("gen_ai.server.time_to_first_token",
		metric.WithDescription("Time from a streamed request's arrival to its first chunk, as the gateway's callers see it."),
		metric.WithUnit("s"), metric.WithExplicitBucketBoundaries(ttftBuckets...))
	check(err)
	m.timePerOutput, err = meter.Float64Histogram("gen_ai.server.time_per_output_token",
		metric.WithDescription("Time per output token after the first, for successful streamed requests."),
		metric.WithUnit("s"), metric.WithExplicitBucketBoundaries(tpotBuckets...))
	check(err)

	m.requests, err = meter.Int64Counter("switchboard.requests",
		metric.WithDescription("Requests served, by transport, operation, alias, deployment and outcome."),
		metric.WithUnit("{request}"))
	check(err)
	m.requestDuration, err = meter.Float64Histogram("switchboard.request.duration",
		metric.WithDescription("Time from a request's arrival to the end of its answer (for streams, the last chunk)."),
		metric.WithUnit("s"), metric.WithExplicitBucketBoundaries(requestBuckets...))
	check(err)
	m.inFlight, err = meter.Int64UpDownCounter("switchboard.requests.in_flight",
		metric.WithDescription("Requests being served."), metric.WithUnit("{request}"))
	check(err)
	m.attempts, err = meter.Int64Counter("switchboard.attempts",
		metric.WithDescription("Provider attempts, by deployment, reason and outcome."), metric.WithUnit("{attempt}"))
	check(err)
	m.fallbacks, err = meter.Int64Counter("switchboard.fallbacks",
		metric.WithDescription("Moves to another deployment after a failure: failover within an alias, fallback to another alias, continuation of a broken stream."),
		metric.WithUnit("{attempt}"))
	check(err)
	// The unit is an annotation ({USD}) so that Prometheus names the
	// counter switchboard_cost_usd_total, not ..._USD_total.
	m.cost, err = meter.Float64Counter("switchboard.cost.usd",
		metric.WithDescription("Cost of provider attempts in US dollars, as metering prices them."), metric.WithUnit("{USD}"))
	check(err)
	m.rateLimited, err = meter.Int64Counter("switchboard.ratelimit.rejections",
		metric.WithDescription("Requests refused by a rate limit, by scope and limit."), metric.WithUnit("{request}"))
	check(err)
	m.budgetRejected, err = meter.Int64Counter("switchboard.budget.rejections",
		metric.WithDescription("Requests over a budget, by scope, period and action (reject, downgrade)."), metric.WithUnit("{request}"))
	check(err)
	if err := m.ledger.init(meter); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return m, nil
}

// Label keys of the switchboard.* metrics (Prometheus label names).
const (
	labelTransport      = attribute.Key("transport")
	labelOperation      = attribute.Key("operation")
	labelAlias          = attribute.Key("alias")
	labelDeployment     = attribute.Key("deployment")
	labelProvider       = attribute.Key("provider")
	labelOutcome        = attribute.Key("outcome")
	labelReason         = attribute.Key("reason")
	labelKind           = attribute.Key("kind")
	labelCause          = attribute.Key("cause")
	labelFromDeployment = attribute.Key("from_deployment")
	labelFromProvider   = attribute.Key("from_provider")
	labelToDeployment   = attribute.Key("to_deployment")
	labelToProvider     = attribute.Key("to_provider")
	labelTeam           = attribute.Key("team")
	labelScope          = attribute.Key("scope")
	labelLimit          = attribute.Key("limit")
	labelPeriod         = attribute.Key("period")
	labelAction         = attribute.Key("action")
	labelState          = attribute.Key("state")
	labelPhase          = attribute.Key("phase")
)

// genaiDeployment is the deployment on the GenAI metrics, named like the
// span attribute (Prometheus: switchboard_deployment).
const genaiDeployment = genai.Deployment
