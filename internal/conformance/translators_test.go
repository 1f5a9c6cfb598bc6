package conformance_test

import (
	"testing"

	"github.com/switchboard-gw/switchboard/internal/conformance"
)

// Every translator against its own simulator dialect, unary and streamed:
// each result must meet the scenario's expectation and equal the reference
// translator's, apart from the deviations declared in deviations.go; the
// streamed answer, assembled, must equal the unary one.
func TestTranslators(t *testing.T) {
	s := conformance.NewSimulator(t)
	seen := newObservations()
	refName := conformance.ReferenceProvider
	ref := s.Translator(refName)
	for i := range conformance.Scenarios {
		sc := &conformance.Scenarios[i]
		t.Run(sc.Name, func(t *testing.T) {
			base := outcome(ref.Provider, ref.Model, sc)
			for _, tr := range s.Translators {
				t.Run(tr.Name, func(t *testing.T) {
					var v conformance.Verdict
					if tr.Name == refName {
						v = conformance.Verify(sc, []string{refName}, base, nil, conformance.Outcome{})
					} else {
						v = conformance.Verify(sc, []string{tr.Name}, outcome(tr.Provider, tr.Model, sc), []string{refName}, base)
					}
					report(t, v)
					seen.add(tr.Name, sc.Name, v)
				})
			}
		})
	}
	seen.checkStale(t, conformance.Providers, 1)
}
