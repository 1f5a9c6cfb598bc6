package conformance

import (
	"slices"

	"github.com/switchboard-gw/switchboard/llm"
)

// DeviationKind says how a target departs from a scenario's expectation.
type DeviationKind int

// Deviation kinds.
const (
	// Unsupported: the target cannot express the scenario. It must refuse
	// the request with an llm.Error of kind InvalidRequest before anything
	// is generated, never drop what it cannot send.
	Unsupported DeviationKind = iota + 1
	// Difference: the target answers, but Fields differ from the expected
	// result (and from the reference provider's) for the stated reason.
	Difference
)

// Deviation is one entry of the deviations table.
type Deviation struct {
	Kind DeviationKind
	// Fields are the fields that differ (Difference only).
	Fields []Field
	// Reason explains the deviation; it is shown in docs/providers.md.
	Reason string
	// Adjust, when set, changes the expectation for this target so that
	// the field that differs is still asserted (the other error kind, the
	// unreported count), not merely ignored.
	Adjust func(e *Expect)
	// Through, for a front door's deviation, limits it to calls to these
	// providers; empty means whatever the provider.
	Through []string
}

// through limits a front door's deviation to calls to the given providers.
func (d Deviation) through(providers ...string) Deviation {
	d.Through = providers
	return d
}

// appliesTo reports whether d applies to a call through targets (a
// provider, then possibly a front door).
func (d Deviation) appliesTo(targets []string) bool {
	return len(d.Through) == 0 || (len(targets) > 0 && slices.Contains(d.Through, targets[0]))
}

// unsupported declares a scenario a target cannot do.
func unsupported(reason string) Deviation { return Deviation{Kind: Unsupported, Reason: reason} }

// differs declares fields that differ.
func differs(reason string, fields ...Field) Deviation {
	return Deviation{Kind: Difference, Fields: fields, Reason: reason}
}

// then sets the expectation adjustment of a difference.
func (d Deviation) then(adjust func(e *Expect)) Deviation {
	d.Adjust = adjust
	return d
}

// and merges another difference of the same target and scenario into d:
// their fields, reasons and adjustments.
func (d Deviation) and(other Deviation) Deviation {
	out := d
	out.Fields = append(slices.Clone(d.Fields), other.Fields...)
	out.Reason = d.Reason + "; and " + other.Reason
	switch {
	case d.Adjust == nil:
		out.Adjust = other.Adjust
	case other.Adjust != nil:
		out.Adjust = func(e *Expect) { d.Adjust(e); other.Adjust(e) }
	}
	return out
}

// errorKind adjusts the expected error kind.
func errorKind(k llm.Kind) func(e *Expect) {
	return func(e *Expect) {
		if e.Err != nil {
			e.Err.Kind = k
		}
	}
}

// seenAs adjusts an expected error of kind from to kind to (a front door
// whose wire format cannot tell them apart), leaving other kinds alone.
func seenAs(from, to llm.Kind) func(e *Expect) {
	return func(e *Expect) {
		if e.Err != nil && e.Err.Kind == from {
			e.Err.Kind = to
		}
	}
}

// reasoningUnobservable adjusts an expectation of reasoning to one that may
// leave no trace.
func reasoningUnobservable(e *Expect) {
	if e.Reasoning == Shown {
		e.Reasoning = Unobservable
	}
}

// Lookup returns target's deviation for a scenario, if any. target is a
// provider name or a front door name.
func Lookup(target, scenario string) (Deviation, bool) {
	d, ok := Deviations[target][scenario]
	return d, ok
}

// Expectation is what one target must return for one scenario and mode,
// after the deviations of its provider and (through the gateway) its front
// door are applied.
type Expectation struct {
	Expect Expect
	// Masked are the fields declared different: they are not compared with
	// other targets' results.
	Masked map[Field]bool
	// Unsupported names who cannot do the scenario ("" when it can).
	Unsupported string
}

// ExpectationFor composes the expectation of a scenario for the given
// targets, in order (a provider, then the front door it is reached
// through).
func ExpectationFor(sc *Scenario, stream bool, targets ...string) Expectation {
	x := Expectation{Expect: sc.expect(stream), Masked: map[Field]bool{}}
	for _, t := range targets {
		d, ok := Lookup(t, sc.Name)
		if !ok || !d.appliesTo(targets) {
			continue
		}
		switch d.Kind {
		case Unsupported:
			if x.Unsupported == "" {
				x.Unsupported = t
			}
		case Difference:
			for _, f := range d.Fields {
				x.Masked[f] = true
			}
			if d.Adjust != nil {
				d.Adjust(&x.Expect)
			}
		}
	}
	if x.Unsupported != "" {
		// Nothing is compared but the refusal.
		x.Expect = Expect{Err: &ExpectErr{Kind: llm.KindInvalidRequest}}
	}
	return x
}
