package server_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/server/internal/servertest"
)

func fullRequest(t *testing.T) *switchboardv1.CompleteRequest {
	t.Helper()
	params, err := structpb.NewStruct(map[string]any{
		"type":       "object",
		"properties": map[string]any{"city": map[string]any{"type": "string"}},
		"required":   []any{"city"},
	})
	if err != nil {
		t.Fatal(err)
	}
	opts, _ := structpb.NewStruct(map[string]any{"logit_bias": map[string]any{"42": 1.0}})
	text := func(s string) *switchboardv1.Part {
		return &switchboardv1.Part{Kind: &switchboardv1.Part_Text{Text: s}}
	}
	return &switchboardv1.CompleteRequest{
		Model: "demo",
		Messages: []*switchboardv1.Message{
			{Role: switchboardv1.Role_ROLE_SYSTEM, Content: []*switchboardv1.Part{text("be brief")}},
			{Role: switchboardv1.Role_ROLE_USER, Name: "ann", Content: []*switchboardv1.Part{
				{Kind: &switchboardv1.Part_Text{Text: "what is this?"}, CacheControl: &switchboardv1.CacheControl{Type: "ephemeral", Ttl: "1h"}},
				{Kind: &switchboardv1.Part_Image{Image: &switchboardv1.Image{Source: &switchboardv1.Image_Url{Url: "https://example.com/a.png"}, Detail: "low"}}},
				{Kind: &switchboardv1.Part_Image{Image: &switchboardv1.Image{Source: &switchboardv1.Image_Url{Url: "data:image/png;base64,iVBORw=="}}}},
				{Kind: &switchboardv1.Part_Image{Image: &switchboardv1.Image{Source: &switchboardv1.Image_Data{Data: []byte{1, 2}}, MediaType: "image/jpeg"}}},
			}},
			{Role: switchboardv1.Role_ROLE_ASSISTANT,
				ToolCalls: []*switchboardv1.ToolCall{{Id: "call_1", Name: "weather", Arguments: `{"city":"Oslo"}`, Signature: "sig"}},
				Reasoning: []*switchboardv1.Reasoning{{Text: "think", Signature: "s1"}, {Redacted: "xyz"}}},
			{Role: switchboardv1.Role_ROLE_TOOL, ToolCallId: "call_1", Content: []*switchboardv1.Part{text("sunny")}},
		},
		Tools:             []*switchboardv1.Tool{{Name: "weather", Description: "get weather", Parameters: params, Strict: true}},
		ToolChoice:        &switchboardv1.ToolChoice{Mode: switchboardv1.ToolChoice_MODE_FUNCTION, FunctionName: "weather"},
		ParallelToolCalls: proto.Bool(false),
		ResponseFormat:    &switchboardv1.ResponseFormat{Type: switchboardv1.ResponseFormat_TYPE_JSON_SCHEMA, Name: "out", Schema: params, Strict: true},
		Temperature:       proto.Float64(0), // set to zero: must stay set
		MaxTokens:         proto.Int64(64),
		Stop:              []string{"END"},
		Seed:              proto.Int64(7),
		N:                 1,
		User:              "u-1",
		Metadata:          map[string]string{"team": "a"},
		Reasoning:         &switchboardv1.ReasoningConfig{Effort: "low"},
		ProviderOptions:   map[string]*structpb.Struct{"openai": opts},
	}
}

