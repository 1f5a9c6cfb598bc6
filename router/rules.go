package router

// Rule sends requests that match When to Alias. Rules belong to an alias
// with no deployments of its own (say "auto"); the first rule that matches
// wins, and the alias's Default serves when none does. The rule's name is
// reported in the response (x-switchboard-rule).
type Rule struct {
	Name  string
	Alias string
	When  Condition
}

// Condition is a conjunction: every field that is set must hold. The zero
// Condition matches every request.
type Condition struct {
	// MinInputTokens and MaxInputTokens bound the estimated prompt tokens
	// (zero: no bound). The estimate is about four bytes per token.
	MinInputTokens int64
	MaxInputTokens int64
	// Tools and Images, when set, require the request to offer tools or
	// hold an image (true), or not to (false).
	Tools  *bool
	Images *bool
	// Metadata requires each key to be present in the request's metadata
	// with the given value; "*" accepts any value.
	Metadata map[string]string
	// MinComplexity and MaxComplexity bound the Complexity score of the
	// last user message (MaxComplexity nil: no bound).
	MinComplexity float64
	MaxComplexity *float64
}

// needsComplexity reports whether evaluating c scores the prompt.
func (c *Condition) needsComplexity() bool { return c.MinComplexity > 0 || c.MaxComplexity != nil }

// matches evaluates c on the request's features, cheapest tests first.
func (c *Condition) matches(f *features) bool {
	if c.Tools != nil && *c.Tools != f.hasTools() {
		return false
	}
	for k, want := range c.Metadata {
		if f.req == nil {
			return false
		}
		got, ok := f.req.Metadata[k]
		if !ok || (want != "*" && got != want) {
			return false
		}
	}
	if c.Images != nil && *c.Images != f.hasImages() {
		return false
	}
	if c.MinInputTokens > 0 || c.MaxInputTokens > 0 {
		n := f.inputTokens()
		if n < c.MinInputTokens || (c.MaxInputTokens > 0 && n > c.MaxInputTokens) {
			return false
		}
	}
	if c.needsComplexity() {
		s := f.complexityScore()
		if s < c.MinComplexity || (c.MaxComplexity != nil && s > *c.MaxComplexity) {
			return false
		}
	}
	return true
}

// choose returns the alias a rules alias sends the request to, and the
// rule that fired ("" for the default).
func (a *compiledAlias) choose(f *features) (*compiledAlias, string) {
	for i := range a.rules {
		r := &a.rules[i]
		if r.rule.When.matches(f) {
			return r.target, r.rule.Name
		}
	}
	return a.defaultAlias, ""
}
