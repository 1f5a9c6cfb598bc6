package server

import (
	"encoding/json"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/switchboard-gw/switchboard/audit"
	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/billing/ledger"
	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
)

func auditEventToProto(e *audit.Event) *switchboardv1.AuditEvent {
	return &switchboardv1.AuditEvent{
		Id:            e.ID,
		Time:          timestampOrNil(e.Time),
		Actor:         e.Actor,
		ActorRole:     adminRoleToProto(auth.Role(e.ActorRole)),
		Action:        e.Action,
		TargetType:    e.TargetType,
		TargetId:      e.TargetID,
		TeamId:        e.TeamID,
		Before:        structOrNil(e.Before),
		After:         structOrNil(e.After),
		ClientAddress: e.ClientAddress,
		RequestId:     e.RequestID,
		Outcome:       e.Outcome,
	}
}

// structOrNil decodes a stored JSON object; what is not one (it always is)
// is shown as {"json": "<text>"} rather than dropped.
func structOrNil(raw json.RawMessage) *structpb.Struct {
	if len(raw) == 0 {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err == nil {
		if s, err := structpb.NewStruct(m); err == nil {
			return s
		}
	}
	s, _ := structpb.NewStruct(map[string]any{"json": string(raw)})
	return s
}

func requestRecordToProto(r *audit.RequestRecord) *switchboardv1.RequestRecord {
	return &switchboardv1.RequestRecord{
		RequestId:       r.RequestID,
		Time:            timestampOrNil(r.Time),
		KeyId:           r.KeyID,
		TeamId:          r.TeamID,
		UserId:          r.UserID,
		EndUser:         r.EndUser,
		Operation:       r.Operation,
		Alias:           r.Alias,
		Model:           r.Model,
		Provider:        r.Provider,
		Deployment:      r.Deployment,
		Transport:       r.Transport,
		Stream:          r.Stream,
		Status:          r.Status,
		PromptSha256:    r.PromptSHA256,
		InputBytes:      r.InputBytes,
		InputMessages:   int32(r.InputMessages),
		InputTools:      int32(r.InputTools),
		InputImages:     int32(r.InputImages),
		OutputBytes:     r.OutputBytes,
		InputTokens:     r.InputTokens,
		OutputTokens:    r.OutputTokens,
		CostNanoUsd:     r.CostNanoUSD,
		ClientAddress:   r.ClientAddress,
		UserAgent:       r.UserAgent,
		Latency:         durationpb.New(r.Latency),
		PayloadCaptured: r.PayloadCaptured,
	}
}

func payloadToProto(p *audit.Payload) *switchboardv1.CapturedPayload {
	return &switchboardv1.CapturedPayload{
		RequestId:    p.RequestID,
		Time:         timestampOrNil(p.Time),
		KeyId:        p.KeyID,
		TeamId:       p.TeamID,
		UserId:       p.UserID,
		RequestJson:  string(p.Request),
		ResponseJson: string(p.Response),
	}
}

func userSpendToProto(r *ledger.Row) *switchboardv1.UserSpend {
	return &switchboardv1.UserSpend{
		Day:          timestamppb.New(r.Day),
		KeyId:        r.KeyID,
		Model:        r.Model,
		Requests:     r.Requests,
		InputTokens:  r.Usage.InputTokens,
		OutputTokens: r.Usage.OutputTokens,
		CostNanoUsd:  r.CostNanoUSD,
	}
}

// exportPartToProto converts one part of an export.
func exportPartToProto(p *audit.ExportPart) *switchboardv1.ExportUserDataResponse {
	out := &switchboardv1.ExportUserDataResponse{}
	if p.User != nil {
		out.User = userToProto(p.User)
	}
	for i := range p.Keys {
		out.Keys = append(out.Keys, keyToProto(&p.Keys[i]))
	}
	for i := range p.Requests {
		out.RequestRecords = append(out.RequestRecords, requestRecordToProto(&p.Requests[i]))
	}
	for i := range p.Payloads {
		out.Payloads = append(out.Payloads, payloadToProto(&p.Payloads[i]))
	}
	for i := range p.Events {
		out.AuditEvents = append(out.AuditEvents, auditEventToProto(&p.Events[i]))
	}
	for i := range p.Spend {
		out.Spend = append(out.Spend, userSpendToProto(&p.Spend[i]))
	}
	return out
}
