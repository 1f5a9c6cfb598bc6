package server

import (
	"context"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/billing/spend"
	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
	"github.com/switchboard-gw/switchboard/llm"
)

// adminService implements AdminService over auth.Keys, auth.Teams and
// auth.Users. authInterceptor authenticated the caller and checked its role
// against the procedure; each handler checks the team of what it touches.
// Validation of names, scopes and ids is the auth package's.
type adminService struct {
	switchboardv1connect.UnimplementedAdminServiceHandler
	keys  *auth.Keys
	teams *auth.Teams
	users *auth.Users
	// routing reports deployment health (ListDeployments); nil when the
	// core does not route.
	routing RoutingStatus
	// spend answers QuerySpend; nil without a spend ledger.
	spend *spend.Reports
	// audit serves the audit RPCs; nil without an audit trail.
	audit *AuditOptions
	// limits serves the limits RPCs (adminlimits.go); nil without
	// admission.
	limits LimitsAdmin
}

func (s *adminService) CreateKey(ctx context.Context, req *connect.Request[switchboardv1.CreateKeyRequest]) (*connect.Response[switchboardv1.CreateKeyResponse], error) {
	m := req.Msg
	params := auth.CreateKeyParams{
		Name:          m.GetName(),
		AllowedModels: m.GetAllowedModels(),
		TeamID:        ownTeam(ctx, m.GetTeamId()),
		UserID:        m.GetUserId(),
		Tags:          m.GetTags(),
		Limits:        limitsFromProto(m.GetLimits()),
	}
	if t := m.GetExpireTime(); t != nil {
		params.ExpiresAt = t.AsTime()
	}
	if params.TeamID == "" && params.UserID != "" && s.users != nil {
		// The key joins the user's team: authorize against that.
		if u, err := s.users.Get(ctx, params.UserID); err == nil {
			params.TeamID = u.TeamID
		}
	}
	if err := authorizeTeam(ctx, auth.AccessWrite, params.TeamID); err != nil {
		return nil, err
	}
	key, secret, err := s.keys.Create(ctx, params)
	if err != nil {
		return nil, ConnectError(err)
	}
	return connect.NewResponse(&switchboardv1.CreateKeyResponse{Key: keyToProto(&key), Secret: secret}), nil
}

func (s *adminService) ListKeys(ctx context.Context, req *connect.Request[switchboardv1.ListKeysRequest]) (*connect.Response[switchboardv1.ListKeysResponse], error) {
	team, err := teamFilter(ctx, req.Msg.GetTeamId())
	if err != nil {
		return nil, err
	}
	keys, next, err := s.keys.List(ctx, auth.ListKeysParams{
		PageSize:       int(req.Msg.GetPageSize()),
		PageToken:      req.Msg.GetPageToken(),
		IncludeRevoked: req.Msg.GetIncludeRevoked(),
		TeamID:         team,
		UserID:         req.Msg.GetUserId(),
		Tag:            req.Msg.GetTag(),
	})
	if err != nil {
		return nil, ConnectError(err)
	}
	out := &switchboardv1.ListKeysResponse{Keys: make([]*switchboardv1.Key, len(keys)), NextPageToken: next}
	for i := range keys {
		out.Keys[i] = keyToProto(&keys[i])
	}
	return connect.NewResponse(out), nil
}

// authorizedKey reads a key and checks the caller may read or write it.
func (s *adminService) authorizedKey(ctx context.Context, id string, a auth.Access) (auth.Key, error) {
	key, err := s.keys.Get(ctx, id)
	if err != nil {
		return auth.Key{}, ConnectError(err)
	}
	if err := authorizeTeam(ctx, a, key.TeamID); err != nil {
		return auth.Key{}, err
	}
	return key, nil
}

func (s *adminService) GetKey(ctx context.Context, req *connect.Request[switchboardv1.GetKeyRequest]) (*connect.Response[switchboardv1.GetKeyResponse], error) {
	key, err := s.authorizedKey(ctx, req.Msg.GetId(), auth.AccessRead)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&switchboardv1.GetKeyResponse{Key: keyToProto(&key)}), nil
}

func (s *adminService) RevokeKey(ctx context.Context, req *connect.Request[switchboardv1.RevokeKeyRequest]) (*connect.Response[switchboardv1.RevokeKeyResponse], error) {
	if _, err := s.authorizedKey(ctx, req.Msg.GetId(), auth.AccessWrite); err != nil {
		return nil, err
	}
	key, err := s.keys.Revoke(ctx, req.Msg.GetId())
	if err != nil {
		return nil, ConnectError(err)
	}
	return connect.NewResponse(&switchboardv1.RevokeKeyResponse{Key: keyToProto(&key)}), nil
}

func (s *adminService) UpdateKey(ctx context.Context, req *connect.Request[switchboardv1.UpdateKeyRequest]) (*connect.Response[switchboardv1.UpdateKeyResponse], error) {
	in := req.Msg.GetKey()
	params, err := keyUpdateFromProto(in, req.Msg.GetUpdateMask().GetPaths())
	if err != nil {
		return nil, ConnectError(err)
	}
	if _, err := s.authorizedKey(ctx, in.GetId(), auth.AccessWrite); err != nil {
		return nil, err
	}
	key, err := s.keys.Update(ctx, params)
	if err != nil {
		return nil, ConnectError(err)
	}
	return connect.NewResponse(&switchboardv1.UpdateKeyResponse{Key: keyToProto(&key)}), nil
}

func (s *adminService) RotateKey(ctx context.Context, req *connect.Request[switchboardv1.RotateKeyRequest]) (*connect.Response[switchboardv1.RotateKeyResponse], error) {
	grace, err := gracePeriod(req.Msg.GetGracePeriod())
	if err != nil {
		return nil, ConnectError(err)
	}
	if _, err := s.authorizedKey(ctx, req.Msg.GetId(), auth.AccessWrite); err != nil {
		return nil, err
	}
	key, secret, err := s.keys.Rotate(ctx, req.Msg.GetId(), grace)
	if err != nil {
		return nil, ConnectError(err)
	}
	return connect.NewResponse(&switchboardv1.RotateKeyResponse{Key: keyToProto(&key), Secret: secret}), nil
}

// gracePeriod reads a rotation's grace period: unset means the default.
func gracePeriod(d *durationpb.Duration) (time.Duration, error) {
	if d == nil {
		return auth.DefaultRotationGrace, nil
	}
	if err := d.CheckValid(); err != nil {
		return 0, &llm.Error{Kind: llm.KindInvalidRequest, Param: "grace_period", Message: "grace_period is not a valid duration"}
	}
	return d.AsDuration(), nil
}
