package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
)

// The users and teams subcommands that delete, and the GDPR requests:
// export (article 15) and erasure (article 17) of a user's data.

// exportUserData streams a user's data and merges the parts into one
// document, written to out (mode 0600: it is personal data) when set.
func exportUserData(out string) adminRun {
	return func(ctx context.Context, c switchboardv1connect.AdminServiceClient, rest []string) (proto.Message, error) {
		id, err := oneID("users export", rest)
		if err != nil {
			return nil, err
		}
		stream, err := c.ExportUserData(ctx, connect.NewRequest(&switchboardv1.ExportUserDataRequest{UserId: id}))
		if err != nil {
			return nil, err
		}
		defer stream.Close()
		all := &switchboardv1.ExportUserDataResponse{}
		for stream.Receive() {
			m := stream.Msg()
			if m.GetUser() != nil {
				all.User = m.GetUser()
			}
			all.Keys = append(all.Keys, m.GetKeys()...)
			all.RequestRecords = append(all.RequestRecords, m.GetRequestRecords()...)
			all.Payloads = append(all.Payloads, m.GetPayloads()...)
			all.AuditEvents = append(all.AuditEvents, m.GetAuditEvents()...)
			all.Spend = append(all.Spend, m.GetSpend()...)
		}
		if err := stream.Err(); err != nil {
			return nil, err
		}
		if out != "" {
			b, err := protojson.MarshalOptions{Multiline: true, Indent: "  ", UseProtoNames: true}.Marshal(all)
			if err != nil {
				return nil, err
			}
			if err := os.WriteFile(out, append(b, '\n'), 0o600); err != nil {
				return nil, fmt.Errorf("users export: %w", err)
			}
		}
		return all, nil
	}
}

// printExport prints the export itself, or what was written to out.
func printExport(out string) func(env, proto.Message) {
	return func(e env, msg proto.Message) {
		m := msg.(*switchboardv1.ExportUserDataResponse)
		if out == "" {
			b, _ := protojson.MarshalOptions{Multiline: true, Indent: "  ", UseProtoNames: true}.Marshal(m)
			fmt.Fprintln(e.stdout, string(b))
			return
		}
		fmt.Fprintf(e.stdout, "exported user %s to %s: %d keys, %d request records, %d captured payloads, %d audit events, %d spend rows\n",
			m.GetUser().GetId(), out, len(m.GetKeys()), len(m.GetRequestRecords()), len(m.GetPayloads()), len(m.GetAuditEvents()), len(m.GetSpend()))
	}
}

// deleteUserData erases a user's data; yes must be set, as the erasure
// cannot be undone.
func deleteUserData(yes *bool) adminRun {
	return func(ctx context.Context, c switchboardv1connect.AdminServiceClient, rest []string) (proto.Message, error) {
		id, err := oneID("users delete-data", rest)
		if err != nil {
			return nil, err
		}
		if !*yes {
			return nil, errors.New("users delete-data: this revokes and deletes the user's keys and erases their request records, captured payloads and personal data for good; add --yes to go ahead")
		}
		resp, err := c.DeleteUserData(ctx, connect.NewRequest(&switchboardv1.DeleteUserDataRequest{UserId: id}))
		if err != nil {
			return nil, err
		}
		return resp.Msg, nil
	}
}

func printErasure(e env, msg proto.Message) {
	m := msg.(*switchboardv1.DeleteUserDataResponse)
	fmt.Fprintf(e.stdout, "erased user %s: %d keys revoked, %d keys deleted, %d request records and %d payloads deleted, %d audit events erased\n",
		m.GetUser().GetId(), m.GetKeysRevoked(), m.GetKeysDeleted(), m.GetRequestRecordsDeleted(), m.GetPayloadsDeleted(), m.GetAuditEventsErased())
	if m.GetSpendPseudonymized() {
		fmt.Fprintf(e.stdout, "spend: %d records moved to %s\n", m.GetSpendRecordsPseudonymized(), m.GetSpendPseudonym())
	} else {
		fmt.Fprintln(e.stdout, "spend: kept under the user's id (the spend store cannot pseudonymize it)")
	}
}

func deleteUser(force *bool) adminRun {
	return func(ctx context.Context, c switchboardv1connect.AdminServiceClient, rest []string) (proto.Message, error) {
		id, err := oneID("users delete", rest)
		if err != nil {
			return nil, err
		}
		resp, err := c.DeleteUser(ctx, connect.NewRequest(&switchboardv1.DeleteUserRequest{Id: id, Force: *force}))
		if err != nil {
			return nil, err
		}
		return resp.Msg, nil
	}
}

func printUserDeletion(e env, msg proto.Message) {
	m := msg.(*switchboardv1.DeleteUserResponse)
	fmt.Fprintf(e.stdout, "deleted user %s and %d keys\n", m.GetUser().GetId(), len(m.GetDeletedKeyIds()))
}

func deleteTeam(force *bool) adminRun {
	return func(ctx context.Context, c switchboardv1connect.AdminServiceClient, rest []string) (proto.Message, error) {
		id, err := oneID("teams delete", rest)
		if err != nil {
			return nil, err
		}
		resp, err := c.DeleteTeam(ctx, connect.NewRequest(&switchboardv1.DeleteTeamRequest{Id: id, Force: *force}))
		if err != nil {
			return nil, err
		}
		return resp.Msg, nil
	}
}

func printTeamDeletion(e env, msg proto.Message) {
	m := msg.(*switchboardv1.DeleteTeamResponse)
	fmt.Fprintf(e.stdout, "deleted team %s with %d users and %d keys\n", m.GetTeam().GetId(), len(m.GetDeletedUserIds()), len(m.GetDeletedKeyIds()))
}
