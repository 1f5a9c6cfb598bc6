package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/switchboard-gw/switchboard/audit"
	"github.com/switchboard-gw/switchboard/auth"
	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	svc "github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/server/internal/request"
)

// Every AdminService write, and every read of the audit trail itself, is
// recorded by auditInterceptor: it runs inside authInterceptor (so the
// caller is known and its role allowed the procedure), reads the target
// as it is before the call, lets the handler run, and appends an event
// with the target as it became, or the error's kind, before the response
// leaves. The event is written right after the change rather than in its
// transaction because the change is made by auth's commands through their
// own per-record store interfaces; the response waits for the event, so a
// caller never sees a change the trail lacks unless the write fails, which
// is logged at Error (the change stands: failing the call would make a
// client retry a change that was made, or lose a key's only copy of its
// secret). Refusals by role (an auditor calling a write) are answered by
// authInterceptor before any of this and are not recorded; refusals by
// team are.

// auditRule says how one procedure is recorded.
type auditRule struct {
	action, targetType string
	// target is the id the request names ("" for creates and listings);
	// team the team it names, for a create that failed.
	target, team func(req any) string
	// before reads the target before the call: what to record as Before
	// (nil: nothing) and the team that owns it.
	before func(ctx context.Context, s *adminService, id string) (proto.Message, string)
	// after reads the response: what to record as After, the target's id
	// (for creates) and its team.
	after func(req, resp any) (proto.Message, string, string)
}