func wantCanonical() *llm.Request {
	schema := json.RawMessage(`{"properties":{"city":{"type":"string"}},"required":["city"],"type":"object"}`)
	f, tokens, seed := false, int64(64), int64(7)
	zero := 0.0
	return &llm.Request{
		Model: "demo",
		Messages: []llm.Message{
			{Role: llm.RoleSystem, Parts: []llm.Part{llm.TextPart("be brief")}},
			{Role: llm.RoleUser, Name: "ann", Parts: []llm.Part{
				{Type: llm.PartText, Text: "what is this?", CacheControl: &llm.CacheControl{Type: "ephemeral", TTL: "1h"}},
				{Type: llm.PartImage, Image: &llm.Image{URL: "https://example.com/a.png", Detail: "low"}},
				{Type: llm.PartImage, Image: &llm.Image{MediaType: "image/png", Data: []byte{0x89, 0x50, 0x4e, 0x47}}},
				{Type: llm.PartImage, Image: &llm.Image{MediaType: "image/jpeg", Data: []byte{1, 2}}},
			}},
			{Role: llm.RoleAssistant,
				ToolCalls: []llm.ToolCall{{ID: "call_1", Name: "weather", Arguments: `{"city":"Oslo"}`, Signature: "sig"}},
				Reasoning: []llm.Reasoning{{Text: "think", Signature: "s1"}, {Redacted: "xyz"}}},
			{Role: llm.RoleTool, ToolCallID: "call_1", Parts: []llm.Part{llm.TextPart("sunny")}},
		},
		Tools:             []llm.Tool{{Name: "weather", Description: "get weather", Parameters: schema, Strict: true}},
		ToolChoice:        &llm.ToolChoice{Mode: llm.ToolChoiceFunction, Name: "weather"},
		ParallelToolCalls: &f,
		ResponseFormat:    &llm.ResponseFormat{Type: llm.ResponseFormatJSONSchema, Name: "out", Schema: schema, Strict: true},
		Temperature:       &zero,
		MaxTokens:         &tokens,
		Stop:              []string{"END"},
		Seed:              &seed,
		N:                 1,
		User:              "u-1",
		Metadata:          map[string]string{"team": "a"},
		Reasoning:         &llm.ReasoningConfig{Effort: "low"},
		ProviderOptions:   map[string]json.RawMessage{"openai": json.RawMessage(`{"logit_bias":{"42":1}}`)},
	}
}

// normalizeJSON re-encodes the JSON fields so key order and spacing do not
// matter in the comparison.
func normalizeJSON(t *testing.T, r *llm.Request) {
	t.Helper()
	norm := func(raw json.RawMessage) json.RawMessage {
		if raw == nil {
			return nil
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatalf("invalid JSON %s: %v", raw, err)
		}
		b, _ := json.Marshal(v)
		return b
	}
	for i := range r.Tools {
		r.Tools[i].Parameters = norm(r.Tools[i].Parameters)
	}
	if r.ResponseFormat != nil {
		r.ResponseFormat.Schema = norm(r.ResponseFormat.Schema)
	}
	for k, v := range r.ProviderOptions {
		r.ProviderOptions[k] = norm(v)
	}
}

func TestBothRequestMessagesConvertToTheSameCanonicalRequest(t *testing.T) {
	core := &servertest.Core{}
	r := start(t, core, nil)
	client := completionClient(r)
	want := wantCanonical()
	normalizeJSON(t, want)

	full := fullRequest(t)
	if _, err := client.Complete(context.Background(), withKey(full, r.auth.Secret)); err != nil {
		t.Fatal(err)
	}
	got := core.LastRequest()
	normalizeJSON(t, got)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Complete converted to\n%+v\nwant\n%+v", got, want)
	}

	// The same fields, field for field, as a StreamCompleteRequest.
	b, err := proto.Marshal(full)
	if err != nil {
		t.Fatal(err)
	}
	var streamReq switchboardv1.StreamCompleteRequest
	if err := proto.Unmarshal(b, &streamReq); err != nil {
		t.Fatal(err)
	}
	stream, err := client.StreamComplete(context.Background(), withKey(&streamReq, r.auth.Secret))
	if err != nil {
		t.Fatal(err)
	}
	for stream.Receive() {
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	got = core.LastRequest()
	normalizeJSON(t, got)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("StreamComplete converted to\n%+v\nwant\n%+v", got, want)
	}
}

func TestUnsetOptionalsStayUnset(t *testing.T) {
	core := &servertest.Core{}
	r := start(t, core, nil)
	if _, err := completionClient(r).Complete(context.Background(), withKey(completeMsg(), r.auth.Secret)); err != nil {
		t.Fatal(err)
	}
	got := core.LastRequest()
	if got.Temperature != nil || got.TopP != nil || got.MaxTokens != nil || got.Seed != nil ||
		got.ParallelToolCalls != nil || got.PresencePenalty != nil || got.FrequencyPenalty != nil ||
		got.ToolChoice != nil || got.ResponseFormat != nil || got.Reasoning != nil || got.ProviderOptions != nil {
		t.Fatalf("unset fields became set: %+v", got)
	}
}

