package conformance

import (
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Check lists how r falls short of e. stream says whether r was assembled
// from a stream (argument fragmentation is only visible there).
func Check(e Expect, r Result, stream bool) []Mismatch {
	var ms mismatches
	if e.Err != nil {
		switch {
		case r.Err == nil:
			ms.add(FieldErrorKind, "want error %s, got %s", e.Err.Kind, describe(r))
		case r.Err.Kind != e.Err.Kind:
			ms.add(FieldErrorKind, "want error %s, got %s (%s)", e.Err.Kind, r.Err.Kind, r.Err.Message)
		}
		if r.Err != nil && e.Err.RetryAfter > 0 && r.Err.RetryAfter != e.Err.RetryAfter {
			ms.add(FieldRetryAfter, "want retry after %s, got %s", e.Err.RetryAfter, r.Err.RetryAfter)
		}
		return ms
	}
	if r.Err != nil {
		ms.add(FieldErrorKind, "want an answer, got %s", describe(r))
		return ms
	}
	if len(r.Choices) != e.choices() {
		ms.add(FieldChoices, "want %d choices, got %d", e.choices(), len(r.Choices))
		return ms
	}
	for i := range r.Choices {
		checkChoice(&ms, &e, i, &r.Choices[i])
	}
	if e.ArgumentFragments && stream {
		for i, n := range r.ArgumentDeltas {
			if n < 2 {
				ms.add(FieldArgumentDeltas, "call %d: arguments arrived in %d delta(s), want them streamed in fragments", i, n)
			}
		}
	}
	checkUsage(&ms, &e, &r)
	return ms
}

func checkChoice(ms *mismatches, e *Expect, i int, c *ChoiceResult) {
	if c.Finish != e.Finish {
		ms.add(FieldFinish, "choice %d: want %q, got %q", i, e.Finish, c.Finish)
	}
	if e.Text != "" && c.Text != e.Text {
		ms.add(FieldText, "choice %d: want %q, got %q", i, e.Text, c.Text)
	}
	if e.TextPrefix != "" && !strings.HasPrefix(c.Text, e.TextPrefix) {
		ms.add(FieldText, "choice %d: want text starting %q, got %q", i, e.TextPrefix, c.Text)
	}
	for _, s := range e.TextContains {
		if !strings.Contains(c.Text, s) {
			ms.add(FieldText, "choice %d: want text containing %q, got %q", i, s, c.Text)
		}
	}
	if e.JSONSchema != "" {
		if err := validateJSON(e.JSONSchema, c.Text); err != nil {
			ms.add(FieldText, "choice %d: %v", i, err)
		}
	}
	if c.Refusal != "" {
		ms.add(FieldRefusal, "choice %d: unexpected refusal %q", i, c.Refusal)
	}
	if len(e.Calls) != len(c.Calls) {
		want := make([]CallResult, len(e.Calls))
		for j, ec := range e.Calls {
			want[j].Name = ec.Name
		}
		ms.add(FieldToolCalls, "choice %d: want calls %s, got %s", i, callNames(want), callNames(c.Calls))
		return
	}
	for j, ec := range e.Calls {
		got := c.Calls[j]
		if got.Name != ec.Name {
			ms.add(FieldToolCalls, "choice %d call %d: want %s, got %s", i, j, ec.Name, got.Name)
		}
		if got.ID == "" {
			ms.add(FieldToolCalls, "choice %d call %d: no id", i, j)
		}
		if ec.Arguments != "" && got.Arguments != canonicalJSON(ec.Arguments) {
			ms.add(FieldArguments, "choice %d call %d: want %s, got %s", i, j, ec.Arguments, got.Arguments)
		}
		if ec.Schema != "" {
			if err := validateJSON(ec.Schema, got.Arguments); err != nil {
				ms.add(FieldArguments, "choice %d call %d: %v", i, j, err)
			}
		}
	}
	if e.Reasoning == None && len(c.Reasoning) > 0 {
		ms.add(FieldReasoning, "choice %d: unexpected reasoning %+v", i, c.Reasoning)
	}
}

func checkUsage(ms *mismatches, e *Expect, r *Result) {
	u := r.Usage
	switch {
	case e.Usage != nil:
		compareUsage(ms, *e.Usage, u)
	case u.InputTokens <= 0:
		ms.add(FieldInputTokens, "no input tokens counted")
	}
	switch {
	case e.Usage != nil:
	case e.NotGenerated && u.OutputTokens != 0:
		ms.add(FieldOutputTokens, "want none (nothing was generated), got %d", u.OutputTokens)
	case !e.NotGenerated && u.OutputTokens <= 0:
		ms.add(FieldOutputTokens, "no output tokens counted")
	}
	if u.CachedInputTokens != e.CachedInputTokens {
		ms.add(FieldCachedInput, "want %d, got %d", e.CachedInputTokens, u.CachedInputTokens)
	}
	if u.CacheWriteTokens != e.CacheWriteTokens {
		ms.add(FieldCacheWrite, "want %d, got %d", e.CacheWriteTokens, u.CacheWriteTokens)
	}
	if u.CachedInputTokens+u.CacheWriteTokens > u.InputTokens {
		ms.add(FieldInputTokens, "cache reads %d and writes %d are not a subset of the %d input tokens", u.CachedInputTokens, u.CacheWriteTokens, u.InputTokens)
	}
	if u.ReasoningTokens > u.OutputTokens {
		ms.add(FieldReasoningTokens, "%d reasoning tokens are not a subset of the %d output tokens", u.ReasoningTokens, u.OutputTokens)
	}
	reasoned := u.ReasoningTokens > 0
	for _, c := range r.Choices {
		reasoned = reasoned || len(c.Reasoning) > 0
	}
	switch {
	case e.Reasoning == Shown && !reasoned:
		ms.add(FieldReasoning, "no reasoning tokens and no reasoning blocks")
	case e.Reasoning == None && u.ReasoningTokens > 0:
		ms.add(FieldReasoningTokens, "unexpected %d reasoning tokens", u.ReasoningTokens)
	}
}

// schemas caches compiled schemas by their text.
var schemas sync.Map

// validateJSON checks that value is JSON valid against schema.
func validateJSON(schema, value string) error {
	s, err := compiled(schema)
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(value))
	if err != nil {
		return fmt.Errorf("not JSON: %.80q", value)
	}
	if err := s.Validate(inst); err != nil {
		return fmt.Errorf("%.80s does not match the schema: %v", value, err)
	}
	return nil
}

func compiled(schema string) (*jsonschema.Schema, error) {
	if s, ok := schemas.Load(schema); ok {
		return s.(*jsonschema.Schema), nil
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(schema))
	if err != nil {
		return nil, fmt.Errorf("scenario schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("schema.json", doc); err != nil {
		return nil, fmt.Errorf("scenario schema: %w", err)
	}
	s, err := c.Compile("schema.json")
	if err != nil {
		return nil, fmt.Errorf("scenario schema: %w", err)
	}
	schemas.Store(schema, s)
	return s, nil
}
