package sim_test

import (
	"testing"

	"github.com/switchboard-gw/switchboard/providers/sim"
)

func TestCountTokens(t *testing.T) {
	cases := []struct {
		text string
		want int
	}{
		{"", 0},
		{"Hello!", 2},
		{"How do I reset my password?", 7},
		{" there", 1},
		{`{"country":"UK"}`, 5}, // {"  country  ":"  UK  "}: how real streams fragment it
		{"internationalization", 2},
		{"12345", 2},
		{"a\n\nb", 3},
		{"trailing  ", 2},
		{"?!?!", 2},
		{"日本語", 3},
		{"café au lait", 3},
	}
	for _, c := range cases {
		if got := sim.CountTokens(c.text); got != c.want {
			t.Errorf("CountTokens(%q) = %d, want %d", c.text, got, c.want)
		}
	}
}
