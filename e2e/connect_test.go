package e2e_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"connectrpc.com/connect"

	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
)

var connectProtocols = []struct {
	name string
	opts []connect.ClientOption
}{
	{"connect", nil},
	{"connect+json", []connect.ClientOption{connect.WithProtoJSON()}},
	{"grpc", []connect.ClientOption{connect.WithGRPC()}},
	{"grpcweb", []connect.ClientOption{connect.WithGRPCWeb()}},
}

func userMessage(text string) []*switchboardv1.Message {
	return []*switchboardv1.Message{{
		Role:    switchboardv1.Role_ROLE_USER,
		Content: []*switchboardv1.Part{{Kind: &switchboardv1.Part_Text{Text: text}}},
	}}
}

func authed[T any](msg *T, key string) *connect.Request[T] {
	req := connect.NewRequest(msg)
	req.Header().Set("Authorization", "Bearer "+key)
	return req
}

func TestConnectClientsOnEveryProtocol(t *testing.T) {
	g := startGateway(t)
	_, secret := g.createKey(t, "connect-e2e")
	ctx := context.Background()
	for _, proto := range connectProtocols {
		t.Run(proto.name, func(t *testing.T) {
			client := switchboardv1connect.NewCompletionServiceClient(g.h2c, g.url, proto.opts...)

			resp, err := client.Complete(ctx, authed(&switchboardv1.CompleteRequest{Model: "demo", Messages: userMessage("Say hello.")}, secret))
			if err != nil {
				t.Fatalf("Complete: %v", err)
			}
			m := resp.Msg
			if len(m.GetChoices()) != 1 || m.GetChoices()[0].GetMessage().GetRole() != switchboardv1.Role_ROLE_ASSISTANT {
				t.Fatalf("Complete answered %v", m)
			}
			text := m.GetChoices()[0].GetMessage().GetContent()[0].GetText()
			if text == "" || m.GetChoices()[0].GetFinishReason() != switchboardv1.FinishReason_FINISH_REASON_STOP {
				t.Fatalf("Complete answered %v", m)
			}
			if u := m.GetUsage(); u.GetInputTokens() == 0 || u.GetOutputTokens() == 0 || u.GetTotalTokens() != u.GetInputTokens()+u.GetOutputTokens() {
				t.Fatalf("usage %v", u)
			}
			if m.GetProvider() == "" || resp.Header().Get("X-Switchboard-Provider") == "" {
				t.Fatalf("provider unknown: %v / %v", m.GetProvider(), resp.Header())
			}

			stream, err := client.StreamComplete(ctx, authed(&switchboardv1.StreamCompleteRequest{Model: "demo", Messages: userMessage("Say hello.")}, secret))
			if err != nil {
				t.Fatalf("StreamComplete: %v", err)
			}
			var streamed strings.Builder
			var finish switchboardv1.FinishReason
			var usage *switchboardv1.Usage
			n := 0
			for stream.Receive() {
				n++
				streamed.WriteString(stream.Msg().GetText())
				if f := stream.Msg().GetFinishReason(); f != switchboardv1.FinishReason_FINISH_REASON_UNSPECIFIED {
					finish = f
				}
				if u := stream.Msg().GetUsage(); u != nil {
					usage = u
				}
			}
			if err := stream.Err(); err != nil {
				t.Fatalf("stream: %v", err)
			}
			if n < 2 || streamed.String() == "" || finish != switchboardv1.FinishReason_FINISH_REASON_STOP {
				t.Fatalf("stream: %d messages, text %q, finish %v", n, streamed.String(), finish)
			}
			if usage.GetOutputTokens() == 0 {
				t.Fatalf("stream usage %v", usage)
			}
			// The simulator is deterministic: the stream must carry the whole answer.
			if streamed.String() != text {
				t.Fatalf("streamed %q, unary answer %q", streamed.String(), text)
			}

			models, err := client.ListModels(ctx, authed(&switchboardv1.ListModelsRequest{}, secret))
			if err != nil || !hasModel(models.Msg, "demo") {
				t.Fatalf("ListModels: %v %v", models, err)
			}
		})
	}
}

func hasModel(m *switchboardv1.ListModelsResponse, id string) bool {
	for _, x := range m.GetModels() {
		if x.GetId() == id {
			return true
		}
	}
	return false
}

func TestConnectUpstreamFailures(t *testing.T) {
	g := startGateway(t)
	_, secret := g.createKey(t, "connect-faults")
	ctx := context.Background()
	for _, proto := range connectProtocols {
		t.Run(proto.name, func(t *testing.T) {
			client := switchboardv1connect.NewCompletionServiceClient(g.h2c, g.url, proto.opts...)

			_, err := client.Complete(ctx, authed(&switchboardv1.CompleteRequest{Model: "demo", Messages: userMessage("hi [[sim status=429 retry_after=2]]")}, secret))
			if connect.CodeOf(err) != connect.CodeResourceExhausted {
				t.Fatalf("429 upstream: %v", err)
			}
			if d := errorDetail(t, err); d.GetReason() != switchboardv1.ErrorReason_ERROR_REASON_RATE_LIMITED || d.GetRetryAfter().AsDuration().Seconds() != 2 {
				t.Fatalf("429 detail %v", d)
			}

			_, err = client.Complete(ctx, authed(&switchboardv1.CompleteRequest{Model: "nope", Messages: userMessage("hi")}, secret))
			if connect.CodeOf(err) != connect.CodeNotFound {
				t.Fatalf("unknown model: %v", err)
			}

			stream, err := client.StreamComplete(ctx, authed(&switchboardv1.StreamCompleteRequest{Model: "demo", Messages: userMessage("Tell a long story. [[sim disconnect_after=2]]")}, secret))
			if err != nil {
				t.Fatal(err)
			}
			for stream.Receive() {
			}
			if stream.Err() == nil {
				t.Fatal("a stream cut upstream ended cleanly")
			}

			// Still serving.
			if _, err := client.Complete(ctx, authed(&switchboardv1.CompleteRequest{Model: "demo", Messages: userMessage("hi")}, secret)); err != nil {
				t.Fatalf("after failures: %v", err)
			}
		})
	}
}

func errorDetail(t *testing.T, err error) *switchboardv1.ErrorDetail {
	t.Helper()
	var ce *connect.Error
	if !errors.As(err, &ce) {
		t.Fatalf("not a Connect error: %v", err)
	}
	for _, d := range ce.Details() {
		if v, err := d.Value(); err == nil {
			if ed, ok := v.(*switchboardv1.ErrorDetail); ok {
				return ed
			}
		}
	}
	t.Fatalf("no ErrorDetail on %v", err)
	return nil
}
