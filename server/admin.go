package server

import (
	"context"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/switchboard-gw/switchboard/auth"
	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
)

// adminService implements AdminService over auth.Keys. The admin key was
// checked by authInterceptor; validation of names, scopes and ids is the
// auth package's.
type adminService struct {
	switchboardv1connect.UnimplementedAdminServiceHandler
	keys *auth.Keys
}

func (s *adminService) CreateKey(ctx context.Context, req *connect.Request[switchboardv1.CreateKeyRequest]) (*connect.Response[switchboardv1.CreateKeyResponse], error) {
	params := auth.CreateKeyParams{Name: req.Msg.GetName(), AllowedModels: req.Msg.GetAllowedModels()}
	if t := req.Msg.GetExpireTime(); t != nil {
		params.ExpiresAt = t.AsTime()
	}
	key, secret, err := s.keys.Create(ctx, params)
	if err != nil {
		return nil, ConnectError(err)
	}
	return connect.NewResponse(&switchboardv1.CreateKeyResponse{Key: keyToProto(&key), Secret: secret}), nil
}

func (s *adminService) ListKeys(ctx context.Context, req *connect.Request[switchboardv1.ListKeysRequest]) (*connect.Response[switchboardv1.ListKeysResponse], error) {
	keys, next, err := s.keys.List(ctx, auth.ListKeysParams{
		PageSize:       int(req.Msg.GetPageSize()),
		PageToken:      req.Msg.GetPageToken(),
		IncludeRevoked: req.Msg.GetIncludeRevoked(),
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

func (s *adminService) GetKey(ctx context.Context, req *connect.Request[switchboardv1.GetKeyRequest]) (*connect.Response[switchboardv1.GetKeyResponse], error) {
	key, err := s.keys.Get(ctx, req.Msg.GetId())
	if err != nil {
		return nil, ConnectError(err)
	}
	return connect.NewResponse(&switchboardv1.GetKeyResponse{Key: keyToProto(&key)}), nil
}

func (s *adminService) RevokeKey(ctx context.Context, req *connect.Request[switchboardv1.RevokeKeyRequest]) (*connect.Response[switchboardv1.RevokeKeyResponse], error) {
	key, err := s.keys.Revoke(ctx, req.Msg.GetId())
	if err != nil {
		return nil, ConnectError(err)
	}
	return connect.NewResponse(&switchboardv1.RevokeKeyResponse{Key: keyToProto(&key)}), nil
}

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
	}
}

func timestampOrNil(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}
