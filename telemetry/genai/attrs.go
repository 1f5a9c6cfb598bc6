package genai

import (
	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"
)

// SchemaURL is the semantic-conventions schema the attributes follow.
const SchemaURL = semconv.SchemaURL

// GenAI semantic-convention attributes.
const (
	OperationName       = semconv.GenAIOperationNameKey         // "chat", "embeddings"
	ProviderName        = semconv.GenAIProviderNameKey          // "openai", "anthropic", "gcp.gemini", ...
	RequestModel        = semconv.GenAIRequestModelKey          // the model asked for
	RequestMaxTokens    = semconv.GenAIRequestMaxTokensKey      // when set
	RequestTemperature  = semconv.GenAIRequestTemperatureKey    // when set
	ResponseModel       = semconv.GenAIResponseModelKey         // the model that answered
	ResponseID          = semconv.GenAIResponseIDKey            // the provider's answer id
	ResponseFinish      = semconv.GenAIResponseFinishReasonsKey // string slice, per choice
	UsageInputTokens    = semconv.GenAIUsageInputTokensKey      // includes cached input
	UsageOutputTokens   = semconv.GenAIUsageOutputTokensKey     // includes reasoning
	UsageCacheReadInput = semconv.GenAIUsageCacheReadInputTokensKey
	UsageCacheCreation  = semconv.GenAIUsageCacheCreationInputTokensKey
	TokenType           = semconv.GenAITokenTypeKey // "input" or "output", on gen_ai.client.token.usage
	ErrorType           = semconv.ErrorTypeKey
)

// Token types of gen_ai.client.token.usage.
var (
	TokenInput  = semconv.GenAITokenTypeInput
	TokenOutput = semconv.GenAITokenTypeOutput
)

// HTTP and RPC attributes of the server span.
const (
	HTTPRequestMethod      = semconv.HTTPRequestMethodKey
	HTTPRoute              = semconv.HTTPRouteKey
	HTTPResponseStatusCode = semconv.HTTPResponseStatusCodeKey
	URLPath                = semconv.URLPathKey
	NetworkProtocolVersion = semconv.NetworkProtocolVersionKey
	RPCSystemName          = semconv.RPCSystemNameKey
	RPCMethod              = semconv.RPCMethodKey
	RPCResponseStatusCode  = semconv.RPCResponseStatusCodeKey
)

// Switchboard's own attributes, on spans (and, for the bounded ones, on
// metrics as the label names in brackets).
const (
	Alias            = attribute.Key("switchboard.alias")             // [alias] alias that served (after rules and fallbacks)
	Deployment       = attribute.Key("switchboard.deployment")        // [deployment]
	Provider         = attribute.Key("switchboard.provider")          // [provider] the provider's configured name
	Transport        = attribute.Key("switchboard.transport")         // [transport] connect, grpc, grpc_web, openai, anthropic
	Outcome          = attribute.Key("switchboard.outcome")           // [outcome] ok or an error kind
	RequestID        = attribute.Key("switchboard.request.id")        // the X-Request-Id
	KeyID            = attribute.Key("switchboard.key.id")            // the virtual key's id, never its secret (spans only)
	TeamID           = attribute.Key("switchboard.team.id")           // spans only
	UserID           = attribute.Key("switchboard.user.id")           // spans only
	Stream           = attribute.Key("switchboard.stream")            // a streamed completion
	AttemptNumber    = attribute.Key("switchboard.attempt.number")    // from 1
	AttemptReason    = attribute.Key("switchboard.attempt.reason")    // [reason] first, failover, retry, fallback, key, hedge, continuation
	AttemptOutcome   = attribute.Key("switchboard.attempt.outcome")   // [outcome] ok, failed, broken, canceled
	AttemptKeyIndex  = attribute.Key("switchboard.attempt.key_index") // credential-pool key index
	AttemptPrevious  = attribute.Key("switchboard.attempt.previous_deployment")
	AttemptCause     = attribute.Key("switchboard.attempt.cause")       // error kind of the previous attempt: why this one was made
	UpstreamStatus   = attribute.Key("switchboard.upstream.status")     // HTTP status of a failed attempt
	UsageEstimated   = attribute.Key("switchboard.usage.estimated")     // usage counted by the gateway, not reported
	CostUSD          = attribute.Key("switchboard.cost.usd")            // metering's cost, when known
	RoutingRule      = attribute.Key("switchboard.routing.rule")        // the content rule that chose the alias
	AttemptCount     = attribute.Key("switchboard.attempts")            // attempts the request made
	TimeToFirstToken = attribute.Key("switchboard.time_to_first_token") // seconds, streams
)
