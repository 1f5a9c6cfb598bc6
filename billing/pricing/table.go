package pricing

import (
	"sort"
	"strings"
	"time"
)

// Table is a pricing table: prices by vendor and model, each in effect
// from a date. It is immutable and safe for concurrent use.
type Table struct {
	version string
	entries []*entry
	vendors map[string]*vendorIndex
	// order is the vendors a model-only lookup searches, in order.
	order []*vendorIndex
}

// vendorIndex finds one vendor's models by name.
type vendorIndex struct {
	vendor string
	// names maps normalized model names and aliases to the model's
	// prices, newest first.
	names map[string]*modelPrices
	// prefixes are the declared prefixes, longest first.
	prefixes []prefixRule
}

type modelPrices struct {
	prices []Price // newest EffectiveFrom first
}

type prefixRule struct {
	prefix string
	model  *modelPrices
}

// newTable indexes entries. When two models claim a name, the earlier
// entry's model keeps it (Load puts the user's entries first).
func newTable(version string, entries []*entry) *Table {
	t := &Table{version: version, entries: entries, vendors: map[string]*vendorIndex{}}
	models := map[string]*modelPrices{} // vendor + normalized model
	for _, e := range entries {
		v := t.vendors[e.Provider]
		if v == nil {
			v = &vendorIndex{vendor: e.Provider, names: map[string]*modelPrices{}}
			t.vendors[e.Provider] = v
		}
		key := e.Provider + "\x00" + normalizeModel(e.Model)
		mp := models[key]
		if mp == nil {
			mp = &modelPrices{}
			models[key] = mp
		}
		mp.prices = append(mp.prices, e.Price)
		for _, name := range append([]string{e.Model}, e.aliases...) {
			if n := normalizeModel(name); v.names[n] == nil {
				v.names[n] = mp
			}
		}
		for _, p := range e.prefixes {
			v.prefixes = append(v.prefixes, prefixRule{prefix: normalizeModel(p), model: mp})
		}
	}
	for _, mp := range models {
		sort.SliceStable(mp.prices, func(i, j int) bool { return mp.prices[i].EffectiveFrom.After(mp.prices[j].EffectiveFrom) })
	}
	var others []string
	for name, v := range t.vendors {
		sort.SliceStable(v.prefixes, func(i, j int) bool { return len(v.prefixes[i].prefix) > len(v.prefixes[j].prefix) })
		if !contains(vendorPrecedence, name) {
			others = append(others, name)
		}
	}
	sort.Strings(others)
	for _, name := range append(append([]string(nil), vendorPrecedence...), others...) {
		if v := t.vendors[name]; v != nil {
			t.order = append(t.order, v)
		}
	}
	return t
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Version identifies the table's prices ("2025-11-25", or
// "2025-11-25+custom" once a user's list is merged).
func (t *Table) Version() string { return t.version }

// Lookup returns the price of model on provider's price list in effect at
// at (the zero time: now): of the model's entries, the newest whose
// effective date is not after at.
//
// provider is the vendor whose prices apply, as the gateway names it
// (openai, anthropic, gemini or google, mistral, deepseek, groq,
// together): for a provider of kind openai, its vendor preset, not the
// configured provider's name. An empty provider looks the model up on
// every vendor's list (a simulator, or a provider of unknown vendor, that
// serves a known model's name), the makers of models first. A provider the
// table has no entry for finds nothing: a self-hosted model is not priced
// like the cloud model of the same name.
//
// The model is found by its name or an alias (case does not matter), then
// by its name without a snapshot suffix (gpt-4o-2024-08-06 is priced as
// gpt-4o, claude-sonnet-4-20250514 as claude-sonnet-4), then by the
// longest declared prefix. A model with no price returns false: the caller
// serves it, records its tokens, and flags the record unpriced.
func (t *Table) Lookup(provider, model string, at time.Time) (Price, bool) {
	mp := t.find(canonicalVendor(provider), normalizeModel(model))
	if mp == nil {
		return Price{}, false
	}
	if at.IsZero() {
		at = time.Now()
	}
	for i := range mp.prices {
		if !mp.prices[i].EffectiveFrom.After(at) {
			return mp.prices[i], true
		}
	}
	return Price{}, false
}

// find resolves a normalized model name on one vendor, or on all of them
// in order when vendor is empty, each stage of matching across all
// vendors before the next.
func (t *Table) find(vendor, model string) *modelPrices {
	search := t.order
	if vendor != "" {
		v := t.vendors[vendor]
		if v == nil {
			return nil
		}
		search = []*vendorIndex{v}
	}
	for _, v := range search {
		if mp := v.names[model]; mp != nil {
			return mp
		}
	}
	stripped := model
	for range 3 { // e.g. anthropic.claude-3-5-sonnet-20241022-v2:0: version, then date
		s, ok := stripSnapshot(stripped)
		if !ok {
			break
		}
		stripped = s
		for _, v := range search {
			if mp := v.names[stripped]; mp != nil {
				return mp
			}
		}
	}
	for _, v := range search {
		for _, p := range v.prefixes {
			if strings.HasPrefix(model, p.prefix) {
				return p.model
			}
		}
	}
	return nil
}

// Limits returns the context window and the maximum output tokens of
// model on provider (as Lookup finds it, now).
func (t *Table) Limits(provider, model string) (contextWindow, maxOutputTokens int64, ok bool) {
	p, ok := t.Lookup(provider, model, time.Time{})
	return p.ContextWindow, p.MaxOutputTokens, ok
}

// Entries returns every price in the table, sorted by provider, model and
// effective date.
func (t *Table) Entries() []Price {
	out := make([]Price, 0, len(t.entries))
	for _, e := range t.entries {
		out = append(out, e.Price)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if a.Provider != b.Provider {
			return a.Provider < b.Provider
		}
		if am, bm := strings.ToLower(a.Model), strings.ToLower(b.Model); am != bm {
			return am < bm
		}
		return a.EffectiveFrom.Before(b.EffectiveFrom)
	})
	return out
}
