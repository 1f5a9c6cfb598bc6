package server

import (
	"context"

	"connectrpc.com/connect"

	"github.com/switchboard-gw/switchboard/auth"
	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/llm"
)

var errNoTenancy = &llm.Error{Kind: llm.KindInternal, Message: "this gateway was started without a team store"}

func (s *adminService) tenancy() error {
	if s.teams == nil || s.users == nil {
		return connect.NewError(connect.CodeUnimplemented, errNoTenancy)
	}
	return nil
}

func (s *adminService) CreateTeam(ctx context.Context, req *connect.Request[switchboardv1.CreateTeamRequest]) (*connect.Response[switchboardv1.CreateTeamResponse], error) {
	if err := s.tenancy(); err != nil {
		return nil, err
	}
	if err := authorizeGlobal(ctx, auth.AccessWrite); err != nil {
		return nil, err
	}
	team, err := s.teams.Create(ctx, req.Msg.GetName())
	if err != nil {
		return nil, ConnectError(err)
	}
	return connect.NewResponse(&switchboardv1.CreateTeamResponse{Team: teamToProto(&team)}), nil
}

func (s *adminService) GetTeam(ctx context.Context, req *connect.Request[switchboardv1.GetTeamRequest]) (*connect.Response[switchboardv1.GetTeamResponse], error) {
	if err := s.tenancy(); err != nil {
		return nil, err
	}
	if err := authorizeTeam(ctx, auth.AccessRead, req.Msg.GetId()); err != nil {
		return nil, err
	}
	team, err := s.teams.Get(ctx, req.Msg.GetId())
	if err != nil {
		return nil, ConnectError(err)
	}
	return connect.NewResponse(&switchboardv1.GetTeamResponse{Team: teamToProto(&team)}), nil
}

func (s *adminService) ListTeams(ctx context.Context, req *connect.Request[switchboardv1.ListTeamsRequest]) (*connect.Response[switchboardv1.ListTeamsResponse], error) {
	if err := s.tenancy(); err != nil {
		return nil, err
	}
	own, err := teamFilter(ctx, "")
	if err != nil {
		return nil, err
	}
	out := &switchboardv1.ListTeamsResponse{}
	if own != "" {
		// A team-scoped credential sees its own team and nothing else.
		team, err := s.teams.Get(ctx, own)
		if err != nil {
			return nil, ConnectError(err)
		}
		out.Teams = []*switchboardv1.Team{teamToProto(&team)}
		return connect.NewResponse(out), nil
	}
	teams, next, err := s.teams.List(ctx, auth.ListTeamsParams{PageSize: int(req.Msg.GetPageSize()), PageToken: req.Msg.GetPageToken()})
	if err != nil {
		return nil, ConnectError(err)
	}
	out.NextPageToken = next
	for i := range teams {
		out.Teams = append(out.Teams, teamToProto(&teams[i]))
	}
	return connect.NewResponse(out), nil
}

func (s *adminService) UpdateTeam(ctx context.Context, req *connect.Request[switchboardv1.UpdateTeamRequest]) (*connect.Response[switchboardv1.UpdateTeamResponse], error) {
	if err := s.tenancy(); err != nil {
		return nil, err
	}
	in := req.Msg.GetTeam()
	params, err := teamUpdateFromProto(in, req.Msg.GetUpdateMask().GetPaths())
	if err != nil {
		return nil, ConnectError(err)
	}
	if err := authorizeTeam(ctx, auth.AccessWrite, in.GetId()); err != nil {
		return nil, err
	}
	team, err := s.teams.Update(ctx, params)
	if err != nil {
		return nil, ConnectError(err)
	}
	if s.audit != nil {
		s.audit.Requests.TeamChanged(team.ID) // payload capture applies from the next request
	}
	return connect.NewResponse(&switchboardv1.UpdateTeamResponse{Team: teamToProto(&team)}), nil
}

// updatableTeamFields are the update_mask paths UpdateTeam accepts.
var updatableTeamFields = []string{"name", "payload_capture", "payload_retention_days"}

