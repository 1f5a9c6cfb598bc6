package e2e_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/switchboard-gw/switchboard/auth"
	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
)

func TestFailedAuthenticationIsRateLimitedPerAddress(t *testing.T) {
	g := startIdentityGateway(t, openSQLiteStore(t), auth.WithFailureLimiter(auth.NewFailureLimiter(3, time.Hour)))
	_, good := g.createKey(t, idAdminKey, &switchboardv1.CreateKeyRequest{Name: "good"})
	if status, _ := g.chat(t, good); status != 200 {
		t.Fatalf("good key before any failure: %d", status)
	}
	for range 3 {
		if status, _ := g.chat(t, auth.GenerateSecret()); status != 401 {
			t.Fatalf("unknown key: %d, want 401", status)
		}
	}
	// Out of allowance: 429 with Retry-After, for good keys too.
	for _, secret := range []string{auth.GenerateSecret(), good} {
		status, retryAfter := g.chat(t, secret)
		if secs, err := strconv.Atoi(retryAfter); status != 429 || err != nil || secs <= 0 {
			t.Errorf("after 3 failures: %d, Retry-After %q; want 429 with a positive Retry-After", status, retryAfter)
		}
	}
	err := g.complete(good)
	if connectCode(err) != connect.CodeResourceExhausted {
		t.Errorf("Connect after 3 failures: %v, want ResourceExhausted", err)
	}
	var ce *connect.Error
	if errors.As(err, &ce) && ce.Meta().Get("Retry-After") == "" {
		t.Error("Connect error without Retry-After metadata")
	}
	_, err = g.admin(idAdminKey).ListKeys(context.Background(), connect.NewRequest(&switchboardv1.ListKeysRequest{}))
	if connectCode(err) != connect.CodeResourceExhausted {
		t.Errorf("AdminService after 3 failures: %v, want ResourceExhausted", err)
	}
}
