package call_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/telemetry/call"
)

func TestRecordTravelsInTheContext(t *testing.T) {
	if call.From(context.Background()) != nil {
		t.Fatal("a record in an empty context")
	}
	rec := &call.Record{RequestID: "req_1"}
	if got := call.From(call.With(context.Background(), rec)); got != rec {
		t.Fatalf("From returned %p, want %p", got, rec)
	}
}

// A nil record ignores every call, so code below the transport need not
// check whether telemetry is on.
func TestNilRecordIgnoresEverything(t *testing.T) {
	var rec *call.Record
	rec.NoteRequest(&auth.Principal{KeyID: "k"}, &llm.Request{Model: "m"}, true)
	rec.NoteResponse(&llm.Response{}, nil)
	rec.NoteEmbedRequest(nil, &llm.EmbedRequest{})
	rec.NoteEmbedResponse(nil, errors.New("x"))
	rec.NoteError(errors.New("x"))
	rec.NoteStatus(500, "internal")
	rec.AddCost(1, 5)
	rec.NoteAttempt(&llm.Attempt{Outcome: llm.OutcomeFailed})
	if _, ok := rec.Cost(); ok {
		t.Error("nil record has a cost")
	}
	if _, ok := rec.PreviousFailure(); ok {
		t.Error("nil record has a previous failure")
	}
	if rec.Outcome() != call.OutcomeOK || rec.TTFT() != 0 {
		t.Error("nil record has an outcome or a TTFT")
	}
	s := &chunks{}
	if call.WrapStream(nil, s) != llm.Stream(s) {
		t.Error("WrapStream with a nil record wrapped the stream")
	}
}

func TestUnaryResponseIsNoted(t *testing.T) {
	rec := &call.Record{}
	max := int64(64)
	rec.NoteRequest(&auth.Principal{KeyID: "key_1", TeamID: "team_1", UserID: "user_1"}, &llm.Request{Model: "fast", MaxTokens: &max}, false)
	rt := &llm.Route{Alias: "fast", Attempts: []llm.Attempt{{Number: 1, Deployment: "d1", Outcome: llm.OutcomeOK}}}
	rec.NoteResponse(&llm.Response{
		ID: "resp_1", Model: "m-2025", Provider: "p1", Deployment: "d1", Route: rt,
		Usage:   llm.Usage{InputTokens: 10, OutputTokens: 20},
		Choices: []llm.Choice{{FinishReason: llm.FinishStop}, {FinishReason: llm.FinishLength}},
	}, nil)
	if rec.KeyID != "key_1" || rec.TeamID != "team_1" || rec.UserID != "user_1" || rec.Operation != call.OperationChat || *rec.MaxTokens != 64 {
		t.Errorf("request not noted: %+v", rec)
	}
	if rec.Alias != "fast" || rec.Deployment != "d1" || rec.ResponseModel != "m-2025" || rec.ResponseID != "resp_1" ||
		!rec.HasUsage || rec.Usage.OutputTokens != 20 || len(rec.FinishReasons) != 2 || rec.FinishReasons[1] != "length" || rec.End.IsZero() {
		t.Errorf("response not noted: %+v", rec)
	}
	if rec.Outcome() != call.OutcomeOK {
		t.Errorf("outcome %q", rec.Outcome())
	}
}

// A failure after attempts keeps the route: what the request ended on.
func TestFailureKeepsTheRouteAndItsKind(t *testing.T) {
	rec := &call.Record{}
	rt := &llm.Route{Alias: "a", Attempts: []llm.Attempt{
		{Number: 1, Deployment: "d1", Provider: "p1", Outcome: llm.OutcomeFailed},
		{Number: 2, Deployment: "d2", Provider: "p2", Outcome: llm.OutcomeFailed},
	}}
	err := &llm.RouteError{Err: &llm.Error{Kind: llm.KindOverloaded, Message: "busy"}, Route: rt}
	rec.NoteResponse(nil, err)
	if rec.Alias != "a" || rec.Deployment != "d2" || rec.Provider != "p2" || rec.Route != rt {
		t.Errorf("route not kept: %+v", rec)
	}
	if k, failed := rec.ErrorKind(); !failed || k != llm.KindOverloaded || rec.Outcome() != "overloaded" {
		t.Errorf("kind %v failed %v outcome %q", k, failed, rec.Outcome())
	}
	rec.NoteError(&llm.Error{Kind: llm.KindInternal})
	if rec.Outcome() != "overloaded" {
		t.Error("a later error replaced the core's")
	}
}

// Without an error from the core, the RPC code or the HTTP status tells
// the outcome, in the same vocabulary as error kinds.
func TestOutcomeFromCodeAndStatus(t *testing.T) {
	cases := []struct {
		status int
		code   string
		want   string
	}{
		{200, "", "ok"},
		{200, "ok", "ok"},
		{401, "", "unauthenticated"},
		{413, "", "payload_too_large"},
		{429, "", "rate_limited"},
		{502, "", "upstream"},
		{200, "unauthenticated", "unauthenticated"},
		{200, "resource_exhausted", "rate_limited"},
		{200, "invalid_argument", "invalid_request"},
		{200, "unimplemented", "not_found"},
	}
	for _, c := range cases {
		rec := &call.Record{}
		rec.NoteStatus(c.status, c.code)
		if got := rec.Outcome(); got != c.want {
			t.Errorf("status %d code %q: outcome %q, want %q", c.status, c.code, got, c.want)
		}
	}
}

