package pricing

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
)

//go:embed prices.yaml
var embeddedYAML []byte

// FieldError names the field of a price list, or of an Override, that is
// wrong ("models[3].input", "output").
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// fileYAML is the format of a price list (prices.yaml documents it).
type fileYAML struct {
	Version string      `yaml:"version"`
	Models  []entryYAML `yaml:"models"`
}

type entryYAML struct {
	Provider        string     `yaml:"provider"`
	Model           string     `yaml:"model"`
	Aliases         []string   `yaml:"aliases"`
	Prefixes        []string   `yaml:"prefixes"`
	EffectiveFrom   scalarText `yaml:"effective_from"`
	Source          string     `yaml:"source"`
	Embedding       bool       `yaml:"embedding"`
	ContextWindow   int64      `yaml:"context_window"`
	MaxOutputTokens int64      `yaml:"max_output_tokens"`
	LongContext     *tierYAML  `yaml:"long_context"`
	ratesYAML       `yaml:",inline"`
}

type ratesYAML struct {
	Input       Decimal `yaml:"input"`
	CachedInput Decimal `yaml:"cached_input"`
	CacheWrite  Decimal `yaml:"cache_write"`
	Output      Decimal `yaml:"output"`
	Reasoning   Decimal `yaml:"reasoning"`
}

type tierYAML struct {
	AboveInputTokens int64 `yaml:"above_input_tokens"`
	ratesYAML        `yaml:",inline"`
}

// entry is a parsed price with the names that select it.
type entry struct {
	Price
	aliases  []string
	prefixes []string
}

// list is a parsed price list.
type list struct {
	version string
	entries []*entry
}

var (
	embeddedOnce  sync.Once
	embeddedTable *Table
)

// Embedded returns the table built into the binary. It is parsed once; the
// package's tests check that it parses and that every entry is complete.
func Embedded() *Table {
	embeddedOnce.Do(func() {
		l, err := parseList(embeddedYAML)
		if err != nil {
			panic("pricing: the embedded prices.yaml is invalid: " + err.Error())
		}
		embeddedTable = newTable(l.version, l.entries)
	})
	return embeddedTable
}

// Load returns the embedded table merged with the price list read from
// extra (nil: the embedded table alone). An entry of extra replaces the
// embedded entry with the same provider, model and effective date, and
// its names (model and aliases) win over the embedded entries' names;
// every other entry is added. The version is the embedded one followed by
// "+" and extra's (or "+custom" when extra has none).
func Load(extra io.Reader) (*Table, error) {
	base := Embedded()
	if extra == nil {
		return base, nil
	}
	data, err := io.ReadAll(extra)
	if err != nil {
		return nil, fmt.Errorf("pricing: %w", err)
	}
	l, err := parseList(data)
	if err != nil {
		return nil, err
	}
	version := l.version
	if version == "" {
		version = "custom"
	}
	// The user's entries first: the index gives their names priority.
	entries := append([]*entry(nil), l.entries...)
	replaced := make(map[string]bool, len(l.entries))
	for _, e := range l.entries {
		replaced[e.key()] = true
	}
	for _, e := range base.entries {
		if !replaced[e.key()] {
			entries = append(entries, e)
		}
	}
	return newTable(base.version+"+"+version, entries), nil
}

// Parse returns a table of the price list read from r alone, without the
// embedded entries.
func Parse(r io.Reader) (*Table, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("pricing: %w", err)
	}
	l, err := parseList(data)
	if err != nil {
		return nil, err
	}
	return newTable(l.version, l.entries), nil
}

func (e *entry) key() string {
	return e.Provider + "\x00" + normalizeModel(e.Model) + "\x00" + e.EffectiveFrom.UTC().Format(time.RFC3339)
}

// parseList decodes and checks a price list.
func parseList(data []byte) (*list, error) {
	var f fileYAML
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("pricing: %w", err)
	}
	l := &list{version: f.Version}
	seen := map[string]int{}
	owner := map[string]string{} // provider+name -> the model that claims it
	for i := range f.Models {
		field := fmt.Sprintf("models[%d]", i)
		e, err := parseEntry(field, &f.Models[i])
		if err != nil {
			return nil, fmt.Errorf("pricing: %w", err)
		}
		if j, dup := seen[e.key()]; dup {
			return nil, fmt.Errorf("pricing: %w", fieldErr(field, "%s/%s from %s is already priced by models[%d]",
				e.Provider, e.Model, e.EffectiveFrom.Format(time.RFC3339), j))
		}
		seen[e.key()] = i
		model := normalizeModel(e.Model)
		for _, name := range append([]string{e.Model}, e.aliases...) {
			k := e.Provider + "\x00" + normalizeModel(name)
			if m, taken := owner[k]; taken && m != model {
				return nil, fmt.Errorf("pricing: %w", fieldErr(field, "the name %q of %s is also a name of %s", name, e.Model, m))
			}
			owner[k] = model
		}
		l.entries = append(l.entries, e)
	}
	return l, nil
}