// auditRules has a rule for every write procedure (init checks) and for
// the reads of the trail; other reads are not recorded.
var auditRules = map[string]auditRule{
	svc.AdminServiceCreateKeyProcedure: {
		action: audit.ActionKeyCreate, targetType: audit.TargetKey,
		team: func(req any) string { return req.(*switchboardv1.CreateKeyRequest).GetTeamId() },
		after: func(_, resp any) (proto.Message, string, string) {
			k := resp.(*switchboardv1.CreateKeyResponse).GetKey() // never the secret beside it
			return k, k.GetId(), k.GetTeamId()
		},
	},
	svc.AdminServiceUpdateKeyProcedure: keyChange(audit.ActionKeyUpdate, func(req any) string { return req.(*switchboardv1.UpdateKeyRequest).GetKey().GetId() },
		func(resp any) *switchboardv1.Key { return resp.(*switchboardv1.UpdateKeyResponse).GetKey() }),
	svc.AdminServiceRevokeKeyProcedure: keyChange(audit.ActionKeyRevoke, func(req any) string { return req.(*switchboardv1.RevokeKeyRequest).GetId() },
		func(resp any) *switchboardv1.Key { return resp.(*switchboardv1.RevokeKeyResponse).GetKey() }),
	svc.AdminServiceRotateKeyProcedure: keyChange(audit.ActionKeyRotate, func(req any) string { return req.(*switchboardv1.RotateKeyRequest).GetId() },
		func(resp any) *switchboardv1.Key { return resp.(*switchboardv1.RotateKeyResponse).GetKey() }),

	svc.AdminServiceCreateAdminKeyProcedure: {
		action: audit.ActionAdminKeyCreate, targetType: audit.TargetAdminKey,
		team: func(req any) string { return req.(*switchboardv1.CreateAdminKeyRequest).GetTeamId() },
		after: func(_, resp any) (proto.Message, string, string) {
			k := resp.(*switchboardv1.CreateAdminKeyResponse).GetAdminKey()
			return k, k.GetId(), k.GetTeamId()
		},
	},
	svc.AdminServiceRevokeAdminKeyProcedure: adminKeyChange(audit.ActionAdminKeyRevoke, func(req any) string { return req.(*switchboardv1.RevokeAdminKeyRequest).GetId() },
		func(resp any) *switchboardv1.AdminKey {
			return resp.(*switchboardv1.RevokeAdminKeyResponse).GetAdminKey()
		}),
	svc.AdminServiceRotateAdminKeyProcedure: adminKeyChange(audit.ActionAdminKeyRotate, func(req any) string { return req.(*switchboardv1.RotateAdminKeyRequest).GetId() },
		func(resp any) *switchboardv1.AdminKey {
			return resp.(*switchboardv1.RotateAdminKeyResponse).GetAdminKey()
		}),

	svc.AdminServiceCreateTeamProcedure: {
		action: audit.ActionTeamCreate, targetType: audit.TargetTeam,
		after: func(_, resp any) (proto.Message, string, string) {
			t := resp.(*switchboardv1.CreateTeamResponse).GetTeam()
			return t, t.GetId(), t.GetId()
		},
	},
	svc.AdminServiceUpdateTeamProcedure: {
		action: audit.ActionTeamUpdate, targetType: audit.TargetTeam,
		target: func(req any) string { return req.(*switchboardv1.UpdateTeamRequest).GetTeam().GetId() },
		before: teamBefore,
		after: func(_, resp any) (proto.Message, string, string) {
			t := resp.(*switchboardv1.UpdateTeamResponse).GetTeam()
			return t, t.GetId(), t.GetId()
		},
	},
	svc.AdminServiceDeleteTeamProcedure: {
		action: audit.ActionTeamDelete, targetType: audit.TargetTeam,
		target: func(req any) string { return req.(*switchboardv1.DeleteTeamRequest).GetId() },
		before: teamBefore,
		after: func(req, resp any) (proto.Message, string, string) {
			r := resp.(*switchboardv1.DeleteTeamResponse)
			gone := &switchboardv1.DeleteTeamResponse{DeletedKeyIds: r.GetDeletedKeyIds(), DeletedUserIds: r.GetDeletedUserIds()}
			return gone, r.GetTeam().GetId(), r.GetTeam().GetId()
		},
	},

	svc.AdminServiceCreateUserProcedure: {
		action: audit.ActionUserCreate, targetType: audit.TargetUser,
		team: func(req any) string { return req.(*switchboardv1.CreateUserRequest).GetTeamId() },
		after: func(_, resp any) (proto.Message, string, string) {
			u := resp.(*switchboardv1.CreateUserResponse).GetUser()
			return u, u.GetId(), u.GetTeamId()
		},
	},
	svc.AdminServiceUpdateUserProcedure: {
		action: audit.ActionUserUpdate, targetType: audit.TargetUser,
		target: func(req any) string { return req.(*switchboardv1.UpdateUserRequest).GetUser().GetId() },
		before: userBefore,
		after: func(_, resp any) (proto.Message, string, string) {
			u := resp.(*switchboardv1.UpdateUserResponse).GetUser()
			return u, u.GetId(), u.GetTeamId()
		},
	},
	svc.AdminServiceDeleteUserProcedure: {
		action: audit.ActionUserDelete, targetType: audit.TargetUser,
		target: func(req any) string { return req.(*switchboardv1.DeleteUserRequest).GetId() },
		before: userBefore,
		after: func(req, resp any) (proto.Message, string, string) {
			r := resp.(*switchboardv1.DeleteUserResponse)
			return &switchboardv1.DeleteUserResponse{DeletedKeyIds: r.GetDeletedKeyIds()}, r.GetUser().GetId(), r.GetUser().GetTeamId()
		},
	},

	// GDPR requests: the user's name and address are not copied into the
	// trail (an erasure must not leave them behind in its own record).
	svc.AdminServiceExportUserDataProcedure: {
		action: audit.ActionUserDataExport, targetType: audit.TargetUser,
		target: func(req any) string { return req.(*switchboardv1.ExportUserDataRequest).GetUserId() },
		before: userTeamOnly,
	},
	svc.AdminServiceDeleteUserDataProcedure: {
		action: audit.ActionUserDataErase, targetType: audit.TargetUser,
		target: func(req any) string { return req.(*switchboardv1.DeleteUserDataRequest).GetUserId() },
		before: userTeamOnly,
		after: func(_, resp any) (proto.Message, string, string) {
			r := proto.Clone(resp.(*switchboardv1.DeleteUserDataResponse)).(*switchboardv1.DeleteUserDataResponse)
			id, team := r.GetUser().GetId(), r.GetUser().GetTeamId()
			r.User = &switchboardv1.User{Id: id, TeamId: team}
			return r, id, team
		},
	},

	// Reads of the trail record the filters asked for.
	svc.AdminServiceListAuditEventsProcedure: {
		action: audit.ActionAuditList, targetType: audit.TargetAuditTrail,
		team:  func(req any) string { return req.(*switchboardv1.ListAuditEventsRequest).GetTeamId() },
		after: func(req, _ any) (proto.Message, string, string) { return req.(proto.Message), "", "" },
	},
	svc.AdminServiceListRequestRecordsProcedure: {
		action: audit.ActionRequestsList, targetType: audit.TargetAuditTrail,
		team:  func(req any) string { return req.(*switchboardv1.ListRequestRecordsRequest).GetTeamId() },
		after: func(req, _ any) (proto.Message, string, string) { return req.(proto.Message), "", "" },
	},
}

