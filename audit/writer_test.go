package audit_test

import (
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/audit"
	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
)

func chatRequest(text string) *llm.Request {
	return &llm.Request{
		Model: "demo",
		User:  "end-user-42",
		Messages: []llm.Message{
			{Role: llm.RoleSystem, Parts: []llm.Part{llm.TextPart("You are terse.")}},
			{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart(text), {Type: llm.PartImage, Image: &llm.Image{MediaType: "image/png", Data: []byte("PNGDATA")}}}},
		},
		Tools: []llm.Tool{{Name: "lookup", Description: "find things", Parameters: json.RawMessage(`{"type":"object"}`)}},
	}
}

func answer(text string) *llm.Response {
	return &llm.Response{
		Model: "sim-1", Provider: "sim", Deployment: "primary",
		Choices: []llm.Choice{{Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{llm.TextPart(text)}}, FinishReason: llm.FinishStop}},
		Usage:   llm.Usage{InputTokens: 12, OutputTokens: 5},
		Cost:    llm.Cost{NanoUSD: 4200},
	}
}

func meta(id string) audit.RequestMeta {
	return audit.RequestMeta{RequestID: id, Transport: "openai", ClientAddress: "198.51.100.9", UserAgent: "curl/8"}
}

func TestRecordsAUnaryCompletionWithoutThePrompt(t *testing.T) {
	st := openStore(t)
	tn := newTenancy(t, st)
	log := audit.NewRequestLog(st, audit.RequestLogOptions{Teams: st})
	runLog(t, log)
	prompt := "Write to ada@example.com about the launch"
	req := chatRequest(prompt)
	o := log.ObserveChat(t.Context(), meta("req_unary"), tn.principal(), req, false)
	o.Finish(answer("Done."), nil)
	flush(t, log)

	recs, _, err := audit.ListRequests(t.Context(), st, audit.ListRequestsParams{})
	if err != nil || len(recs) != 1 {
		t.Fatalf("ListRequests: %v, %v", recs, err)
	}
	r := recs[0]
	hash, size := audit.PromptHash(req)
	want := audit.RequestRecord{
		RequestID: "req_unary", KeyID: tn.key.ID, TeamID: tn.team.ID, UserID: tn.user.ID, EndUser: "end-user-42",
		Operation: "chat", Alias: "demo", Model: "sim-1", Provider: "sim", Deployment: "primary", Transport: "openai",
		Status: "ok", PromptSHA256: hash, InputBytes: size + int64(len("lookup")+len("find things")+len(`{"type":"object"}`)),
		InputMessages: 2, InputTools: 1, InputImages: 1, OutputBytes: int64(len("Done.")),
		InputTokens: 12, OutputTokens: 5, CostNanoUSD: 4200, ClientAddress: "198.51.100.9", UserAgent: "curl/8",
	}
	r.Time, r.Latency = time.Time{}, 0
	if r != want {
		t.Errorf("record:\n got  %+v\n want %+v", r, want)
	}
	if strings.Contains(hash, prompt) || len(hash) != 64 {
		t.Errorf("prompt hash %q", hash)
	}
	if payloads, _ := st.ListPayloads(t.Context(), audit.PayloadQuery{Limit: 10}); len(payloads) != 0 {
		t.Errorf("payloads captured for a team without capture: %d", len(payloads))
	}
}

func TestPromptHashIsCanonical(t *testing.T) {
	a, _ := audit.PromptHash(chatRequest("hello"))
	b, _ := audit.PromptHash(chatRequest("hello"))
	c, _ := audit.PromptHash(chatRequest("hello!"))
	// Moving text between messages changes the conversation, and the hash.
	split := &llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart("ab")}}, {Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart("c")}}}}
	moved := &llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart("a")}}, {Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart("bc")}}}}
	d, _ := audit.PromptHash(split)
	e, _ := audit.PromptHash(moved)
	if a != b || a == c || d == e {
		t.Errorf("hashes: same prompt %v, different prompt %v, moved text %v", a == b, a != c, d != e)
	}
}

// fakeStream is a canned stream of chunks.
type fakeStream struct {
	chunks []llm.Chunk
	closed bool
}

func (s *fakeStream) Recv() (llm.Chunk, error) {
	if len(s.chunks) == 0 {
		return llm.Chunk{}, io.EOF
	}
	c := s.chunks[0]
	s.chunks = s.chunks[1:]
	return c, nil
}

func (s *fakeStream) Close() error { s.closed = true; return nil }

