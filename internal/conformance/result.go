package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// Field names a part of a result that the deviations table may declare
// different. Ids, model names and timestamps are provider-specific by
// nature and never compared across targets.
type Field string

// The fields of a result.
const (
	FieldText            Field = "text"
	FieldRefusal         Field = "refusal"
	FieldFinish          Field = "finish_reason"
	FieldChoices         Field = "choices"
	FieldToolCalls       Field = "tool_calls"
	FieldArguments       Field = "tool_calls.arguments"
	FieldArgumentDeltas  Field = "tool_call_deltas"
	FieldReasoning       Field = "reasoning"
	FieldInputTokens     Field = "usage.input_tokens"
	FieldOutputTokens    Field = "usage.output_tokens"
	FieldCachedInput     Field = "usage.cached_input_tokens"
	FieldCacheWrite      Field = "usage.cache_write_tokens"
	FieldReasoningTokens Field = "usage.reasoning_tokens"
	FieldErrorKind       Field = "error.kind"
	FieldRetryAfter      Field = "error.retry_after"
)

// Fields lists every field, for checking the deviations table.
var Fields = []Field{
	FieldText, FieldRefusal, FieldFinish, FieldChoices, FieldToolCalls, FieldArguments, FieldArgumentDeltas,
	FieldReasoning, FieldInputTokens, FieldOutputTokens, FieldCachedInput, FieldCacheWrite, FieldReasoningTokens,
	FieldErrorKind, FieldRetryAfter,
}

// Result is an answer or an error reduced to what the translation contract
// is about.
type Result struct {
	Choices []ChoiceResult
	Usage   llm.Usage
	// ArgumentDeltas counts, for a stream, the deltas that carried argument
	// text for each tool call of the first choice, in call order; nil for a
	// unary answer.
	ArgumentDeltas []int
	// Err is set when the call failed; the partial answer of a broken
	// stream is then dropped.
	Err *ErrorResult
}

// ChoiceResult is one choice of an answer.
type ChoiceResult struct {
	Text      string
	Refusal   string
	Finish    llm.FinishReason
	Calls     []CallResult
	Reasoning []llm.Reasoning
}

// CallResult is one tool call; Arguments is re-encoded JSON (sorted keys,
// no spaces) so that formatting differences do not count.
type CallResult struct {
	ID, Name, Arguments string
}

// ErrorResult is a failed call.
type ErrorResult struct {
	Kind       llm.Kind
	RetryAfter time.Duration
	// Message is kept for failure reports; it is never compared.
	Message string
}

// ResultOf reduces a response, or the error that replaced it, to a Result.
func ResultOf(resp *llm.Response, err error) Result {
	if err != nil {
		e := llm.AsError(err)
		return Result{Err: &ErrorResult{Kind: e.Kind, RetryAfter: e.RetryAfter, Message: e.Error()}}
	}
	r := Result{Usage: resp.Usage}
	for _, c := range resp.Choices {
		m := &c.Message
		cr := ChoiceResult{Text: m.Text(), Refusal: m.Refusal, Finish: c.FinishReason, Reasoning: m.Reasoning}
		for _, tc := range m.ToolCalls {
			cr.Calls = append(cr.Calls, CallResult{ID: tc.ID, Name: tc.Name, Arguments: canonicalJSON(tc.Arguments)})
		}
		r.Choices = append(r.Choices, cr)
	}
	return r
}