func init() {
	for procedure, access := range adminAccess {
		if _, ok := auditRules[procedure]; access == auth.AccessWrite && !ok {
			panic("server: no audit rule for the write procedure " + procedure + " in auditRules")
		}
	}
}

func keyChange(action string, target func(any) string, key func(any) *switchboardv1.Key) auditRule {
	return auditRule{
		action: action, targetType: audit.TargetKey, target: target,
		before: func(ctx context.Context, s *adminService, id string) (proto.Message, string) {
			k, err := s.keys.Get(ctx, id)
			if err != nil {
				return nil, ""
			}
			return keyToProto(&k), k.TeamID
		},
		after: func(_, resp any) (proto.Message, string, string) {
			k := key(resp)
			return k, k.GetId(), k.GetTeamId()
		},
	}
}

func adminKeyChange(action string, target func(any) string, key func(any) *switchboardv1.AdminKey) auditRule {
	return auditRule{
		action: action, targetType: audit.TargetAdminKey, target: target,
		before: func(ctx context.Context, s *adminService, id string) (proto.Message, string) {
			k, err := s.keys.GetAdminKey(ctx, id)
			if err != nil {
				return nil, ""
			}
			return adminKeyToProto(&k), k.TeamID
		},
		after: func(_, resp any) (proto.Message, string, string) {
			k := key(resp)
			return k, k.GetId(), k.GetTeamId()
		},
	}
}

func teamBefore(ctx context.Context, s *adminService, id string) (proto.Message, string) {
	if s.teams == nil {
		return nil, ""
	}
	t, err := s.teams.Get(ctx, id)
	if err != nil {
		return nil, ""
	}
	return teamToProto(&t), t.ID
}

func userBefore(ctx context.Context, s *adminService, id string) (proto.Message, string) {
	if s.users == nil {
		return nil, ""
	}
	u, err := s.users.Get(ctx, id)
	if err != nil {
		return nil, ""
	}
	return userToProto(&u), u.TeamID
}

// userTeamOnly finds the user's team without recording anything personal.
func userTeamOnly(ctx context.Context, s *adminService, id string) (proto.Message, string) {
	if s.users == nil {
		return nil, ""
	}
	u, err := s.users.Get(ctx, id)
	if err != nil {
		return nil, ""
	}
	return &switchboardv1.User{Id: u.ID, TeamId: u.TeamID}, u.TeamID
}

// auditInterceptor records AdminService calls as auditRules says.
type auditInterceptor struct {
	svc    *adminService
	trail  *audit.Trail
	logger *slog.Logger
}

// pendingEvent is an event being assembled around a call.
type pendingEvent struct {
	rule  auditRule
	event audit.Event
}

func (a *auditInterceptor) begin(ctx context.Context, procedure string, peer connect.Peer, req any) (*pendingEvent, bool) {
	rule, ok := auditRules[procedure]
	if !ok {
		return nil, false
	}
	p, err := caller(ctx)
	if err != nil {
		return nil, false
	}
	ev := audit.Event{Action: rule.action, TargetType: rule.targetType, Actor: p.KeyID, ActorRole: string(p.Role), ClientAddress: clientIP(peer.Addr)}
	if p.Bootstrap() || ev.Actor == "" {
		ev.Actor = audit.ActorBootstrap
	}
	if info := request.From(ctx); info != nil {
		ev.RequestID = info.ID
		if info.ClientAddress != "" {
			ev.ClientAddress = info.ClientAddress
		}
	}
	pe := &pendingEvent{rule: rule, event: ev}
	if req != nil {
		pe.request(ctx, a.svc, req)
	}
	return pe, true
}

