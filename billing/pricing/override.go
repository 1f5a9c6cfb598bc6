package pricing

// Override is a deployment's own prices, in US dollars per million tokens
// as decimal strings (from configuration: a negotiated price, a model the
// table lacks). Fields left empty keep the table's price.
type Override struct {
	Input       Decimal `yaml:"input"`
	CachedInput Decimal `yaml:"cached_input"`
	CacheWrite  Decimal `yaml:"cache_write"`
	Output      Decimal `yaml:"output"`
	Reasoning   Decimal `yaml:"reasoning"`
}

// IsZero reports whether o sets no price.
func (o Override) IsZero() bool { return o == Override{} }

// OverrideSource is the Source of a price an Override set.
const OverrideSource = "configuration"

// Apply returns base with o's prices: each price o sets replaces base's,
// and the prices that default to another (cached input and cache writes
// to input, reasoning to output) follow it unless base or o set them. An
// overridden price applies to every request size: base's long-context
// tier is dropped. When found is false (the table has no price for the
// model) o must set input and output, unless base is an embedding model.
// Errors are *FieldError naming the field ("output").
func (o Override) Apply(base Price, found bool) (Price, error) {
	if !found {
		base = Price{Provider: base.Provider, Model: base.Model, Embedding: base.Embedding,
			ContextWindow: base.ContextWindow, MaxOutputTokens: base.MaxOutputTokens}
	}
	r := base.Rates
	if !found {
		r = Rates{}
	}
	for _, f := range []struct {
		name string
		text Decimal
		dst  *Rate
		bit  rateFields
	}{
		{"input", o.Input, &r.Input, fieldInput},
		{"cached_input", o.CachedInput, &r.CachedInput, fieldCachedInput},
		{"cache_write", o.CacheWrite, &r.CacheWrite, fieldCacheWrite},
		{"output", o.Output, &r.Output, fieldOutput},
		{"reasoning", o.Reasoning, &r.Reasoning, fieldReasoning},
	} {
		v, ok, err := f.text.Rate()
		if err != nil {
			return Price{}, fieldErr(f.name, "%v", err)
		}
		if ok {
			*f.dst = v
			r.explicit |= f.bit
		}
	}
	if !found {
		if r.explicit&fieldInput == 0 {
			return Price{}, fieldErr("input", "is required: the pricing table has no price for this model")
		}
		if r.explicit&fieldOutput == 0 && !base.Embedding {
			return Price{}, fieldErr("output", "is required: the pricing table has no price for this model")
		}
	}
	r.resolve()
	p := base
	p.Rates = r
	if !o.IsZero() {
		p.LongContext = nil
		p.Source = OverrideSource
	}
	return p, nil
}

// Validate checks that every price o sets is a valid decimal, naming the
// field of the first that is not.
func (o Override) Validate() error {
	_, err := o.Apply(Price{Rates: Rates{explicit: fieldInput | fieldOutput}}, true)
	return err
}