func TestProtoOnlyMistakesAreInvalidArgument(t *testing.T) {
	r := start(t, &servertest.Core{}, nil)
	client := completionClient(r)
	cases := map[string]*switchboardv1.CompleteRequest{
		"unspecified role": {Model: "demo", Messages: []*switchboardv1.Message{{Content: []*switchboardv1.Part{{Kind: &switchboardv1.Part_Text{Text: "x"}}}}}},
		"empty part":       {Model: "demo", Messages: []*switchboardv1.Message{{Role: switchboardv1.Role_ROLE_USER, Content: []*switchboardv1.Part{{}}}}},
		"image no source":  {Model: "demo", Messages: []*switchboardv1.Message{{Role: switchboardv1.Role_ROLE_USER, Content: []*switchboardv1.Part{{Kind: &switchboardv1.Part_Image{Image: &switchboardv1.Image{}}}}}}},
		"bad data url":     {Model: "demo", Messages: []*switchboardv1.Message{{Role: switchboardv1.Role_ROLE_USER, Content: []*switchboardv1.Part{{Kind: &switchboardv1.Part_Image{Image: &switchboardv1.Image{Source: &switchboardv1.Image_Url{Url: "data:image/png,notbase64"}}}}}}}},
	}
	for name, msg := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := client.Complete(context.Background(), withKey(msg, r.auth.Secret))
			if codeOf(err) != connect.CodeInvalidArgument {
				t.Fatalf("err = %v, want InvalidArgument", err)
			}
			if d := detailOf(t, err); d.GetParam() == "" {
				t.Fatalf("detail names no param: %v", d)
			}
		})
	}
}

