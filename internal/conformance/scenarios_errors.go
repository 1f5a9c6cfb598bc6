package conformance

import (
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// errorScenarios provoke each error class with a simulator fault directive
// in the last user message; each dialect answers it with its provider's
// real status, body and headers, which the translator must classify.
var errorScenarios = []Scenario{
	fault(ScErrInvalid, "invalid request (400)", "status=400", llm.KindInvalidRequest, 0),
	fault(ScErrAuth, "provider refuses the credentials (401)", "status=401", llm.KindUnauthenticated, 0),
	fault(ScErrNotFound, "unknown model (404)", "status=404", llm.KindNotFound, 0),
	fault(ScErrRateLimited, "rate limited with retry-after (429)", "status=429 retry_after=2", llm.KindRateLimited, 2*time.Second),
	fault(ScErrOverloaded, "overloaded (503)", "status=503", llm.KindOverloaded, 0),
	fault(ScErrContextLength, "context too long", "status=400 code=context_length_exceeded", llm.KindContextTooLong, 0),
	fault(ScErrFiltered, "prompt refused by a content filter", "content_filter=prompt", llm.KindContentFiltered, 0),
	fault(ScErrUpstream, "upstream failure (500)", "status=500", llm.KindUpstream, 0),
	// A unary answer is truncated; a stream gets a chunk that is not valid
	// after two good ones.
	fault(ScErrMalformed, "malformed answer or stream", "malformed_after=2", llm.KindUpstream, 0),
	// A stream is cut after two chunks: the provider broke the answer
	// (Upstream). A unary request is cut before any byte, which no
	// translator can tell from a provider it could not reach.
	{
		Name: ScErrCut, Title: "connection cut (stream: mid-answer)", Group: GroupErrors,
		Request: ask("Tell me about gateways. [[sim disconnect_after=2]]"),
		Expect:  Expect{Err: &ExpectErr{Kind: llm.KindUpstream}},
		Unary:   &Expect{Err: &ExpectErr{Kind: llm.KindUnavailable}},
	},
	// The provider reports a server error inside a stream it already
	// started (a unary answer is whole: there the directive does nothing).
	// code=api_error selects the server error where a dialect has several
	// (Anthropic sends overloaded_error by default).
	{
		Name: ScErrInStream, Title: "error event inside a started stream", Group: GroupErrors,
		Request: ask("Tell me about gateways. [[sim error_after=2 code=api_error]]"),
		Expect:  Expect{Err: &ExpectErr{Kind: llm.KindUpstream}},
		Unary:   &Expect{TextPrefix: simulatedPrefix, Finish: llm.FinishStop},
	},
}

// fault is a scenario whose directive makes the simulator fail with an
// error of kind k.
func fault(name, title, directive string, k llm.Kind, retryAfter time.Duration) Scenario {
	return Scenario{
		Name: name, Title: title, Group: GroupErrors,
		Request: ask("Tell me about gateways. [[sim " + directive + "]]"),
		Expect:  Expect{Err: &ExpectErr{Kind: k, RetryAfter: retryAfter}},
	}
}
