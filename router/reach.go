package router

// Reachable returns every deployment a request for model may be sent to:
// the alias's own deployments (for an alias with content rules, those of
// every target and of its default), and, transitively, those of the
// fallback aliases of every error class. Budgets price a request's worst
// case at the dearest of them. A "<provider>/<model>" passthrough name has
// its one deployment.
func (r *Router) Reachable(model string) ([]*Deployment, error) {
	a, err := r.alias(model)
	if err != nil {
		return nil, err
	}
	var out []*Deployment
	seenDep := map[*Deployment]bool{}
	seen := map[*compiledAlias]bool{}
	queue := []*compiledAlias{a}
	for len(queue) > 0 {
		a := queue[0]
		queue = queue[1:]
		if seen[a] {
			continue
		}
		seen[a] = true
		for _, m := range a.members {
			if !seenDep[m.d] {
				seenDep[m.d] = true
				out = append(out, m.d)
			}
		}
		for _, rule := range a.rules {
			queue = append(queue, rule.target)
		}
		if a.defaultAlias != nil {
			queue = append(queue, a.defaultAlias)
		}
		for _, fs := range a.fallbacks {
			queue = append(queue, fs...)
		}
	}
	return out, nil
}
