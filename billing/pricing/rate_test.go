package pricing_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/billing/pricing"
	"go.yaml.in/yaml/v3"
)

func TestParseRateIsExact(t *testing.T) {
	for _, c := range []struct {
		in   string
		want pricing.Rate
	}{
		{"0.15", 150_000},
		{"2.50", 2_500_000},
		{"2.5", 2_500_000},
		{"15", 15_000_000},
		{"0.075", 75_000},
		{"0.005", 5_000},
		{"0.000001", 1},
		{"0.0000010", 1}, // trailing zeros are not precision
		{"0", 0},
		{"000.10", 100_000},
		{" 1.10 ", 1_100_000},
		{"1000000000", 1_000_000_000_000_000},
	} {
		got, err := pricing.ParseRate(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseRate(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
}

func TestParseRateRejectsWhatIsNotAPrice(t *testing.T) {
	for _, in := range []string{"", " ", "-1", "-0.5", "abc", "1.2.3", "1e3", "1,5", ".5", "5.", "+1", "0x10", "1_000", "NaN", "Inf",
		"0.0000001", "1000000001", "99999999999999999999999"} {
		if r, err := pricing.ParseRate(in); err == nil {
			t.Errorf("ParseRate(%q) = %d, want an error", in, r)
		}
	}
	_, err := pricing.ParseRate("-2")
	if err == nil || !strings.Contains(err.Error(), "negative") {
		t.Errorf("negative price error %v", err)
	}
}

func TestRateString(t *testing.T) {
	for _, s := range []string{"0.15", "2.5", "15", "0.075", "0.000001", "0", "1234.56789"} {
		r, err := pricing.ParseRate(s)
		if err != nil {
			t.Fatal(err)
		}
		if r.String() != s {
			t.Errorf("ParseRate(%q).String() = %q", s, r.String())
		}
	}
}

// A price in YAML is read from the scalar's text, quoted or not, and never
// goes through a float.
func TestDecimalReadsTheYAMLText(t *testing.T) {
	var v struct {
		A pricing.Decimal `yaml:"a"`
		B pricing.Decimal `yaml:"b"`
		C pricing.Decimal `yaml:"c"`
		D pricing.Decimal `yaml:"d"`
	}
	// 0.1 + 0.2 is not 0.3 in binary floating point; as text it is exact.
	src := "a: 0.30000000000000004\nb: \"2.50\"\nc: 15\nd: 0.275\n"
	if err := yaml.Unmarshal([]byte(src), &v); err != nil {
		t.Fatal(err)
	}
	if v.A != "0.30000000000000004" || v.B != "2.50" || v.C != "15" || v.D != "0.275" {
		t.Fatalf("decoded %+v", v)
	}
	if _, _, err := v.A.Rate(); err == nil {
		t.Error("a price finer than a micro-dollar was accepted")
	}
	if r, ok, err := v.D.Rate(); err != nil || !ok || r != 275_000 {
		t.Errorf("0.275 = %d %v %v", r, ok, err)
	}
	if _, ok, err := pricing.Decimal("").Rate(); ok || err != nil {
		t.Error("an empty Decimal should be unset")
	}
	for _, bad := range []string{"a: [1]\n", "a: {x: 1}\n", "a: true\n"} {
		if err := yaml.Unmarshal([]byte(bad), &v); err == nil {
			t.Errorf("%q decoded", bad)
		}
	}
}

func TestOverrideNamesTheBadField(t *testing.T) {
	for _, c := range []struct {
		o     pricing.Override
		field string
	}{
		{pricing.Override{Input: "-1"}, "input"},
		{pricing.Override{CachedInput: "x"}, "cached_input"},
		{pricing.Override{CacheWrite: "1e2"}, "cache_write"},
		{pricing.Override{Output: "--"}, "output"},
		{pricing.Override{Reasoning: "0.0000001"}, "reasoning"},
	} {
		err := c.o.Validate()
		var fe *pricing.FieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%+v: error %v, want one naming %s", c.o, err, c.field)
		}
	}
	if err := (pricing.Override{Input: "1", Output: "2.5"}).Validate(); err != nil {
		t.Error(err)
	}
}