// teamUpdateFromProto reads UpdateTeam's team and mask. An empty mask
// means every updatable field that is set (AIP-134); a capture switched
// off is "set" only through the mask.
func teamUpdateFromProto(t *switchboardv1.Team, paths []string) (auth.UpdateTeamParams, error) {
	if len(paths) == 0 {
		if t.GetName() != "" {
			paths = append(paths, "name")
		}
		if t.GetPayloadCapture() {
			paths = append(paths, "payload_capture")
		}
		if t.GetPayloadRetentionDays() != 0 {
			paths = append(paths, "payload_retention_days")
		}
	}
	p := auth.UpdateTeamParams{ID: t.GetId()}
	for _, path := range paths {
		switch path {
		case "name":
			name := t.GetName()
			p.Name = &name
		case "payload_capture":
			on := t.GetPayloadCapture()
			p.PayloadCapture = &on
		case "payload_retention_days":
			days := int(t.GetPayloadRetentionDays())
			p.PayloadRetentionDays = &days
		default:
			return p, unknownMaskPath(path, updatableTeamFields)
		}
	}
	if p.Name == nil && p.PayloadCapture == nil && p.PayloadRetentionDays == nil {
		return p, &llm.Error{Kind: llm.KindInvalidRequest, Param: "update_mask", Message: "nothing to update: set update_mask or the fields to change"}
	}
	return p, nil
}

func (s *adminService) CreateUser(ctx context.Context, req *connect.Request[switchboardv1.CreateUserRequest]) (*connect.Response[switchboardv1.CreateUserResponse], error) {
	if err := s.tenancy(); err != nil {
		return nil, err
	}
	team := ownTeam(ctx, req.Msg.GetTeamId())
	if err := authorizeTeam(ctx, auth.AccessWrite, team); err != nil {
		return nil, err
	}
	user, err := s.users.Create(ctx, auth.CreateUserParams{TeamID: team, Name: req.Msg.GetName(), Email: req.Msg.GetEmail()})
	if err != nil {
		return nil, ConnectError(err)
	}
	return connect.NewResponse(&switchboardv1.CreateUserResponse{User: userToProto(&user)}), nil
}

// authorizedUser reads a user and checks the caller may read or write it.
func (s *adminService) authorizedUser(ctx context.Context, id string, a auth.Access) (auth.User, error) {
	if err := s.tenancy(); err != nil {
		return auth.User{}, err
	}
	user, err := s.users.Get(ctx, id)
	if err != nil {
		return auth.User{}, ConnectError(err)
	}
	if err := authorizeTeam(ctx, a, user.TeamID); err != nil {
		return auth.User{}, err
	}
	return user, nil
}

func (s *adminService) GetUser(ctx context.Context, req *connect.Request[switchboardv1.GetUserRequest]) (*connect.Response[switchboardv1.GetUserResponse], error) {
	user, err := s.authorizedUser(ctx, req.Msg.GetId(), auth.AccessRead)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&switchboardv1.GetUserResponse{User: userToProto(&user)}), nil
}

func (s *adminService) ListUsers(ctx context.Context, req *connect.Request[switchboardv1.ListUsersRequest]) (*connect.Response[switchboardv1.ListUsersResponse], error) {
	if err := s.tenancy(); err != nil {
		return nil, err
	}
	team, err := teamFilter(ctx, req.Msg.GetTeamId())
	if err != nil {
		return nil, err
	}
	users, next, err := s.users.List(ctx, auth.ListUsersParams{PageSize: int(req.Msg.GetPageSize()), PageToken: req.Msg.GetPageToken(), TeamID: team})
	if err != nil {
		return nil, ConnectError(err)
	}
	out := &switchboardv1.ListUsersResponse{NextPageToken: next}
	for i := range users {
		out.Users = append(out.Users, userToProto(&users[i]))
	}
	return connect.NewResponse(out), nil
}

func (s *adminService) UpdateUser(ctx context.Context, req *connect.Request[switchboardv1.UpdateUserRequest]) (*connect.Response[switchboardv1.UpdateUserResponse], error) {
	in := req.Msg.GetUser()
	params := auth.UpdateUserParams{ID: in.GetId()}
	paths := req.Msg.GetUpdateMask().GetPaths()
	if len(paths) == 0 { // AIP-134: every updatable field that is set
		if in.GetName() != "" {
			paths = append(paths, "name")
		}
		if in.GetEmail() != "" {
			paths = append(paths, "email")
		}
	}
	for _, path := range paths {
		switch path {
		case "name":
			name := in.GetName()
			params.Name = &name
		case "email":
			email := in.GetEmail()
			params.Email = &email
		default:
			return nil, ConnectError(unknownMaskPath(path, []string{"name", "email"}))
		}
	}
	if _, err := s.authorizedUser(ctx, in.GetId(), auth.AccessWrite); err != nil {
		return nil, err
	}
	user, err := s.users.Update(ctx, params)
	if err != nil {
		return nil, ConnectError(err)
	}
	return connect.NewResponse(&switchboardv1.UpdateUserResponse{User: userToProto(&user)}), nil
}
