package e2e_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
)

func TestKeyLifecycleThroughAdminService(t *testing.T) {
	ctx := context.Background()
	g := startIdentityGateway(t, openSQLiteStore(t))
	root := g.admin(idAdminKey)
	team, err := root.CreateTeam(ctx, connect.NewRequest(&switchboardv1.CreateTeamRequest{Name: "data"}))
	if err != nil {
		t.Fatal(err)
	}
	teamID := team.Msg.GetTeam().GetId()
	user, err := root.CreateUser(ctx, connect.NewRequest(&switchboardv1.CreateUserRequest{TeamId: teamID, Name: "Grace", Email: "grace@example.com"}))
	if err != nil {
		t.Fatal(err)
	}
	limits := &switchboardv1.KeyLimits{RequestsPerMinute: 60, BudgetNanoUsd: 5_000_000_000, BudgetPeriod: switchboardv1.BudgetPeriod_BUDGET_PERIOD_MONTHLY}
	key, secret := g.createKey(t, idAdminKey, &switchboardv1.CreateKeyRequest{Name: "grace's", UserId: user.Msg.GetUser().GetId(),
		Tags: []string{"env:prod"}, Limits: limits})
	if key.GetTeamId() != teamID || key.GetUserId() != user.Msg.GetUser().GetId() || key.GetLimits().GetBudgetNanoUsd() != 5_000_000_000 {
		t.Fatalf("created key %v", key)
	}

	// An explicit mask changes only its fields.
	updated, err := root.UpdateKey(ctx, connect.NewRequest(&switchboardv1.UpdateKeyRequest{
		Key:        &switchboardv1.Key{Id: key.GetId(), Name: "ignored", Tags: []string{"env:staging"}},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"tags"}},
	}))
	if err != nil {
		t.Fatal(err)
	}
	if k := updated.Msg.GetKey(); k.GetName() != "grace's" || !slices.Equal(k.GetTags(), []string{"env:staging"}) || k.GetLimits().GetRequestsPerMinute() != 60 {
		t.Errorf("UpdateKey(tags): %v", k)
	}
	_, err = root.UpdateKey(ctx, connect.NewRequest(&switchboardv1.UpdateKeyRequest{
		Key: &switchboardv1.Key{Id: key.GetId()}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"secret_prefix"}}}))
	if connectCode(err) != connect.CodeInvalidArgument {
		t.Errorf("UpdateKey with an unknown mask path: %v", err)
	}

	// Filters.
	listed, err := root.ListKeys(ctx, connect.NewRequest(&switchboardv1.ListKeysRequest{TeamId: teamID, Tag: "env:staging"}))
	if err != nil || len(listed.Msg.GetKeys()) != 1 || listed.Msg.GetKeys()[0].GetId() != key.GetId() {
		t.Errorf("ListKeys(team, tag): %v %v", listed, err)
	}

	// Rotation without grace: the old secret stops at once.
	rotated, err := root.RotateKey(ctx, connect.NewRequest(&switchboardv1.RotateKeyRequest{Id: key.GetId(), GracePeriod: durationpb.New(0)}))
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := g.chat(t, secret); status != 401 {
		t.Errorf("old secret after a rotation without grace: %d", status)
	}
	if status, _ := g.chat(t, rotated.Msg.GetSecret()); status != 200 {
		t.Errorf("new secret: %d", status)
	}

	// Last-used times are written in batches; Run writes them at least
	// every flush interval, so poll.
	eventually(t, "the key's last-used time is recorded", func() bool {
		got, err := root.GetKey(ctx, connect.NewRequest(&switchboardv1.GetKeyRequest{Id: key.GetId()}))
		if err != nil {
			return false
		}
		g.keys.FlushUsage(ctx)
		used := got.Msg.GetKey().GetLastUsedTime()
		return used != nil && time.Since(used.AsTime()) < time.Hour
	})

	// Teams and users.
	renamed, err := root.UpdateTeam(ctx, connect.NewRequest(&switchboardv1.UpdateTeamRequest{Team: &switchboardv1.Team{Id: teamID, Name: "data-eng"}}))
	if err != nil || renamed.Msg.GetTeam().GetName() != "data-eng" {
		t.Errorf("UpdateTeam: %v %v", renamed, err)
	}
	_, err = root.CreateTeam(ctx, connect.NewRequest(&switchboardv1.CreateTeamRequest{Name: "data-eng"}))
	if connectCode(err) != connect.CodeInvalidArgument {
		t.Errorf("CreateTeam with a taken name: %v", err)
	}
	moved, err := root.UpdateUser(ctx, connect.NewRequest(&switchboardv1.UpdateUserRequest{
		User: &switchboardv1.User{Id: user.Msg.GetUser().GetId(), Email: ""}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"email"}}}))
	if err != nil || moved.Msg.GetUser().GetEmail() != "" || moved.Msg.GetUser().GetName() != "Grace" {
		t.Errorf("UpdateUser(email): %v %v", moved, err)
	}
	caller, err := root.GetCaller(ctx, connect.NewRequest(&switchboardv1.GetCallerRequest{}))
	if err != nil || caller.Msg.GetRole() != switchboardv1.AdminRole_ADMIN_ROLE_ADMIN || caller.Msg.GetAdminKeyId() != "" {
		t.Errorf("GetCaller(bootstrap): %v %v", caller, err)
	}
}
