// Package conformance is Switchboard's translation contract: one table of
// canonical scenarios (an llm.Request in, the canonical result expected out)
// run through every provider translator against its simulator dialect, and
// through the gateway's three front doors (the OpenAI-shaped shim, the
// Anthropic-shaped Messages API and the Connect/gRPC CompletionService), plus
// the real recorded transcripts in ../shared/fixtures/providers.
//
// Tool calls that break in translation are the most common regression of
// LLM gateways, and they break silently: an argument dropped, an empty tool
// input, a usage field read under the wrong name. The suite turns every such
// change into a difference from one expected result.
//
// # The parts
//
//   - Scenarios (scenario.go, scenarios.go, scenarios_errors.go): the
//     canonical requests and what must come back. Answers are the
//     simulator's, a deterministic function of the conversation, so the same
//     conversation reaching the model through any translator gets the same
//     text and token counts. Error classes are provoked with the simulator's
//     fault directives ([[sim ...]], see providers/sim).
//   - Deviations (deviation.go, deviations.go): the one place where a
//     provider or a front door may answer differently: a scenario it cannot
//     do (Unsupported, which must be refused with an llm.Error of kind
//     InvalidRequest, never answered silently or wrongly) or fields that
//     differ (Difference, with the fields and why, and how the expectation
//     changes so that the other value is still asserted). A difference no
//     run observes fails the suite as stale.
//   - Targets: every translator against one in-process simulator on a
//     loopback httptest server (translators.go), and an in-process gateway
//     (server.New over a router with one deployment per translator, scenario,
//     front door and mode) reached through each front door with that front
//     door's own client shape (frontdoors.go): the OpenAI and Anthropic
//     translators pointed at the gateway speak exactly the OpenAI and
//     Anthropic wire formats and turn the answers back into canonical form;
//     the generated Connect client speaks the proto API (connectclient.go,
//     with protoconv.go converting both ways from the .proto alone).
//   - Results (result.go, check.go, verify.go, run.go): a response or an
//     error reduced to what the contract is about (text, finish, tool calls,
//     usage, reasoning, error class), checked against the expectation,
//     compared with the reference (the OpenAI translator; through a front
//     door, the same translator called directly), and unary against
//     streamed (assembled with llm.Accumulator).
//   - Transcripts (transcripts.go, replay.go): every recorded fixture,
//     replayed over HTTP to its translator, must decode to the result its
//     row expects; a recording without a row fails the suite.
//   - The matrix (matrix.go): docs/providers.md's conformance section,
//     generated from the tables.
//
// Run it with go test ./internal/conformance/... (about a second); rewrite
// the matrix with go test ./internal/conformance -run TestMatrixDoc -update.
package conformance
