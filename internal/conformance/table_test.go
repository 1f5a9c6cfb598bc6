package conformance_test

import (
	"slices"
	"testing"

	"github.com/switchboard-gw/switchboard/internal/conformance"
)

// The tables are consistent: unique scenario names, requests that pass the
// gateway's validation, and deviations that name known targets, scenarios
// and fields, with a reason.
func TestTablesAreConsistent(t *testing.T) {
	groups := []string{conformance.GroupContent, conformance.GroupTools, conformance.GroupOutput, conformance.GroupUsage, conformance.GroupErrors}
	names := map[string]bool{}
	for _, sc := range conformance.Scenarios {
		if sc.Name == "" || sc.Title == "" || names[sc.Name] {
			t.Errorf("scenario %q: empty or duplicate name or title", sc.Name)
		}
		names[sc.Name] = true
		if !slices.Contains(groups, sc.Group) {
			t.Errorf("scenario %s: unknown group %q", sc.Name, sc.Group)
		}
		a, b := sc.Request("m"), sc.Request("m")
		if a == b || &a.Messages[0] == &b.Messages[0] {
			t.Errorf("scenario %s: Request must build a new request each time", sc.Name)
		}
		if err := a.Validate(); err != nil {
			t.Errorf("scenario %s: the request is invalid: %v", sc.Name, err)
		}
	}
	for target, byScenario := range conformance.Deviations {
		isProvider := slices.Contains(conformance.Providers, target)
		if !isProvider && !slices.Contains(conformance.FrontDoors, target) {
			t.Errorf("deviations name an unknown target %q", target)
		}
		for scenario, d := range byScenario {
			where := target + " / " + scenario
			if !names[scenario] {
				t.Errorf("%s: unknown scenario", where)
			}
			if d.Reason == "" {
				t.Errorf("%s: no reason", where)
			}
			switch d.Kind {
			case conformance.Unsupported:
				if len(d.Fields) > 0 || d.Adjust != nil || len(d.Through) > 0 {
					t.Errorf("%s: an unsupported scenario has no fields, adjustment or providers", where)
				}
			case conformance.Difference:
				if len(d.Fields) == 0 {
					t.Errorf("%s: a difference names no field", where)
				}
				for _, f := range d.Fields {
					if !slices.Contains(conformance.Fields, f) {
						t.Errorf("%s: unknown field %q", where, f)
					}
				}
			default:
				t.Errorf("%s: unknown kind %d", where, d.Kind)
			}
			if len(d.Through) > 0 && isProvider {
				t.Errorf("%s: only a front door's deviation is limited to providers", where)
			}
			for _, p := range d.Through {
				if !slices.Contains(conformance.Providers, p) {
					t.Errorf("%s: through unknown provider %q", where, p)
				}
			}
		}
	}
}
