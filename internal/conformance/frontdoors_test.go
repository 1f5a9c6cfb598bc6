package conformance_test

import (
	"context"
	"testing"

	"github.com/switchboard-gw/switchboard/internal/conformance"
)

// Every scenario through each of the gateway's front doors, to every
// translator, with the front door's own client shape: the result, turned
// back into canonical form, must equal what the translator returns when
// called directly, apart from the front door's declared deviations.
func TestFrontDoors(t *testing.T) {
	s := conformance.NewSimulator(t)
	g := conformance.NewGateway(t, s)
	seen := newObservations()
	ctx := context.Background()
	for i := range conformance.Scenarios {
		sc := &conformance.Scenarios[i]
		t.Run(sc.Name, func(t *testing.T) {
			for _, tr := range s.Translators {
				direct := outcome(tr.Provider, tr.Model, sc)
				t.Run(tr.Name, func(t *testing.T) {
					for _, door := range conformance.FrontDoors {
						t.Run(door, func(t *testing.T) {
							client := g.Doors[door]
							got := conformance.Outcome{
								Unary:  conformance.Run(ctx, client, conformance.Alias(tr.Name, sc.Name, door, false), sc, false),
								Stream: conformance.Run(ctx, client, conformance.Alias(tr.Name, sc.Name, door, true), sc, true),
							}
							v := conformance.Verify(sc, []string{tr.Name, door}, got, []string{tr.Name}, direct)
							report(t, v)
							seen.add(door, sc.Name, v)
						})
					}
				})
			}
		})
	}
	seen.checkStale(t, conformance.FrontDoors, len(conformance.Providers))
}