func TestCapturesRedactedPayloadsForTeamsThatAskAndRecordsStreams(t *testing.T) {
	st := openStore(t)
	tn := newTenancy(t, st)
	on := true
	if _, err := tn.teams.Update(t.Context(), auth.UpdateTeamParams{ID: tn.team.ID, PayloadCapture: &on}); err != nil {
		t.Fatal(err)
	}
	log := audit.NewRequestLog(st, audit.RequestLogOptions{Teams: st})
	runLog(t, log)
	o := log.ObserveChat(t.Context(), meta("req_stream"), tn.principal(), chatRequest("Call me on +44 20 7946 0958, card 4111 1111 1111 1111"), true)
	inner := &fakeStream{chunks: []llm.Chunk{
		{Model: "sim-1", Provider: "sim", Deployment: "primary", Role: llm.RoleAssistant, Text: "Mail bob@example.org, "},
		{Text: "from 10.1.2.3."},
		{ToolCalls: []llm.ToolCallDelta{{Index: 0, ID: "c1", Name: "lookup", ArgumentsDelta: `{"ssn":"078-05-1120"}`}}},
		{FinishReason: llm.FinishToolCalls, Usage: &llm.Usage{InputTokens: 30, OutputTokens: 9}, Cost: &llm.Cost{NanoUSD: 777}},
	}}
	s := o.WrapStream(inner)
	for {
		if _, err := s.Recv(); err != nil {
			break
		}
	}
	if err := s.Close(); err != nil || !inner.closed {
		t.Fatalf("Close: %v (inner closed %v)", err, inner.closed)
	}
	flush(t, log)

	recs, _, _ := audit.ListRequests(t.Context(), st, audit.ListRequestsParams{})
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	r := recs[0]
	wantOut := int64(len("Mail bob@example.org, ") + len("from 10.1.2.3.") + len(`{"ssn":"078-05-1120"}`))
	if !r.Stream || !r.PayloadCaptured || r.Status != "ok" || r.OutputBytes != wantOut || r.InputTokens != 30 || r.CostNanoUSD != 777 || r.Model != "sim-1" {
		t.Errorf("stream record: %+v", r)
	}
	payloads, err := st.ListPayloads(t.Context(), audit.PayloadQuery{Limit: 10})
	if err != nil || len(payloads) != 1 {
		t.Fatalf("payloads: %v, %v", payloads, err)
	}
	p := payloads[0]
	all := string(p.Request) + string(p.Response)
	for _, leak := range []string{"7946", "4111", "bob@example.org", "10.1.2.3", "078-05-1120", "PNGDATA"} {
		if strings.Contains(all, leak) {
			t.Errorf("captured payload holds %q: %s", leak, all)
		}
	}
	for _, placeholder := range []string{"[PHONE]", "[CREDIT_CARD]", "[EMAIL]", "[IP_ADDRESS]", "[SSN]"} {
		if !strings.Contains(all, placeholder) {
			t.Errorf("captured payload lacks %s: %s", placeholder, all)
		}
	}
	var req audit.CapturedRequest
	var resp audit.CapturedResponse
	if json.Unmarshal(p.Request, &req) != nil || json.Unmarshal(p.Response, &resp) != nil {
		t.Fatalf("payloads are not JSON: %s / %s", p.Request, p.Response)
	}
	if len(req.Messages) != 2 || len(req.Messages[1].Images) != 1 || req.Messages[1].Images[0].Bytes != len("PNGDATA") || req.Model != "demo" {
		t.Errorf("captured request: %+v", req)
	}
	if len(resp.Choices) != 1 || len(resp.Choices[0].Message.ToolCalls) != 1 || resp.Usage.OutputTokens != 9 {
		t.Errorf("captured response: %+v", resp)
	}
}

func TestAStreamClosedEarlyIsRecordedAsCanceled(t *testing.T) {
	st := openStore(t)
	tn := newTenancy(t, st)
	log := audit.NewRequestLog(st, audit.RequestLogOptions{Teams: st})
	runLog(t, log)
	o := log.ObserveChat(t.Context(), meta("req_cut"), tn.principal(), chatRequest("hi"), true)
	s := o.WrapStream(&fakeStream{chunks: []llm.Chunk{{Text: "a"}, {Text: "b"}}})
	s.Recv()
	s.Close()
	s.Close() // idempotent: recorded once
	o2 := log.ObserveChat(t.Context(), meta("req_fail"), tn.principal(), chatRequest("hi"), false)
	o2.Finish(nil, &llm.Error{Kind: llm.KindRateLimited, Message: "slow down"})
	flush(t, log)
	recs, _, _ := audit.ListRequests(t.Context(), st, audit.ListRequestsParams{})
	status := map[string]string{}
	for _, r := range recs {
		status[r.RequestID] = r.Status
	}
	if len(recs) != 2 || status["req_cut"] != "canceled" || status["req_fail"] != "rate_limited" {
		t.Errorf("records: %v", status)
	}
}

func TestAFullQueueDropsRecordsInsteadOfWaiting(t *testing.T) {
	st := openStore(t)
	tn := newTenancy(t, st)
	log := audit.NewRequestLog(st, audit.RequestLogOptions{Teams: st, QueueSize: 2})
	for i := range 5 { // the writer is not running yet: nothing drains
		log.ObserveEmbed(t.Context(), meta("req_e"+string(rune('a'+i))), tn.principal(), &llm.EmbedRequest{Model: "embed", Inputs: []string{"x"}}).
			FinishEmbed(&llm.EmbedResponse{Model: "e", Embeddings: [][]float32{{1, 2, 3}}}, nil)
	}
	if s := log.Stats(); s.Queued != 2 || s.Dropped != 3 {
		t.Fatalf("stats %+v, want 2 queued, 3 dropped", s)
	}
	runLog(t, log)
	flush(t, log)
	recs, _, _ := audit.ListRequests(t.Context(), st, audit.ListRequestsParams{})
	if len(recs) != 2 || recs[0].Operation != "embeddings" || recs[0].OutputBytes != 12 || recs[0].InputMessages != 1 {
		t.Errorf("records: %+v", recs)
	}
	if s := log.Stats(); s.Written != 2 {
		t.Errorf("stats after writing: %+v", s)
	}
}

func TestANilObservationIsHarmless(t *testing.T) {
	var log *audit.RequestLog
	o := log.ObserveChat(t.Context(), meta("x"), nil, chatRequest("hi"), false)
	o.Finish(nil, nil)
	s := &fakeStream{}
	if o.WrapStream(s) != llm.Stream(s) {
		t.Error("a nil observation wrapped the stream")
	}
}
