package server

import (
	"fmt"
	"slices"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/switchboard-gw/switchboard/auth"
	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/llm"
)

// keyToProto converts a key's public record; there is no secret in it to leak.
func keyToProto(k *auth.Key) *switchboardv1.Key {
	return &switchboardv1.Key{
		Id:            k.ID,
		Name:          k.Name,
		AllowedModels: k.AllowedModels,
		CreateTime:    timestampOrNil(k.CreatedAt),
		RevokeTime:    timestampOrNil(k.RevokedAt),
		ExpireTime:    timestampOrNil(k.ExpiresAt),
		SecretPrefix:  k.SecretPrefix,
		TeamId:        k.TeamID,
		UserId:        k.UserID,
		Tags:          k.Tags,
		Limits:        limitsToProto(k.Limits),
		UpdateTime:    timestampOrNil(k.UpdatedAt),
		RotateTime:    timestampOrNil(k.RotatedAt),
		LastUsedTime:  timestampOrNil(k.LastUsedAt),
	}
}

func limitsToProto(l auth.Limits) *switchboardv1.KeyLimits {
	if l.IsZero() {
		return nil
	}
	out := &switchboardv1.KeyLimits{RequestsPerMinute: l.RPM, TokensPerMinute: l.TPM, BudgetNanoUsd: l.BudgetNanoUSD}
	switch {
	case l.BudgetPeriod == auth.BudgetDaily:
		out.BudgetPeriod = switchboardv1.BudgetPeriod_BUDGET_PERIOD_DAILY
	case l.BudgetPeriod == auth.BudgetMonthly:
		out.BudgetPeriod = switchboardv1.BudgetPeriod_BUDGET_PERIOD_MONTHLY
	case l.BudgetNanoUSD > 0:
		out.BudgetPeriod = switchboardv1.BudgetPeriod_BUDGET_PERIOD_LIFETIME
	}
	return out
}

// limitsFromProto converts limits; an unknown period is passed on as such,
// for auth to refuse with the field named.
func limitsFromProto(l *switchboardv1.KeyLimits) auth.Limits {
	if l == nil {
		return auth.Limits{}
	}
	out := auth.Limits{RPM: l.GetRequestsPerMinute(), TPM: l.GetTokensPerMinute(), BudgetNanoUSD: l.GetBudgetNanoUsd()}
	switch l.GetBudgetPeriod() {
	case switchboardv1.BudgetPeriod_BUDGET_PERIOD_UNSPECIFIED, switchboardv1.BudgetPeriod_BUDGET_PERIOD_LIFETIME:
	case switchboardv1.BudgetPeriod_BUDGET_PERIOD_DAILY:
		out.BudgetPeriod = auth.BudgetDaily
	case switchboardv1.BudgetPeriod_BUDGET_PERIOD_MONTHLY:
		out.BudgetPeriod = auth.BudgetMonthly
	default:
		out.BudgetPeriod = auth.BudgetPeriod(fmt.Sprintf("period %d", l.GetBudgetPeriod()))
	}
	return out
}

// updatableKeyFields are the update_mask paths UpdateKey accepts.
var updatableKeyFields = []string{"name", "allowed_models", "tags", "expire_time", "limits"}