// request notes what the request names and reads the target's state
// before the call.
func (pe *pendingEvent) request(ctx context.Context, s *adminService, req any) {
	r := pe.rule
	if r.team != nil {
		pe.event.TeamID = r.team(req)
	}
	if r.target != nil {
		pe.event.TargetID = r.target(req)
	}
	if r.before != nil && pe.event.TargetID != "" {
		before, team := r.before(ctx, s, pe.event.TargetID)
		pe.event.Before = detailsJSON(before)
		if team != "" {
			pe.event.TeamID = team
		}
	}
	if pe.event.TeamID == "" && r.targetType == audit.TargetAuditTrail {
		// A scoped credential's listing is its own team's.
		if p, err := caller(ctx); err == nil {
			pe.event.TeamID = p.TeamID
		}
	}
}

func (a *auditInterceptor) end(ctx context.Context, pe *pendingEvent, req, resp any, err error) {
	pe.event.Outcome = outcomeOf(err)
	if err == nil && pe.rule.after != nil && resp != nil {
		after, id, team := pe.rule.after(req, resp)
		pe.event.After = detailsJSON(after)
		if id != "" {
			pe.event.TargetID = id
		}
		if team != "" {
			pe.event.TeamID = team
		}
	}
	if _, rerr := a.trail.Record(ctx, pe.event); rerr != nil {
		a.logger.ErrorContext(ctx, "audit trail: could not record an admin action; the action itself was not undone",
			"action", pe.event.Action, "target_type", pe.event.TargetType, "target_id", pe.event.TargetID,
			"outcome", pe.event.Outcome, "request_id", pe.event.RequestID, "error", rerr)
	}
}

func (a *auditInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		pe, ok := a.begin(ctx, req.Spec().Procedure, req.Peer(), req.Any())
		if !ok {
			return next(ctx, req)
		}
		resp, err := next(ctx, req)
		var msg any
		if resp != nil {
			msg = resp.Any()
		}
		a.end(ctx, pe, req.Any(), msg, err)
		return resp, err
	}
}

// WrapStreamingHandler records the server-streaming reads (an export):
// the request is seen as the handler receives it.
func (a *auditInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		pe, ok := a.begin(ctx, conn.Spec().Procedure, conn.Peer(), nil)
		if !ok {
			return next(ctx, conn)
		}
		rc := &receivedConn{StreamingHandlerConn: conn}
		err := next(ctx, rc)
		if rc.msg != nil {
			pe.request(ctx, a.svc, rc.msg)
		}
		a.end(ctx, pe, rc.msg, nil, err)
		return err
	}
}

func (a *auditInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

// receivedConn keeps the first message the handler received.
type receivedConn struct {
	connect.StreamingHandlerConn
	msg any
}

func (c *receivedConn) Receive(msg any) error {
	err := c.StreamingHandlerConn.Receive(msg)
	if err == nil && c.msg == nil {
		c.msg = msg
	}
	return err
}

// detailsJSON encodes a before or after; proto messages of the admin API
// hold public records only (a key's secret is in its Create response,
// never in Key), and audit.Trail scrubs secrets again as a safeguard.
func detailsJSON(m proto.Message) json.RawMessage {
	if m == nil {
		return nil
	}
	b, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(m)
	if err != nil {
		return json.RawMessage(fmt.Sprintf(`{"unencodable":%q}`, err.Error()))
	}
	return b
}

// outcomeOf names how a call ended: "ok", the kind of the gateway's error,
// or the Connect code of one raised by connect-go itself.
func outcomeOf(err error) string {
	if err == nil {
		return audit.OutcomeOK
	}
	var le *llm.Error
	if errors.As(err, &le) {
		return le.Kind.String()
	}
	return connect.CodeOf(err).String()
}

// clientIP is the host part of a remote address.
func clientIP(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}
