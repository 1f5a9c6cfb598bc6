package server

import (
	"context"
	"errors"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/switchboard-gw/switchboard/audit"
	"github.com/switchboard-gw/switchboard/auth"
	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/llm"
)

// AuditOptions wires the audit trail into the server (Options.Audit).
type AuditOptions struct {
	// Store is where ListAuditEvents and ListRequestRecords read.
	Store audit.Store
	// Trail records every admin write, and every read of the trail, into
	// Store.
	Trail *audit.Trail
	// Requests, when set, records one record per completion and embeddings
	// request, capturing the payloads of the teams that have it on.
	Requests *audit.RequestLog
	// Privacy, when set, answers ExportUserData and DeleteUserData.
	Privacy *audit.Privacy
}

var (
	errNoAuditTrail = &llm.Error{Kind: llm.KindInternal, Message: "this gateway was started without an audit trail"}
	errNoPrivacy    = &llm.Error{Kind: llm.KindInternal, Message: "this gateway was started without user data export and erasure"}
)

func (s *adminService) auditTrail() error {
	if s.audit == nil || s.audit.Store == nil || s.audit.Trail == nil {
		return connect.NewError(connect.CodeUnimplemented, errNoAuditTrail)
	}
	return nil
}

func (s *adminService) privacy() error {
	if s.audit == nil || s.audit.Privacy == nil || s.users == nil {
		return connect.NewError(connect.CodeUnimplemented, errNoPrivacy)
	}
	return nil
}

func timeOrZero(t *timestamppb.Timestamp) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.AsTime()
}

func (s *adminService) ListAuditEvents(ctx context.Context, req *connect.Request[switchboardv1.ListAuditEventsRequest]) (*connect.Response[switchboardv1.ListAuditEventsResponse], error) {
	if err := s.auditTrail(); err != nil {
		return nil, err
	}
	m := req.Msg
	// A team-scoped credential reads its own team's events only; the
	// events of what no team owns (admin credentials) are not its.
	team, err := teamFilter(ctx, m.GetTeamId())
	if err != nil {
		return nil, err
	}
	events, next, err := s.audit.Trail.List(ctx, audit.ListEventsParams{
		PageSize: int(m.GetPageSize()), PageToken: m.GetPageToken(),
		From: timeOrZero(m.GetStartTime()), To: timeOrZero(m.GetEndTime()),
		Actor: m.GetActor(), Action: m.GetAction(), TargetType: m.GetTargetType(), TargetID: m.GetTargetId(), TeamID: team,
	})
	if err != nil {
		return nil, ConnectError(err)
	}
	out := &switchboardv1.ListAuditEventsResponse{NextPageToken: next, Events: make([]*switchboardv1.AuditEvent, len(events))}
	for i := range events {
		out.Events[i] = auditEventToProto(&events[i])
	}
	return connect.NewResponse(out), nil
}

func (s *adminService) ListRequestRecords(ctx context.Context, req *connect.Request[switchboardv1.ListRequestRecordsRequest]) (*connect.Response[switchboardv1.ListRequestRecordsResponse], error) {
	if err := s.auditTrail(); err != nil {
		return nil, err
	}
	m := req.Msg
	team, err := teamFilter(ctx, m.GetTeamId())
	if err != nil {
		return nil, err
	}
	recs, next, err := audit.ListRequests(ctx, s.audit.Store, audit.ListRequestsParams{
		PageSize: int(m.GetPageSize()), PageToken: m.GetPageToken(),
		From: timeOrZero(m.GetStartTime()), To: timeOrZero(m.GetEndTime()),
		TeamID: team, UserID: m.GetUserId(), KeyID: m.GetKeyId(), Alias: m.GetAlias(),
	})
	if err != nil {
		return nil, ConnectError(err)
	}
	out := &switchboardv1.ListRequestRecordsResponse{NextPageToken: next, Records: make([]*switchboardv1.RequestRecord, len(recs))}
	for i := range recs {
		out.Records[i] = requestRecordToProto(&recs[i])
	}
	return connect.NewResponse(out), nil
}

func (s *adminService) ExportUserData(ctx context.Context, req *connect.Request[switchboardv1.ExportUserDataRequest], stream *connect.ServerStream[switchboardv1.ExportUserDataResponse]) error {
	if err := s.privacy(); err != nil {
		return err
	}
	if _, err := s.authorizedUser(ctx, req.Msg.GetUserId(), auth.AccessRead); err != nil {
		return err
	}
	var sendErr error
	err := s.audit.Privacy.Export(ctx, req.Msg.GetUserId(), func(p audit.ExportPart) error {
		sendErr = stream.Send(exportPartToProto(&p))
		return sendErr
	})
	switch {
	case err == nil:
		return nil
	case sendErr != nil && errors.Is(err, sendErr):
		return err // the client went away
	}
	return ConnectError(err)
}

func (s *adminService) DeleteUserData(ctx context.Context, req *connect.Request[switchboardv1.DeleteUserDataRequest]) (*connect.Response[switchboardv1.DeleteUserDataResponse], error) {
	if err := s.privacy(); err != nil {
		return nil, err
	}
	if _, err := s.authorizedUser(ctx, req.Msg.GetUserId(), auth.AccessWrite); err != nil {
		return nil, err
	}
	e, err := s.audit.Privacy.Erase(ctx, req.Msg.GetUserId())
	if err != nil {
		return nil, ConnectError(err)
	}
	return connect.NewResponse(&switchboardv1.DeleteUserDataResponse{
		User:                      userToProto(&e.User),
		KeysRevoked:               int32(e.KeysRevoked),
		KeysDeleted:               int32(e.KeysDeleted),
		RequestRecordsDeleted:     e.RequestRecords,
		PayloadsDeleted:           e.Payloads,
		AuditEventsErased:         e.Events,
		SpendPseudonymized:        e.SpendPseudonymized,
		SpendRecordsPseudonymized: e.SpendRecords,
		SpendPseudonym:            e.SpendPseudonym,
	}), nil
}