func TestResponsesAndChunksConvertFully(t *testing.T) {
	resp := &llm.Response{
		ID: "r1", Model: "m", Created: 42, Provider: "sim", Deployment: "d1", SystemFingerprint: "fp",
		Usage: llm.Usage{InputTokens: 10, CachedInputTokens: 4, CacheWriteTokens: 1, OutputTokens: 6, ReasoningTokens: 2},
		Cost:  llm.Cost{NanoUSD: 123_450, Estimated: true},
		Choices: []llm.Choice{{
			Index: 0, FinishReason: llm.FinishToolCalls, RawFinishReason: "tool_use",
			Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{{Type: llm.PartText, Text: "ok", Signature: "ps"}},
				ToolCalls: []llm.ToolCall{{ID: "c1", Name: "f", Arguments: "{}", Signature: "ts"}},
				Reasoning: []llm.Reasoning{{Text: "hmm", Signature: "rs"}}, Refusal: ""},
		}},
	}
	chunks := []llm.Chunk{
		{ID: "r1", Model: "m", Role: llm.RoleAssistant, Provider: "sim", Deployment: "d1"},
		{ID: "r1", Reasoning: &llm.Reasoning{Text: "hm"}},
		{ID: "r1", ToolCalls: []llm.ToolCallDelta{{Index: 0, ID: "c1", Name: "f", ArgumentsDelta: `{"a"`}}},
		{ID: "r1", ToolCalls: []llm.ToolCallDelta{{Index: 0, ArgumentsDelta: `:1}`}}},
		{ID: "r1", FinishReason: llm.FinishLength, RawFinishReason: "max_tokens"},
		{ID: "r1", Usage: &llm.Usage{InputTokens: 3, OutputTokens: 4}, Cost: &llm.Cost{NanoUSD: 1_500_000_001, Unpriced: true}},
	}
	core := &servertest.Core{
		CompleteFunc: func(context.Context, *llm.Request) (*llm.Response, error) { return resp, nil },
		StreamFunc: func(ctx context.Context, _ *llm.Request) (llm.Stream, error) {
			return servertest.NewStream(ctx, chunks...), nil
		},
	}
	r := start(t, core, nil)
	client := completionClient(r)

	got, err := client.Complete(context.Background(), withKey(completeMsg(), r.auth.Secret))
	if err != nil {
		t.Fatal(err)
	}
	want := &switchboardv1.CompleteResponse{
		Id: "r1", Model: "m", Created: 42, Provider: "sim", Deployment: "d1", SystemFingerprint: "fp",
		Usage: &switchboardv1.Usage{InputTokens: 10, CachedInputTokens: 4, CacheWriteTokens: 1, OutputTokens: 6, ReasoningTokens: 2, TotalTokens: 16},
		Cost:  &switchboardv1.Cost{NanoUsd: 123_450, Usd: "0.000123450", Estimated: true},
		Choices: []*switchboardv1.Choice{{
			FinishReason: switchboardv1.FinishReason_FINISH_REASON_TOOL_CALLS, RawFinishReason: "tool_use",
			Message: &switchboardv1.Message{Role: switchboardv1.Role_ROLE_ASSISTANT,
				Content:   []*switchboardv1.Part{{Kind: &switchboardv1.Part_Text{Text: "ok"}, Signature: "ps"}},
				ToolCalls: []*switchboardv1.ToolCall{{Id: "c1", Name: "f", Arguments: "{}", Signature: "ts"}},
				Reasoning: []*switchboardv1.Reasoning{{Text: "hmm", Signature: "rs"}}},
		}},
	}
	if !proto.Equal(got.Msg, want) {
		t.Fatalf("response\n%v\nwant\n%v", got.Msg, want)
	}
	if got.Header().Get("X-Switchboard-Provider") != "sim" || got.Header().Get("X-Switchboard-Deployment") != "d1" {
		t.Fatalf("provider headers: %v", got.Header())
	}
	if c := got.Header().Get("X-Switchboard-Cost-Usd"); c != "0.000123450" {
		t.Fatalf("cost header %q", c)
	}

	stream, err := client.StreamComplete(context.Background(), withKey(streamMsg(), r.auth.Secret))
	if err != nil {
		t.Fatal(err)
	}
	var msgs []*switchboardv1.StreamCompleteResponse
	for stream.Receive() {
		msgs = append(msgs, proto.Clone(stream.Msg()).(*switchboardv1.StreamCompleteResponse))
	}
	if err := stream.Err(); err != nil || len(msgs) != len(chunks) {
		t.Fatalf("%d messages, err %v", len(msgs), err)
	}
	if stream.ResponseHeader().Get("X-Switchboard-Provider") != "sim" {
		t.Fatalf("stream provider header missing: %v", stream.ResponseHeader())
	}
	if msgs[0].GetRole() != switchboardv1.Role_ROLE_ASSISTANT || msgs[1].GetReasoning().GetText() != "hm" ||
		msgs[2].GetToolCalls()[0].GetName() != "f" || msgs[3].GetToolCalls()[0].GetArgumentsDelta() != ":1}" ||
		msgs[4].GetFinishReason() != switchboardv1.FinishReason_FINISH_REASON_LENGTH ||
		msgs[5].GetUsage().GetTotalTokens() != 7 {
		t.Fatalf("chunks converted wrongly: %v", msgs)
	}
	// The reused message must not leak fields from one chunk into the next.
	if msgs[2].GetReasoning() != nil || msgs[3].GetToolCalls()[0].GetName() != "" || msgs[4].GetUsage() != nil {
		t.Fatalf("fields leaked between chunks: %v", msgs)
	}
	// The cost rides on the last message, and in a trailer.
	wantCost := &switchboardv1.Cost{NanoUsd: 1_500_000_001, Usd: "1.500000001", Unpriced: true}
	if !proto.Equal(msgs[5].GetCost(), wantCost) || msgs[4].GetCost() != nil {
		t.Fatalf("stream cost: last %v, before %v", msgs[5].GetCost(), msgs[4].GetCost())
	}
	if c := stream.ResponseTrailer().Get("X-Switchboard-Cost-Usd"); c != "1.500000001" {
		t.Fatalf("cost trailer %q (trailers %v)", c, stream.ResponseTrailer())
	}
}

func TestEmbedAndListModels(t *testing.T) {
	core := &servertest.Core{}
	r := start(t, core, nil)
	client := completionClient(r)
	emb, err := client.Embed(context.Background(), withKey(&switchboardv1.EmbedRequest{Model: "demo", Inputs: []string{"a", "b"}, Dimensions: proto.Int64(3)}, r.auth.Secret))
	if err != nil {
		t.Fatal(err)
	}
	if len(emb.Msg.GetEmbeddings()) != 2 || emb.Msg.GetEmbeddings()[1].GetIndex() != 1 || len(emb.Msg.GetEmbeddings()[1].GetValues()) != 3 {
		t.Fatalf("embeddings: %v", emb.Msg)
	}
	models, err := client.ListModels(context.Background(), withKey(&switchboardv1.ListModelsRequest{}, r.auth.Secret))
	if err != nil || len(models.Msg.GetModels()) != 1 || models.Msg.GetModels()[0].GetId() != "demo" {
		t.Fatalf("models: %v, %v", models, err)
	}
	if core.LastPrincipal().KeyID != r.auth.Key.ID {
		t.Fatalf("ListModels got principal %+v", core.LastPrincipal())
	}
}
