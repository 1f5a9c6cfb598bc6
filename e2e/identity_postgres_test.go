package e2e_test

import (
	"context"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/switchboard-gw/switchboard/auth"
	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/store/postgres"
	"github.com/switchboard-gw/switchboard/store/postgres/pgtest"
)

func openPostgres(t *testing.T, dsn string) *postgres.Store {
	t.Helper()
	st, err := postgres.Open(t.Context(), postgres.Options{DSN: dsn, Migrate: true, MaxConns: 4, ConnectTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestRevocationReachesASecondInstance: two gateways share one database.
// Their cache TTL is ten minutes, so only the LISTEN/NOTIFY announcement
// can make the second one refuse the key within the test's deadline.
func TestRevocationReachesASecondInstance(t *testing.T) {
	dsn := pgtest.NewSchema(t)
	longCache := auth.WithCacheTTL(10 * time.Minute)
	a := startIdentityGateway(t, openPostgres(t, dsn), longCache)
	b := startIdentityGateway(t, openPostgres(t, dsn), longCache)

	key, secret := a.createKey(t, idAdminKey, &switchboardv1.CreateKeyRequest{Name: "shared"})
	for _, g := range []*idgw{a, b} {
		if status, _ := g.chat(t, secret); status != 200 {
			t.Fatalf("before revocation: %d", status)
		}
	}
	// Changes are announced too: a scope narrowed on a reaches b.
	if _, err := a.admin(idAdminKey).UpdateKey(context.Background(), connect.NewRequest(&switchboardv1.UpdateKeyRequest{
		Key: &switchboardv1.Key{Id: key.GetId(), AllowedModels: []string{"demo-anthropic"}}})); err != nil {
		t.Fatal(err)
	}
	eventually(t, "instance b applies the scope change made on a", func() bool {
		status, _ := b.chat(t, secret)
		return status == 403
	})

	if _, err := a.admin(idAdminKey).RevokeKey(context.Background(), connect.NewRequest(&switchboardv1.RevokeKeyRequest{Id: key.GetId()})); err != nil {
		t.Fatal(err)
	}
	if status, _ := a.chat(t, secret); status != 401 {
		t.Errorf("instance a right after revoking: %d, want 401", status)
	}
	eventually(t, "instance b refuses the key revoked on a", func() bool {
		status, _ := b.chat(t, secret)
		return status == 401
	})
	if err := b.complete(secret); connectCode(err) != connect.CodeUnauthenticated {
		t.Errorf("instance b over Connect: %v", err)
	}
}

// TestPostgresOutage stops the database under a running gateway: known keys
// keep working from memory, revocations seen before keep holding, unknown
// keys get 503, admin writes get Unavailable, and everything recovers when
// the database is back.
func TestPostgresOutage(t *testing.T) {
	srv := pgtest.StartServer(t)
	// A cache TTL far below the test's pace: every request finds its entry
	// stale and must go to the store, so the outage path is what serves it.
	g := startIdentityGateway(t, openPostgres(t, srv.DSN), auth.WithCacheTTL(time.Millisecond), auth.WithMaxStaleness(time.Hour))
	ctx := context.Background()
	root := g.admin(idAdminKey)

	_, known := g.createKey(t, idAdminKey, &switchboardv1.CreateKeyRequest{Name: "known"})
	_, neverUsed := g.createKey(t, idAdminKey, &switchboardv1.CreateKeyRequest{Name: "never used"})
	revoked, revokedSecret := g.createKey(t, idAdminKey, &switchboardv1.CreateKeyRequest{Name: "revoked"})
	for _, s := range []string{known, revokedSecret} {
		if status, _ := g.chat(t, s); status != 200 {
			t.Fatalf("before the outage: %d", status)
		}
	}
	if _, err := root.RevokeKey(ctx, connect.NewRequest(&switchboardv1.RevokeKeyRequest{Id: revoked.GetId()})); err != nil {
		t.Fatal(err)
	}
	// A verification is not cached when a change notification (the keys
	// just created and revoked) lands while it reads the store: use the
	// known key a few more times, once the notifications have been
	// delivered, so that its last verification is in memory for the outage.
	for range 5 {
		time.Sleep(20 * time.Millisecond)
		if status, _ := g.chat(t, known); status != 200 {
			t.Fatalf("before the outage: %d", status)
		}
	}

	srv.Stop(t)

	for range 3 {
		if status, _ := g.chat(t, known); status != 200 {
			t.Errorf("known key during the outage: %d, want 200 from memory", status)
		}
	}
	if err := g.complete(known); err != nil {
		t.Errorf("known key over Connect during the outage: %v", err)
	}
	if status, _ := g.chat(t, revokedSecret); status != 401 {
		t.Errorf("key revoked before the outage: %d, want 401", status)
	}
	for name, secret := range map[string]string{"issued but never used": neverUsed, "made up": auth.GenerateSecret()} {
		if status, _ := g.chat(t, secret); status != 503 {
			t.Errorf("%s key during the outage: %d, want 503", name, status)
		}
		if err := g.complete(secret); connectCode(err) != connect.CodeUnavailable {
			t.Errorf("%s key over Connect during the outage: %v, want Unavailable", name, err)
		}
	}
	_, err := root.CreateKey(ctx, connect.NewRequest(&switchboardv1.CreateKeyRequest{Name: "during"}))
	if connectCode(err) != connect.CodeUnavailable {
		t.Errorf("admin write during the outage: %v, want Unavailable", err)
	}
	_, err = root.CreateTeam(ctx, connect.NewRequest(&switchboardv1.CreateTeamRequest{Name: "during"}))
	if connectCode(err) != connect.CodeUnavailable {
		t.Errorf("CreateTeam during the outage: %v, want Unavailable", err)
	}

	srv.Start(t)

	eventually(t, "admin writes work again", func() bool {
		_, err := root.CreateKey(ctx, connect.NewRequest(&switchboardv1.CreateKeyRequest{Name: "after"}))
		return err == nil
	})
	eventually(t, "keys unknown to the cache work again", func() bool {
		status, _ := g.chat(t, neverUsed)
		return status == 200
	})
	if status, _ := g.chat(t, known); status != 200 {
		t.Errorf("known key after recovery: %d", status)
	}
	if status, _ := g.chat(t, revokedSecret); status != 401 {
		t.Errorf("revoked key after recovery: %d", status)
	}
}
