package auth_test

import (
	"testing"

	"github.com/switchboard-gw/switchboard/auth"
)

func TestBearerToken(t *testing.T) {
	tests := []struct {
		header string
		token  string
		ok     bool
	}{
		{"Bearer sk-sb-abc", "sk-sb-abc", true},
		{"bearer sk-sb-abc", "sk-sb-abc", true},
		{"BEARER   sk-sb-abc  ", "sk-sb-abc", true},
		{"Bearer\tsk-sb-abc", "sk-sb-abc", true},
		{"", "", false},
		{"Bearer", "", false},
		{"Bearer ", "", false},
		{"Bearersk-sb-abc", "", false},
		{"Basic dXNlcjpwYXNz", "", false},
		{"sk-sb-abc", "", false},
		{"Bearer sk-sb-abc extra", "", false},
	}
	for _, tc := range tests {
		token, ok := auth.BearerToken(tc.header)
		if token != tc.token || ok != tc.ok {
			t.Errorf("BearerToken(%q) = %q, %v; want %q, %v", tc.header, token, ok, tc.token, tc.ok)
		}
	}
}
