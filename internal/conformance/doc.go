// Package conformance is Switchboard's translation contract: one table of
// canonical scenarios (an llm.Request in, the canonical result expected out)
// run through every provider translator against its simulator dialect, and
// through the gateway's three front doors (the OpenAI-shaped shim, the
// Anthropic-shaped Messages API and the Connect/gRPC CompletionService), plus
// the real recorded transcripts in ../shared/fixtures/providers.
//
// Tool calls that break in translation are the most common regression of
// LLM gateways, and they break silently: an argument dropped, an empty tool
// input, a usage field read under the wrong name. The suite makes every such
// change visible as a difference from one expected result.
//
// # The parts
//
//   - Scenarios (scenarios.go, scenarios_errors.go): the canonical requests
//     and what must come back. Error classes are provoked with the
//     simulator's fault directives ([[sim ...]], see providers/sim).
//   - Deviations (deviations.go): the one place where a provider or a front
//     door is allowed to answer differently: a scenario it cannot do
//     (Unsupported, which must be refused with an llm.Error of kind
//     InvalidRequest, never answered silently or wrongly) or a field that
//     differs (Difference, with the field and why). docs/providers.md's
//     matrix is generated from this table and the scenarios (matrix.go).
//   - Targets: the translators against one in-process simulator
//     (translators.go), and an in-process gateway (server.New over a router
//     with one deployment per translator) reached through each front door
//     with that front door's own client shape (frontdoors.go): the OpenAI
//     and Anthropic translators pointed at the gateway speak exactly the
//     OpenAI and Anthropic wire formats and turn the answers back into
//     canonical form; the generated Connect client speaks the proto API
//     (protoconv.go converts both ways).
//   - Results (result.go): a response or an error reduced to what the
//     contract is about (text, finish, tool calls, usage, reasoning, error
//     class), compared field by field.
//   - Transcripts (transcripts.go): every recorded fixture, replayed to its
//     translator, must decode to the result its row expects.
//
// Run it with go test ./internal/conformance/...; rewrite the matrix in
// docs/providers.md with go test ./internal/conformance -run TestMatrixDoc
// -update.
package conformance
