package server

import (
	"context"

	"connectrpc.com/connect"

	"github.com/switchboard-gw/switchboard/auth"
	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
)

// Admin credentials are the gateway's, not a team's: only admins manage
// them, and unscoped auditors may read them.

func (s *adminService) CreateAdminKey(ctx context.Context, req *connect.Request[switchboardv1.CreateAdminKeyRequest]) (*connect.Response[switchboardv1.CreateAdminKeyResponse], error) {
	if err := authorizeGlobal(ctx, auth.AccessWrite); err != nil {
		return nil, err
	}
	m := req.Msg
	params := auth.CreateAdminKeyParams{Name: m.GetName(), Role: adminRoleFromProto(m.GetRole()), TeamID: m.GetTeamId()}
	if t := m.GetExpireTime(); t != nil {
		params.ExpiresAt = t.AsTime()
	}
	key, secret, err := s.keys.CreateAdminKey(ctx, params)
	if err != nil {
		return nil, ConnectError(err)
	}
	return connect.NewResponse(&switchboardv1.CreateAdminKeyResponse{AdminKey: adminKeyToProto(&key), Secret: secret}), nil
}

func (s *adminService) GetAdminKey(ctx context.Context, req *connect.Request[switchboardv1.GetAdminKeyRequest]) (*connect.Response[switchboardv1.GetAdminKeyResponse], error) {
	if err := authorizeGlobal(ctx, auth.AccessRead); err != nil {
		return nil, err
	}
	key, err := s.keys.GetAdminKey(ctx, req.Msg.GetId())
	if err != nil {
		return nil, ConnectError(err)
	}
	return connect.NewResponse(&switchboardv1.GetAdminKeyResponse{AdminKey: adminKeyToProto(&key)}), nil
}

func (s *adminService) ListAdminKeys(ctx context.Context, req *connect.Request[switchboardv1.ListAdminKeysRequest]) (*connect.Response[switchboardv1.ListAdminKeysResponse], error) {
	if err := authorizeGlobal(ctx, auth.AccessRead); err != nil {
		return nil, err
	}
	keys, next, err := s.keys.ListAdminKeys(ctx, auth.ListAdminKeysParams{
		PageSize:       int(req.Msg.GetPageSize()),
		PageToken:      req.Msg.GetPageToken(),
		IncludeRevoked: req.Msg.GetIncludeRevoked(),
		TeamID:         req.Msg.GetTeamId(),
	})
	if err != nil {
		return nil, ConnectError(err)
	}
	out := &switchboardv1.ListAdminKeysResponse{NextPageToken: next}
	for i := range keys {
		out.AdminKeys = append(out.AdminKeys, adminKeyToProto(&keys[i]))
	}
	return connect.NewResponse(out), nil
}

func (s *adminService) RevokeAdminKey(ctx context.Context, req *connect.Request[switchboardv1.RevokeAdminKeyRequest]) (*connect.Response[switchboardv1.RevokeAdminKeyResponse], error) {
	if err := authorizeGlobal(ctx, auth.AccessWrite); err != nil {
		return nil, err
	}
	key, err := s.keys.RevokeAdminKey(ctx, req.Msg.GetId())
	if err != nil {
		return nil, ConnectError(err)
	}
	return connect.NewResponse(&switchboardv1.RevokeAdminKeyResponse{AdminKey: adminKeyToProto(&key)}), nil
}

func (s *adminService) RotateAdminKey(ctx context.Context, req *connect.Request[switchboardv1.RotateAdminKeyRequest]) (*connect.Response[switchboardv1.RotateAdminKeyResponse], error) {
	if err := authorizeGlobal(ctx, auth.AccessWrite); err != nil {
		return nil, err
	}
	grace, err := gracePeriod(req.Msg.GetGracePeriod())
	if err != nil {
		return nil, ConnectError(err)
	}
	key, secret, err := s.keys.RotateAdminKey(ctx, req.Msg.GetId(), grace)
	if err != nil {
		return nil, ConnectError(err)
	}
	return connect.NewResponse(&switchboardv1.RotateAdminKeyResponse{AdminKey: adminKeyToProto(&key), Secret: secret}), nil
}

func (s *adminService) GetCaller(ctx context.Context, _ *connect.Request[switchboardv1.GetCallerRequest]) (*connect.Response[switchboardv1.GetCallerResponse], error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&switchboardv1.GetCallerResponse{
		Role: adminRoleToProto(p.Role), TeamId: p.TeamID, AdminKeyId: p.KeyID, Name: p.KeyName,
	}), nil
}