// canonicalJSON re-encodes a JSON text with sorted keys and no spaces; text
// that is not JSON is returned as it is.
func canonicalJSON(s string) string {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return s
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return s
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// Mismatch is one way a result differs from what was expected.
type Mismatch struct {
	Field  Field
	Detail string
}

func (m Mismatch) String() string { return string(m.Field) + ": " + m.Detail }

// mismatches collects Mismatch values.
type mismatches []Mismatch

func (ms *mismatches) add(f Field, format string, args ...any) {
	*ms = append(*ms, Mismatch{Field: f, Detail: fmt.Sprintf(format, args...)})
}

// without returns the mismatches whose field is not in masked.
func (ms mismatches) without(masked map[Field]bool) mismatches {
	var out mismatches
	for _, m := range ms {
		if !masked[m.Field] {
			out = append(out, m)
		}
	}
	return out
}

// Compare lists the differences between two results. Across targets
// (sameTarget false) tool-call ids and argument delta counts are not
// compared: ids are each provider's own, and how arguments are fragmented is
// checked by the scenario's expectation instead. Between the unary and the
// streamed answer of one target everything must match.
func Compare(want, got Result, sameTarget bool) []Mismatch {
	var ms mismatches
	if (want.Err == nil) != (got.Err == nil) {
		ms.add(FieldErrorKind, "want %s, got %s", describe(want), describe(got))
		return ms
	}
	if want.Err != nil {
		if want.Err.Kind != got.Err.Kind {
			ms.add(FieldErrorKind, "want %s, got %s (%s)", want.Err.Kind, got.Err.Kind, got.Err.Message)
		}
		if want.Err.RetryAfter != got.Err.RetryAfter {
			ms.add(FieldRetryAfter, "want %s, got %s", want.Err.RetryAfter, got.Err.RetryAfter)
		}
		return ms
	}
	compareUsage(&ms, want.Usage, got.Usage)
	if len(want.Choices) != len(got.Choices) {
		ms.add(FieldChoices, "want %d choices, got %d", len(want.Choices), len(got.Choices))
		return ms
	}
	for i := range want.Choices {
		compareChoice(&ms, i, &want.Choices[i], &got.Choices[i], sameTarget)
	}
	return ms
}

func compareUsage(ms *mismatches, want, got llm.Usage) {
	for _, f := range []struct {
		field     Field
		want, got int64
	}{
		{FieldInputTokens, want.InputTokens, got.InputTokens},
		{FieldOutputTokens, want.OutputTokens, got.OutputTokens},
		{FieldCachedInput, want.CachedInputTokens, got.CachedInputTokens},
		{FieldCacheWrite, want.CacheWriteTokens, got.CacheWriteTokens},
		{FieldReasoningTokens, want.ReasoningTokens, got.ReasoningTokens},
	} {
		if f.want != f.got {
			ms.add(f.field, "want %d, got %d", f.want, f.got)
		}
	}
}

func compareChoice(ms *mismatches, i int, want, got *ChoiceResult, sameTarget bool) {
	if want.Text != got.Text {
		ms.add(FieldText, "choice %d: want %q, got %q", i, want.Text, got.Text)
	}
	if want.Refusal != got.Refusal {
		ms.add(FieldRefusal, "choice %d: want %q, got %q", i, want.Refusal, got.Refusal)
	}
	if want.Finish != got.Finish {
		ms.add(FieldFinish, "choice %d: want %q, got %q", i, want.Finish, got.Finish)
	}
	if !sameReasoning(want.Reasoning, got.Reasoning, sameTarget) {
		ms.add(FieldReasoning, "choice %d: want %+v, got %+v", i, want.Reasoning, got.Reasoning)
	}
	if len(want.Calls) != len(got.Calls) {
		ms.add(FieldToolCalls, "choice %d: want %s, got %s", i, callNames(want.Calls), callNames(got.Calls))
		return
	}
	for j := range want.Calls {
		w, g := want.Calls[j], got.Calls[j]
		if w.Name != g.Name {
			ms.add(FieldToolCalls, "choice %d: want %s, got %s", i, callNames(want.Calls), callNames(got.Calls))
		}
		if w.Arguments != g.Arguments {
			ms.add(FieldArguments, "choice %d call %d: want %s, got %s", i, j, w.Arguments, g.Arguments)
		}
		if sameTarget && w.ID != g.ID {
			ms.add(FieldToolCalls, "choice %d call %d: id %q, then %q", i, j, w.ID, g.ID)
		}
	}
}

// sameReasoning compares reasoning blocks: whole within a target, by their
// text across targets (signatures are each provider's own).
func sameReasoning(a, b []llm.Reasoning, whole bool) bool {
	if whole {
		return fmt.Sprint(a) == fmt.Sprint(b)
	}
	return reasoningText(a) == reasoningText(b)
}

func reasoningText(rs []llm.Reasoning) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Text)
	}
	return b.String()
}

func callNames(cs []CallResult) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
	}
	return "[" + strings.Join(names, " ") + "]"
}

// describe summarizes a result in one line for failure messages.
func describe(r Result) string {
	if r.Err != nil {
		return fmt.Sprintf("error %s (%s)", r.Err.Kind, r.Err.Message)
	}
	if len(r.Choices) == 0 {
		return "an answer without choices"
	}
	c := r.Choices[0]
	return fmt.Sprintf("an answer (finish %q, %d calls, text %.60q)", c.Finish, len(c.Calls), c.Text)
}