// parseEntry checks one entry and resolves its prices.
func parseEntry(field string, y *entryYAML) (*entry, error) {
	e := &entry{aliases: y.Aliases, prefixes: y.Prefixes}
	e.Provider = canonicalVendor(y.Provider)
	e.Model = strings.TrimSpace(y.Model)
	e.Source = y.Source
	e.Embedding = y.Embedding
	switch {
	case e.Provider == "":
		return nil, fieldErr(field+".provider", "is required")
	case e.Model == "":
		return nil, fieldErr(field+".model", "is required")
	}
	field += " (" + e.Provider + "/" + e.Model + ")"
	at, err := parseDate(string(y.EffectiveFrom))
	if err != nil {
		return nil, fieldErr(field+".effective_from", "%v", err)
	}
	e.EffectiveFrom = at
	if e.Rates, err = parseRates(field, &y.ratesYAML, !y.Embedding); err != nil {
		return nil, err
	}
	if t := y.LongContext; t != nil {
		tf := field + ".long_context"
		if t.AboveInputTokens <= 0 {
			return nil, fieldErr(tf+".above_input_tokens", "must be a positive number of input tokens")
		}
		rates, err := parseRates(tf, &t.ratesYAML, !y.Embedding)
		if err != nil {
			return nil, err
		}
		e.LongContext = &Tier{AboveInputTokens: t.AboveInputTokens, Rates: rates}
	}
	switch {
	case y.ContextWindow < 0:
		return nil, fieldErr(field+".context_window", "must not be negative")
	case y.MaxOutputTokens < 0:
		return nil, fieldErr(field+".max_output_tokens", "must not be negative")
	case y.ContextWindow > 0 && y.MaxOutputTokens > y.ContextWindow:
		return nil, fieldErr(field+".max_output_tokens", "is above the context window (%d)", y.ContextWindow)
	}
	e.ContextWindow, e.MaxOutputTokens = y.ContextWindow, y.MaxOutputTokens
	if e.MaxOutputTokens == 0 && !e.Embedding {
		e.MaxOutputTokens = e.ContextWindow
	}
	for i, p := range y.Prefixes {
		if strings.TrimSpace(p) == "" {
			return nil, fieldErr(fmt.Sprintf("%s.prefixes[%d]", field, i), "is empty")
		}
	}
	return e, nil
}

// parseRates parses one tier's prices; input is required, and output too
// unless the model is an embedding model.
func parseRates(field string, y *ratesYAML, needOutput bool) (Rates, error) {
	var r Rates
	for _, f := range []struct {
		name string
		text Decimal
		dst  *Rate
		bit  rateFields
	}{
		{"input", y.Input, &r.Input, fieldInput},
		{"cached_input", y.CachedInput, &r.CachedInput, fieldCachedInput},
		{"cache_write", y.CacheWrite, &r.CacheWrite, fieldCacheWrite},
		{"output", y.Output, &r.Output, fieldOutput},
		{"reasoning", y.Reasoning, &r.Reasoning, fieldReasoning},
	} {
		v, ok, err := f.text.Rate()
		if err != nil {
			return Rates{}, fieldErr(field+"."+f.name, "%v", err)
		}
		if ok {
			*f.dst = v
			r.explicit |= f.bit
		}
	}
	if r.explicit&fieldInput == 0 {
		return Rates{}, fieldErr(field+".input", "is required")
	}
	if needOutput && r.explicit&fieldOutput == 0 {
		return Rates{}, fieldErr(field+".output", "is required (set embedding: true for an embedding model)")
	}
	r.resolve()
	return r, nil
}

// parseDate reads a date (2025-06-10, midnight UTC) or an RFC 3339 time.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("is required (a date such as 2025-06-10)")
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date (want 2025-06-10 or 2025-06-10T16:00:00Z)", s)
}
