package server

import (
	"context"

	"connectrpc.com/connect"

	"github.com/switchboard-gw/switchboard/auth"
	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
)

// DeleteTeam and DeleteUser remove a team or user with its keys; the keys
// are refused by this instance from the next request on (other instances
// learn of it as of a revocation).

func (s *adminService) DeleteTeam(ctx context.Context, req *connect.Request[switchboardv1.DeleteTeamRequest]) (*connect.Response[switchboardv1.DeleteTeamResponse], error) {
	if err := s.tenancy(); err != nil {
		return nil, err
	}
	if err := authorizeGlobal(ctx, auth.AccessWrite); err != nil {
		return nil, err
	}
	team, del, err := s.teams.Delete(ctx, req.Msg.GetId(), req.Msg.GetForce())
	if err != nil {
		return nil, ConnectError(err)
	}
	s.keys.ForgetDeleted(del.KeyIDs...)
	if s.audit != nil {
		s.audit.Requests.TeamChanged(team.ID)
	}
	return connect.NewResponse(&switchboardv1.DeleteTeamResponse{Team: teamToProto(&team), DeletedKeyIds: del.KeyIDs, DeletedUserIds: del.UserIDs}), nil
}

func (s *adminService) DeleteUser(ctx context.Context, req *connect.Request[switchboardv1.DeleteUserRequest]) (*connect.Response[switchboardv1.DeleteUserResponse], error) {
	if _, err := s.authorizedUser(ctx, req.Msg.GetId(), auth.AccessWrite); err != nil {
		return nil, err
	}
	user, del, err := s.users.Delete(ctx, req.Msg.GetId(), req.Msg.GetForce())
	if err != nil {
		return nil, ConnectError(err)
	}
	s.keys.ForgetDeleted(del.KeyIDs...)
	return connect.NewResponse(&switchboardv1.DeleteUserResponse{User: userToProto(&user), DeletedKeyIds: del.KeyIDs}), nil
}
