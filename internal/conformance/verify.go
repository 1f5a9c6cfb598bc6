package conformance

import (
	"fmt"
	"slices"
)

// Outcome is what one target returned for one scenario, unary and
// streamed.
type Outcome struct {
	Unary, Stream Result
}

func (o *Outcome) mode(stream bool) Result {
	if stream {
		return o.Stream
	}
	return o.Unary
}

// Verdict is the judgement of one outcome.
type Verdict struct {
	Problems []string
	// Observed are the fields in which the outcome departed from the
	// expectation without its own deviations, or from the base outcome:
	// a declared difference never observed anywhere is stale.
	Observed map[Field]bool
}

// Verify judges a target's outcome for a scenario. targets are the
// deviation keys that apply to it (a provider, and the front door it is
// reached through); base is the outcome it must equal, of baseTargets (the
// reference provider for a translator, the provider reached directly for a
// front door), apart from the fields the deviations of the targets not
// shared by both declare different (the reference itself has no base:
// baseTargets nil). The outcome must also meet the
// scenario's expectation as the deviations adjust it, and its unary and
// streamed results must be the same.
func Verify(sc *Scenario, targets []string, got Outcome, baseTargets []string, base Outcome) Verdict {
	v := Verdict{Observed: map[Field]bool{}}
	own := minus(targets, baseTargets)
	inherited := minus(targets, own)
	masked := map[Field]bool{}
	for _, t := range append(own, minus(baseTargets, targets)...) {
		if d, ok := Lookup(t, sc.Name); ok && d.Kind == Difference && d.appliesTo(targets) {
			for _, f := range d.Fields {
				masked[f] = true
			}
		}
	}
	for _, stream := range []bool{false, true} {
		mode := "unary"
		if stream {
			mode = "stream"
		}
		r := got.mode(stream)
		x := ExpectationFor(sc, stream, targets...)
		for _, m := range Check(x.Expect, r, stream) {
			v.Problems = append(v.Problems, fmt.Sprintf("%s: %s", mode, m))
		}
		if x.Unsupported != "" {
			continue
		}
		for _, m := range Check(ExpectationFor(sc, stream, inherited...).Expect, r, stream) {
			v.Observed[m.Field] = true
		}
		if len(baseTargets) == 0 || ExpectationFor(sc, stream, baseTargets...).Unsupported != "" {
			continue
		}
		for _, m := range Compare(base.mode(stream), r, false) {
			v.Observed[m.Field] = true
			if !masked[m.Field] {
				v.Problems = append(v.Problems, fmt.Sprintf("%s: differs from %v: %s", mode, baseTargets, m))
			}
		}
	}
	if sc.Unary == nil {
		for _, m := range Compare(got.Unary, got.Stream, true) {
			v.Problems = append(v.Problems, fmt.Sprintf("stream differs from unary: %s", m))
		}
	}
	return v
}

// minus returns the elements of a not in b.
func minus(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}