// keyUpdateFromProto reads UpdateKey's key and mask. An empty mask means
// every updatable field that is set (AIP-134).
func keyUpdateFromProto(k *switchboardv1.Key, paths []string) (auth.UpdateKeyParams, error) {
	if k == nil || k.GetId() == "" {
		return auth.UpdateKeyParams{}, &llm.Error{Kind: llm.KindInvalidRequest, Param: "key.id", Message: "key.id is required"}
	}
	if len(paths) == 0 {
		set := map[string]bool{
			"name": k.GetName() != "", "allowed_models": len(k.GetAllowedModels()) > 0, "tags": len(k.GetTags()) > 0,
			"expire_time": k.GetExpireTime() != nil, "limits": k.GetLimits() != nil,
		}
		for _, f := range updatableKeyFields {
			if set[f] {
				paths = append(paths, f)
			}
		}
		if len(paths) == 0 {
			return auth.UpdateKeyParams{}, &llm.Error{Kind: llm.KindInvalidRequest, Param: "update_mask", Message: "nothing to update: set update_mask or the fields to change"}
		}
	}
	p := auth.UpdateKeyParams{ID: k.GetId()}
	for _, path := range paths {
		switch path {
		case "name":
			name := k.GetName()
			p.Name = &name
		case "allowed_models":
			models := slices.Clone(k.GetAllowedModels())
			p.AllowedModels = &models
		case "tags":
			tags := slices.Clone(k.GetTags())
			p.Tags = &tags
		case "expire_time":
			var expires time.Time // unset: never expires
			if t := k.GetExpireTime(); t != nil {
				expires = t.AsTime()
			}
			p.ExpiresAt = &expires
		case "limits":
			limits := limitsFromProto(k.GetLimits())
			p.Limits = &limits
		default:
			return auth.UpdateKeyParams{}, unknownMaskPath(path, updatableKeyFields)
		}
	}
	return p, nil
}

func unknownMaskPath(path string, allowed []string) *llm.Error {
	return &llm.Error{Kind: llm.KindInvalidRequest, Param: "update_mask",
		Message: fmt.Sprintf("update_mask: %q cannot be updated (updatable: %v)", path, allowed)}
}

func teamToProto(t *auth.Team) *switchboardv1.Team {
	return &switchboardv1.Team{Id: t.ID, Name: t.Name, CreateTime: timestampOrNil(t.CreatedAt), UpdateTime: timestampOrNil(t.UpdatedAt),
		PayloadCapture: t.PayloadCapture, PayloadRetentionDays: int32(t.PayloadRetentionDays)}
}

func userToProto(u *auth.User) *switchboardv1.User {
	return &switchboardv1.User{Id: u.ID, TeamId: u.TeamID, Name: u.Name, Email: u.Email,
		CreateTime: timestampOrNil(u.CreatedAt), UpdateTime: timestampOrNil(u.UpdatedAt)}
}

func adminKeyToProto(k *auth.Key) *switchboardv1.AdminKey {
	return &switchboardv1.AdminKey{
		Id:           k.ID,
		Name:         k.Name,
		Role:         adminRoleToProto(k.Role),
		TeamId:       k.TeamID,
		SecretPrefix: k.SecretPrefix,
		CreateTime:   timestampOrNil(k.CreatedAt),
		RevokeTime:   timestampOrNil(k.RevokedAt),
		ExpireTime:   timestampOrNil(k.ExpiresAt),
		RotateTime:   timestampOrNil(k.RotatedAt),
		LastUsedTime: timestampOrNil(k.LastUsedAt),
	}
}

func adminRoleToProto(r auth.Role) switchboardv1.AdminRole {
	switch r {
	case auth.RoleAdmin:
		return switchboardv1.AdminRole_ADMIN_ROLE_ADMIN
	case auth.RoleTeamAdmin:
		return switchboardv1.AdminRole_ADMIN_ROLE_TEAM_ADMIN
	case auth.RoleAuditor:
		return switchboardv1.AdminRole_ADMIN_ROLE_AUDITOR
	}
	return switchboardv1.AdminRole_ADMIN_ROLE_UNSPECIFIED
}

// adminRoleFromProto converts a role; unspecified and unknown values become
// roles auth refuses, naming the field.
func adminRoleFromProto(r switchboardv1.AdminRole) auth.Role {
	switch r {
	case switchboardv1.AdminRole_ADMIN_ROLE_ADMIN:
		return auth.RoleAdmin
	case switchboardv1.AdminRole_ADMIN_ROLE_TEAM_ADMIN:
		return auth.RoleTeamAdmin
	case switchboardv1.AdminRole_ADMIN_ROLE_AUDITOR:
		return auth.RoleAuditor
	}
	return auth.Role(r.String())
}

func timestampOrNil(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}
