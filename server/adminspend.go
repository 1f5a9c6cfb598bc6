package server

import (
	"context"
	"errors"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/switchboard-gw/switchboard/billing/ledger"
	"github.com/switchboard-gw/switchboard/billing/spend"
	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/llm"
)

// spendRowsPerMessage is how many rows each QuerySpend message carries:
// large answers stream in pieces of this size.
const spendRowsPerMessage = 500

var errNoSpendLedger = &llm.Error{Kind: llm.KindInternal, Message: "this gateway was started without a spend ledger"}

func (s *adminService) QuerySpend(ctx context.Context, req *connect.Request[switchboardv1.QuerySpendRequest], stream *connect.ServerStream[switchboardv1.QuerySpendResponse]) error {
	if s.spend == nil {
		return connect.NewError(connect.CodeUnimplemented, errNoSpendLedger)
	}
	m := req.Msg
	// A team-scoped credential asks about its own team, whatever it names.
	team, err := teamFilter(ctx, m.GetTeamId())
	if err != nil {
		return err
	}
	p := spend.Params{KeyID: m.GetKeyId(), TeamID: team, UserID: m.GetUserId()}
	if t := m.GetStartTime(); t != nil {
		p.From = t.AsTime()
	}
	if t := m.GetEndTime(); t != nil {
		p.To = t.AsTime()
	}
	for _, d := range m.GetGroupBy() {
		dim, ok := dimensionFromProto(d)
		if !ok {
			return ConnectError(&llm.Error{Kind: llm.KindInvalidRequest, Param: "group_by", Message: "group_by holds an unknown dimension " + d.String()})
		}
		p.GroupBy = append(p.GroupBy, dim)
	}
	out := &switchboardv1.QuerySpendResponse{}
	var sendErr error
	err = s.spend.Query(ctx, p, func(row ledger.Row) error {
		out.Rows = append(out.Rows, spendRowToProto(&row))
		if len(out.Rows) < spendRowsPerMessage {
			return nil
		}
		sendErr = stream.Send(out)
		out.Rows = out.Rows[:0]
		return sendErr
	})
	switch {
	case sendErr != nil && errors.Is(err, sendErr):
		return err // the client went away
	case err != nil:
		return ConnectError(err)
	}
	if len(out.Rows) > 0 {
		return stream.Send(out)
	}
	return nil
}

var spendDimensions = map[switchboardv1.SpendDimension]ledger.Dimension{
	switchboardv1.SpendDimension_SPEND_DIMENSION_KEY:        ledger.ByKey,
	switchboardv1.SpendDimension_SPEND_DIMENSION_TEAM:       ledger.ByTeam,
	switchboardv1.SpendDimension_SPEND_DIMENSION_USER:       ledger.ByUser,
	switchboardv1.SpendDimension_SPEND_DIMENSION_MODEL:      ledger.ByModel,
	switchboardv1.SpendDimension_SPEND_DIMENSION_PROVIDER:   ledger.ByProvider,
	switchboardv1.SpendDimension_SPEND_DIMENSION_DEPLOYMENT: ledger.ByDeployment,
	switchboardv1.SpendDimension_SPEND_DIMENSION_ALIAS:      ledger.ByAlias,
	switchboardv1.SpendDimension_SPEND_DIMENSION_DAY:        ledger.ByDay,
}

func dimensionFromProto(d switchboardv1.SpendDimension) (ledger.Dimension, bool) {
	dim, ok := spendDimensions[d]
	return dim, ok
}

func spendRowToProto(r *ledger.Row) *switchboardv1.SpendRow {
	out := &switchboardv1.SpendRow{
		KeyId:             r.KeyID,
		TeamId:            r.TeamID,
		UserId:            r.UserID,
		Model:             r.Model,
		Provider:          r.Provider,
		Deployment:        r.Deployment,
		Alias:             r.Alias,
		Requests:          r.Requests,
		Attempts:          r.Attempts,
		Usage:             usageToProto(&r.Usage),
		Cost:              costToProto(llm.Cost{NanoUSD: r.CostNanoUSD, Unpriced: r.UnpricedAttempts > 0, Estimated: r.EstimatedAttempts > 0}),
		EstimatedAttempts: r.EstimatedAttempts,
		UnpricedAttempts:  r.UnpricedAttempts,
	}
	if !r.Day.IsZero() {
		out.Day = timestamppb.New(r.Day)
	}
	return out
}
