package server_test

import (
	"context"
	"testing"

	"connectrpc.com/connect"

	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/server/internal/servertest"
)

func completeMsg() *switchboardv1.CompleteRequest {
	return &switchboardv1.CompleteRequest{
		Model: "demo",
		Messages: []*switchboardv1.Message{{
			Role:    switchboardv1.Role_ROLE_USER,
			Content: []*switchboardv1.Part{{Kind: &switchboardv1.Part_Text{Text: "hi"}}},
		}},
	}
}

func streamMsg() *switchboardv1.StreamCompleteRequest {
	m := completeMsg()
	return &switchboardv1.StreamCompleteRequest{Model: m.Model, Messages: m.Messages}
}

func TestCompletionServiceNeedsAValidVirtualKeyOnEveryProtocol(t *testing.T) {
	core := &servertest.Core{}
	r := start(t, core, nil)
	ctx := context.Background()
	cases := []struct {
		name string
		key  string
		want connect.Code // 0: success
	}{
		{"missing", "", connect.CodeUnauthenticated},
		{"malformed", "sk-sb-short", connect.CodeUnauthenticated},
		{"wrong prefix", "sk-proj-abcdef", connect.CodeUnauthenticated},
		{"mistyped checksum", mistype(r.auth.Secret), connect.CodeUnauthenticated},
		{"admin key", servertest.AdminKey, connect.CodeUnauthenticated},
		{"valid", r.auth.Secret, 0},
	}
	for _, proto := range protocols {
		client := completionClient(r, proto.opts...)
		for _, tc := range cases {
			t.Run(proto.name+"/"+tc.name, func(t *testing.T) {
				_, err := client.Complete(ctx, withKey(completeMsg(), tc.key))
				if got := codeOf(err); err != nil && got != tc.want || err == nil && tc.want != 0 {
					t.Fatalf("Complete: err = %v, want code %v", err, tc.want)
				}

				stream, err := client.StreamComplete(ctx, withKey(streamMsg(), tc.key))
				if err != nil {
					t.Fatalf("StreamComplete: %v", err)
				}
				n := 0
				for stream.Receive() {
					n++
				}
				err = stream.Err()
				if tc.want == 0 {
					if err != nil || n == 0 {
						t.Fatalf("stream: %d messages, err %v", n, err)
					}
					return
				}
				if n != 0 || codeOf(err) != tc.want {
					t.Fatalf("stream: %d messages, err %v; want none and code %v", n, err, tc.want)
				}
			})
		}
	}
}

func TestPrincipalReachesTheCore(t *testing.T) {
	core := &servertest.Core{}
	r := start(t, core, nil)
	if _, err := completionClient(r).Complete(context.Background(), withKey(completeMsg(), r.auth.Secret)); err != nil {
		t.Fatal(err)
	}
	if p := core.LastPrincipal(); p == nil || p.KeyID != r.auth.Key.ID {
		t.Fatalf("principal = %+v, want key %s", p, r.auth.Key.ID)
	}
}

func TestAdminServiceTakesOnlyTheAdminKey(t *testing.T) {
	r := start(t, &servertest.Core{}, nil)
	ctx := context.Background()
	admin := adminClient(r)

	_, err := admin.ListKeys(ctx, withKey(&switchboardv1.ListKeysRequest{}, r.auth.Secret))
	if codeOf(err) != connect.CodePermissionDenied {
		t.Fatalf("virtual key on AdminService: %v, want PermissionDenied", err)
	}
	_, err = admin.ListKeys(ctx, withKey(&switchboardv1.ListKeysRequest{}, ""))
	if codeOf(err) != connect.CodeUnauthenticated {
		t.Fatalf("no key on AdminService: %v, want Unauthenticated", err)
	}
	_, err = admin.ListKeys(ctx, withKey(&switchboardv1.ListKeysRequest{}, "sk-sbadmin-wrong"))
	if codeOf(err) != connect.CodeUnauthenticated {
		t.Fatalf("wrong admin key: %v, want Unauthenticated", err)
	}

	created, err := admin.CreateKey(ctx, withKey(&switchboardv1.CreateKeyRequest{Name: "second"}, servertest.AdminKey))
	if err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	if created.Msg.GetSecret() == "" || created.Msg.GetKey().GetId() == "" || created.Msg.GetKey().GetCreateTime() == nil {
		t.Fatalf("CreateKey response incomplete: %v", created.Msg.GetKey())
	}
	got, err := admin.GetKey(ctx, withKey(&switchboardv1.GetKeyRequest{Id: created.Msg.GetKey().GetId()}, servertest.AdminKey))
	if err != nil || got.Msg.GetKey().GetName() != "second" {
		t.Fatalf("GetKey: %v, %v", got, err)
	}
	list, err := admin.ListKeys(ctx, withKey(&switchboardv1.ListKeysRequest{}, servertest.AdminKey))
	if err != nil || len(list.Msg.GetKeys()) != 2 {
		t.Fatalf("ListKeys: %v, %v", list, err)
	}

	// The new key works, and stops working the moment it is revoked.
	client := completionClient(r)
	if _, err := client.Complete(ctx, withKey(completeMsg(), created.Msg.GetSecret())); err != nil {
		t.Fatalf("new key refused: %v", err)
	}
	revoked, err := admin.RevokeKey(ctx, withKey(&switchboardv1.RevokeKeyRequest{Id: created.Msg.GetKey().GetId()}, servertest.AdminKey))
	if err != nil || revoked.Msg.GetKey().GetRevokeTime() == nil {
		t.Fatalf("RevokeKey: %v, %v", revoked, err)
	}
	_, err = client.Complete(ctx, withKey(completeMsg(), created.Msg.GetSecret()))
	if codeOf(err) != connect.CodeUnauthenticated {
		t.Fatalf("revoked key: %v, want Unauthenticated", err)
	}

	_, err = admin.GetKey(ctx, withKey(&switchboardv1.GetKeyRequest{Id: "key_doesnotexist00000"}, servertest.AdminKey))
	if c := codeOf(err); c != connect.CodeNotFound && c != connect.CodeInvalidArgument {
		t.Fatalf("GetKey unknown: %v, want NotFound", err)
	}
}

// mistype changes one character of the random part of a secret, keeping
// its format, so only the checksum can catch it.
func mistype(secret string) string {
	b := []byte(secret)
	i := len("sk-sb-") + 3
	if b[i] == 'a' {
		b[i] = 'b'
	} else {
		b[i] = 'a'
	}
	return string(b)
}
