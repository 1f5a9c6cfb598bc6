package router

import (
	"errors"

	"github.com/switchboard-gw/switchboard/llm"
)

// TokenCounter counts tokens locally, for the attempts whose provider
// reported no usage (a stream cut off or carrying no usage, an attempt
// abandoned in a hedge race or by the caller). provider is the
// deployment's configured provider name and model its upstream model.
// billing/tokens satisfies it (tokens.ProviderCounter).
type TokenCounter interface {
	// CountText returns the tokens of generated text.
	CountText(provider, model, text string) int64
	// CountRequest returns the prompt tokens of req.
	CountRequest(provider, model string, req *llm.Request) int64
}

// promptCount is a prompt counted once for a deployment's model.
type promptCount struct {
	provider, model string
	req             *llm.Request
	n               int64
}

// countEstimate completes the usage of an attempt whose provider reported
// none: usage holds the output estimated from its size, which the
// TokenCounter replaces by a count of the output received, and the prompt
// is added (promptTokens).
func (ar *attemptRun) countEstimate(usage llm.Usage, outcome llm.AttemptOutcome, err error) llm.Usage {
	if tc := ar.rn.r.tokens; tc != nil && ar.output != nil && ar.output.Len() > 0 {
		usage.OutputTokens = tc.CountText(ar.m.d.ProviderName, ar.m.d.Model, ar.output.String())
	}
	usage.InputTokens = ar.promptTokens(outcome, err, usage.OutputTokens > 0)
	return usage
}

// promptTokens is the attempt's prompt as metering should record it when
// the provider reported no usage: counted with the router's TokenCounter
// (once per request and model) when the provider may have consumed it,
// and the cheap estimate routing uses otherwise. Routing never waits for
// a tokenizer: this runs only as an attempt without usage ends.
func (ar *attemptRun) promptTokens(outcome llm.AttemptOutcome, err error, output bool) int64 {
	rn := ar.rn
	tc := rn.r.tokens
	req := ar.req
	if req == nil {
		req = rn.feat.req
	}
	if tc == nil || req == nil || !mayHaveConsumed(outcome, err, output) {
		return rn.estInput
	}
	d := ar.m.d
	rn.mu.Lock()
	for _, p := range rn.prompts {
		if p.req == req && p.provider == d.ProviderName && p.model == d.Model {
			rn.mu.Unlock()
			return p.n
		}
	}
	rn.mu.Unlock()
	n := tc.CountRequest(d.ProviderName, d.Model, req)
	rn.mu.Lock()
	rn.prompts = append(rn.prompts, promptCount{provider: d.ProviderName, model: d.Model, req: req, n: n})
	rn.mu.Unlock()
	return n
}

// mayHaveConsumed reports whether a provider may have processed (and will
// bill) the prompt of an attempt that reported no usage: it produced
// output, or it was still running when it was abandoned, canceled, cut or
// timed out. An attempt refused with an error (a rate limit, a bad
// request, an unreachable host) consumed nothing, and a failure storm
// must not make the gateway tokenize every prompt.
func mayHaveConsumed(outcome llm.AttemptOutcome, err error, output bool) bool {
	if output || outcome != llm.OutcomeFailed {
		return true
	}
	var e *llm.Error
	return errors.As(err, &e) && e.Kind == llm.KindTimeout
}
