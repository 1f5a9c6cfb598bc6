package auth_test

import (
	"testing"

	"github.com/switchboard-gw/switchboard/auth"
)

func TestPrincipalAllows(t *testing.T) {
	tests := []struct {
		allowed []string
		model   string
		want    bool
	}{
		{nil, "demo", true},
		{[]string{}, "anything/at-all", true},
		{[]string{"demo"}, "demo", true},
		{[]string{"demo"}, "demo-2", false},
		{[]string{"demo"}, "Demo", false},
		{[]string{"openai/*"}, "openai/gpt-4o-mini", true},
		{[]string{"openai/*"}, "openai", false},
		{[]string{"openai/*"}, "anthropic/claude-sonnet-4", false},
		{[]string{"gpt-4o*"}, "gpt-4o-mini", true},
		{[]string{"*"}, "whatever", true},
		{[]string{"demo", "openai/*"}, "openai/o3", true},
		{[]string{"demo", "openai/*"}, "gemini/flash", false},
	}
	for _, tc := range tests {
		p := &auth.Principal{KeyID: "key_x", AllowedModels: tc.allowed}
		if got := p.Allows(tc.model); got != tc.want {
			t.Errorf("%v.Allows(%q) = %v, want %v", tc.allowed, tc.model, got, tc.want)
		}
	}
	var nobody *auth.Principal
	if nobody.Allows("demo") {
		t.Error("a nil principal must allow nothing")
	}
}