func TestCostsAddUpPerRequestAndAttempt(t *testing.T) {
	rec := &call.Record{}
	if _, ok := rec.Cost(); ok {
		t.Fatal("cost known before any was added")
	}
	rec.AddCost(1, 1500)
	rec.AddCost(2, 250)
	if n, ok := rec.Cost(); !ok || n != 1750 {
		t.Errorf("request cost %d %v, want 1750", n, ok)
	}
	if n, ok := rec.AttemptCost(2); !ok || n != 250 {
		t.Errorf("attempt 2 cost %d %v", n, ok)
	}
	if _, ok := rec.AttemptCost(3); ok {
		t.Error("attempt 3 has a cost")
	}
}

func TestPreviousFailureIsTheLastFailedAttempt(t *testing.T) {
	rec := &call.Record{}
	rec.NoteAttempt(&llm.Attempt{Deployment: "ok-one", Outcome: llm.OutcomeOK})
	if _, ok := rec.PreviousFailure(); ok {
		t.Fatal("a success became a previous failure")
	}
	rec.NoteAttempt(&llm.Attempt{Deployment: "d1", Provider: "p1", Alias: "a", Outcome: llm.OutcomeFailed, ErrorKind: llm.KindRateLimited})
	rec.NoteAttempt(&llm.Attempt{Deployment: "d2", Provider: "p2", Alias: "a", Outcome: llm.OutcomeBroken, ErrorKind: llm.KindUpstream})
	p, ok := rec.PreviousFailure()
	if !ok || p.Deployment != "d2" || p.ErrorKind != llm.KindUpstream {
		t.Errorf("previous %+v %v", p, ok)
	}
}

// chunks is a stream of fixed chunks, then an error or io.EOF.
type chunks struct {
	list   []llm.Chunk
	end    error
	closed bool
}

func (c *chunks) Recv() (llm.Chunk, error) {
	if len(c.list) == 0 {
		if c.end != nil {
			return llm.Chunk{}, c.end
		}
		return llm.Chunk{}, io.EOF
	}
	ch := c.list[0]
	c.list = c.list[1:]
	return ch, nil
}

func (c *chunks) Close() error { c.closed = true; return nil }

func (c *chunks) Buffered() bool { return len(c.list) > 0 }

func TestStreamNotesItsChunks(t *testing.T) {
	rec := &call.Record{}
	rt := &llm.Route{Alias: "a"}
	inner := &chunks{list: []llm.Chunk{
		{ID: "c1", Model: "m", Role: llm.RoleAssistant, Provider: "p", Deployment: "d", Route: rt},
		{Text: "hel"},
		{Text: "lo", ChoiceIndex: 1},
		{FinishReason: llm.FinishStop},
		{FinishReason: llm.FinishLength, ChoiceIndex: 1},
		{Usage: &llm.Usage{InputTokens: 3, OutputTokens: 2}},
	}}
	s := call.WrapStream(rec, inner)
	if !llm.IsBuffered(s) {
		t.Error("Buffered is not forwarded")
	}
	for {
		if _, err := s.Recv(); err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatal(err)
			}
			break
		}
	}
	_ = s.Close()
	if rec.FirstToken.IsZero() || rec.End.Before(rec.FirstToken) || rec.ResponseID != "c1" || rec.ResponseModel != "m" ||
		rec.Deployment != "d" || rec.Alias != "a" || rec.OutputChunks != 2 || !rec.HasUsage || rec.Usage.OutputTokens != 2 {
		t.Errorf("stream not noted: %+v", rec)
	}
	if len(rec.FinishReasons) != 2 || rec.FinishReasons[0] != "stop" || rec.FinishReasons[1] != "length" {
		t.Errorf("finish reasons %v", rec.FinishReasons)
	}
	if rec.Err != nil || !inner.closed {
		t.Errorf("clean end noted as %v; closed %v", rec.Err, inner.closed)
	}
}

func TestStreamNotesHowItEnded(t *testing.T) {
	broken := &call.Record{}
	s := call.WrapStream(broken, &chunks{list: []llm.Chunk{{Text: "x"}}, end: &llm.Error{Kind: llm.KindUpstream}})
	_, _ = s.Recv()
	if _, err := s.Recv(); err == nil {
		t.Fatal("no error")
	}
	if broken.Outcome() != "upstream" {
		t.Errorf("broken stream outcome %q", broken.Outcome())
	}

	abandoned := &call.Record{}
	s = call.WrapStream(abandoned, &chunks{list: []llm.Chunk{{Text: "x"}, {Text: "y"}}})
	_, _ = s.Recv()
	_ = s.Close() // the client went away
	if abandoned.Outcome() != "canceled" || abandoned.End.IsZero() {
		t.Errorf("abandoned stream outcome %q", abandoned.Outcome())
	}
}
