package bedrock_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/bedrock"
)

var amzRequestID = http.Header{"X-Amzn-Requestid": {"7d4c8e2a-1b3f-4e5d-9a6b-0c1d2e3f4a5b"}}

func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		t.Fatalf("not JSON: %s / %s", a, b)
	}
	return reflect.DeepEqual(x, y)
}

var authPattern = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/(\d{8})/us-east-1/bedrock/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}$`)

// checkSigned checks the headers SigV4 adds, and that what matters is
// signed.
func checkSigned(t *testing.T, c recorded) {
	t.Helper()
	m := authPattern.FindStringSubmatch(c.Header.Get("Authorization"))
	if m == nil {
		t.Fatalf("Authorization = %q", c.Header.Get("Authorization"))
	}
	date := c.Header.Get("X-Amz-Date")
	if _, err := time.Parse("20060102T150405Z", date); err != nil || date[:8] != m[1] {
		t.Errorf("X-Amz-Date = %q, scope date %s", date, m[1])
	}
	if m[2] != "accept;content-length;content-type;host;x-amz-date;x-amz-security-token" {
		t.Errorf("signed headers = %s", m[2])
	}
	if c.Header.Get("X-Amz-Security-Token") != testCreds.SessionToken {
		t.Error("session token not sent")
	}
}

// The recorded requests, sent from canonical requests, reach the recorded
// paths (the model id escaped as one segment) with the recorded bodies, and
// the recorded answers decode.
func TestFixtureConverseThroughHTTP(t *testing.T) {
	basic := fixtures.Load(t, "bedrock", "converse-basic")
	srv, rc := replayServer(t, basic, amzRequestID)
	p := newProvider(t, srv.URL)
	resp, err := p.Complete(context.Background(), userRequest("us.anthropic.claude-sonnet-4-6", "Say hello"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.ID != "7d4c8e2a-1b3f-4e5d-9a6b-0c1d2e3f4a5b" || resp.Model != "us.anthropic.claude-sonnet-4-6" || resp.Provider != "bedrock" || resp.Created == 0 {
		t.Errorf("response = %+v", resp)
	}
	if resp.Choices[0].Message.Text() != "Hello! 👋 How are you doing? Is there something I can help you with today?" || resp.Usage != (llm.Usage{InputTokens: 9, OutputTokens: 24}) {
		t.Errorf("answer = %+v", resp)
	}
	c := rc.last(t)
	if c.Method != http.MethodPost || c.RawPath != basic.Request.Path || !sameJSON(t, c.Body, basic.Request.Body) {
		t.Errorf("sent %s %s %s", c.Method, c.RawPath, c.Body)
	}
	if c.Header.Get("Content-Type") != "application/json" || c.Header.Get("Accept") != "application/json" {
		t.Errorf("headers = %v", c.Header)
	}
	checkSigned(t, c)

	tool := fixtures.Load(t, "bedrock", "converse-tool-use")
	srv, rc = replayServer(t, tool, nil)
	req := userRequest("us.amazon.nova-micro-v1:0", "What is the capital of France?")
	req.Messages = append([]llm.Message{{Role: llm.RoleSystem, Parts: []llm.Part{llm.TextPart("You are a helpful chatbot.")}}}, req.Messages...)
	req.Temperature = ptr(0.0)
	req.Tools = []llm.Tool{{Name: "get_capital", Description: "Get the capital of a country.",
		Parameters: json.RawMessage(`{"additionalProperties":false,"properties":{"country":{"description":"The country name.","type":"string"}},"required":["country"],"type":"object"}`)}}
	req.ToolChoice = &llm.ToolChoice{Mode: llm.ToolChoiceAuto}
	resp, err = newProvider(t, srv.URL).Complete(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if c := rc.last(t); c.RawPath != tool.Request.Path || !sameJSON(t, c.Body, tool.Request.Body) {
		t.Errorf("sent %s %s\nwant %s", c.RawPath, c.Body, tool.Request.Body)
	}
	if calls := resp.Choices[0].Message.ToolCalls; len(calls) != 1 || calls[0].Arguments != `{"country":"France"}` || resp.Choices[0].FinishReason != llm.FinishToolCalls {
		t.Errorf("answer = %+v", resp.Choices[0])
	}
	if !strings.HasPrefix(resp.ID, "bedrock-") {
		t.Errorf("id without x-amzn-RequestId = %q", resp.ID)
	}
}

func TestFixtureConverseStreamThroughHTTP(t *testing.T) {
	tr := fixtures.Load(t, "bedrock", "converseStream-text")
	srv, rc := replayServer(t, tr, amzRequestID)
	req := userRequest("us.amazon.nova-micro-v1:0", "What is the capital of France?")
	req.Messages = append([]llm.Message{{Role: llm.RoleSystem, Parts: []llm.Part{llm.TextPart("You are a helpful chatbot.")}}}, req.Messages...)
	req.Temperature = ptr(0.0)
	s, err := newProvider(t, srv.URL).Stream(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := llm.Collect(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(resp.Choices[0].Message.Text(), "The capital of France is Paris. Paris is not only") || resp.Choices[0].FinishReason != llm.FinishStop {
		t.Errorf("answer = %+v", resp.Choices[0])
	}
	if resp.Usage != (llm.Usage{InputTokens: 13, OutputTokens: 82}) || resp.ID != "7d4c8e2a-1b3f-4e5d-9a6b-0c1d2e3f4a5b" || resp.Provider != "bedrock" {
		t.Errorf("response = %+v", resp)
	}
	c := rc.last(t)
	if c.RawPath != tr.Request.Path || !sameJSON(t, c.Body, tr.Request.Body) || c.Header.Get("Accept") != "application/vnd.amazon.eventstream" {
		t.Errorf("sent %s %s %v", c.RawPath, c.Body, c.Header)
	}
	checkSigned(t, c)
}

func TestFixtureErrorThroughHTTP(t *testing.T) {
	tr := fixtures.Load(t, "bedrock", "error-400-invalid-model")
	srv, _ := replayServer(t, tr, http.Header{"X-Amzn-Errortype": {"ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/"}})
	p := newProvider(t, srv.URL)
	_, err := p.Complete(context.Background(), userRequest("us.does-not-exist-model-v1:0", "hello"))
	e := asLLMError(t, err)
	if e.Kind != llm.KindNotFound || e.Status != 400 || e.Provider != "bedrock" {
		t.Errorf("complete: %+v", e)
	}
	_, err = p.Stream(context.Background(), userRequest("us.does-not-exist-model-v1:0", "hello"))
	if e := asLLMError(t, err); e.Kind != llm.KindNotFound {
		t.Errorf("stream: %+v", e)
	}
}

// streamBody serves body as an event stream.
func streamBody(t *testing.T, body []byte) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// A stream whose bytes do not match their checksum is a malformed stream;
// one cut before messageStop ended prematurely; one cut after messageStop
// (no metadata) is complete, without usage.
func TestBrokenStreams(t *testing.T) {
	raw := fixtures.Load(t, "bedrock", "converseStream-text").Response.RawBody()
	corrupt := bytes.Clone(raw)
	corrupt[1000] ^= 0x01
	frames := splitFrames(t, raw)
	for _, tc := range []struct {
		name string
		body []byte
		want string // error message part; "" for a clean end
	}{
		{"checksum", corrupt, "malformed event stream from bedrock: event stream: "},
		{"cut mid-frame", raw[:2000], "stream ended prematurely"},
		{"cut between frames", bytes.Join(frames[:10], nil), "stream ended prematurely"},
		{"no metadata", bytes.Join(frames[:len(frames)-1], nil), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := newProvider(t, streamBody(t, tc.body)).Stream(context.Background(), userRequest("m", "hi"))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := llm.Collect(s)
			if tc.want == "" {
				if err != nil || resp.Choices[0].FinishReason != llm.FinishStop || !resp.Usage.IsZero() {
					t.Fatalf("%v %+v", err, resp)
				}
				return
			}
			e := asLLMError(t, err)
			if e.Kind != llm.KindUpstream || !strings.Contains(e.Message, tc.want) {
				t.Fatalf("%+v", e)
			}
		})
	}
}

func splitFrames(t *testing.T, raw []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for len(raw) > 0 {
		n := int(raw[0])<<24 | int(raw[1])<<16 | int(raw[2])<<8 | int(raw[3])
		out = append(out, raw[:n])
		raw = raw[n:]
	}
	return out
}

// A server that answers a stream request in one JSON piece is replayed as a
// stream.
func TestStreamAnsweredInOnePiece(t *testing.T) {
	srv, _ := replayServer(t, fixtures.Load(t, "bedrock", "converse-basic"), amzRequestID)
	s, err := newProvider(t, srv.URL).Stream(context.Background(), userRequest("m", "Say hello"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := llm.Collect(s)
	if err != nil || !strings.HasPrefix(resp.Choices[0].Message.Text(), "Hello!") || resp.Usage.OutputTokens != 24 {
		t.Fatalf("%v %+v", err, resp)
	}
}

// Close while Recv waits returns a Canceled error; Close is idempotent.
func TestCloseAbandonsTheStream(t *testing.T) {
	head := fixtures.Load(t, "bedrock", "converseStream-text").Response.RawBody()[:500]
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
		_, _ = w.Write(head)
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	s, err := newProvider(t, srv.URL).Stream(context.Background(), userRequest("m", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err = s.Recv(); err != nil {
			break
		}
		if !s.(interface{ Buffered() bool }).Buffered() {
			go func() { time.Sleep(20 * time.Millisecond); s.Close() }()
		}
	}
	if e := asLLMError(t, err); e.Kind != llm.KindCanceled {
		t.Fatalf("%+v", e)
	}
	s.Close()
	if _, err := s.Recv(); asLLMError(t, err).Kind != llm.KindCanceled {
		t.Error("Recv after Close")
	}
}

func TestTransportFailures(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := newProvider(t, url).Complete(context.Background(), userRequest("m", "hi"))
	if e := asLLMError(t, err); e.Kind != llm.KindUnavailable || strings.Contains(e.Error(), testCreds.SecretAccessKey) {
		t.Errorf("refused: %+v", e)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = newProvider(t, url).Complete(ctx, userRequest("m", "hi"))
	if e := asLLMError(t, err); e.Kind != llm.KindCanceled {
		t.Errorf("canceled: %+v", e)
	}
	// Credentials that cannot be had: Unavailable, before any call.
	p := newProvider(t, url, func(c *bedrock.Config) {
		c.Credentials = func(context.Context) (bedrock.Credentials, error) { return bedrock.Credentials{}, io.ErrUnexpectedEOF }
	})
	_, err = p.Complete(context.Background(), userRequest("m", "hi"))
	if e := asLLMError(t, err); e.Kind != llm.KindUnavailable || !strings.Contains(e.Message, "AWS credentials") {
		t.Errorf("credentials: %+v", e)
	}
	_, err = newProvider(t, url).Complete(context.Background(), userRequest("", "hi"))
	if e := asLLMError(t, err); e.Kind != llm.KindInvalidRequest || e.Param != "model" {
		t.Errorf("no model: %+v", e)
	}
}

func TestNewValidatesConfig(t *testing.T) {
	good := bedrock.Config{Region: "eu-central-1", Credentials: bedrock.StaticCredentials(testCreds)}
	p, err := bedrock.New(good)
	if err != nil || p.Name() != "bedrock" || p.Region() != "eu-central-1" {
		t.Fatalf("%v %v", p, err)
	}
	for name, mutate := range map[string]func(*bedrock.Config){
		"region":         func(c *bedrock.Config) { c.Region = "Frankfurt" },
		"no region":      func(c *bedrock.Config) { c.Region = "" },
		"endpoint":       func(c *bedrock.Config) { c.Endpoint = "bedrock.local" },
		"endpoint query": func(c *bedrock.Config) { c.Endpoint = "https://x.example?a=b" },
		"credentials":    func(c *bedrock.Config) { c.Credentials = nil },
		"header":         func(c *bedrock.Config) { c.Headers = map[string]string{"X-Amz-Date": "x"} },
		"auth header":    func(c *bedrock.Config) { c.Headers = map[string]string{"Authorization": "x"} },
		"max tokens":     func(c *bedrock.Config) { c.DefaultMaxTokens = -1 },
	} {
		cfg := good
		mutate(&cfg)
		if _, err := bedrock.New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if s := testCreds.String() + " " + testCreds.GoString(); strings.Contains(s, testCreds.SecretAccessKey) || strings.Contains(s, "IOSFODNN7EXAMPLE") {
		t.Errorf("credentials print as %q", s)
	}
}

func TestEscapeLabel(t *testing.T) {
	for in, want := range map[string]string{
		"us.anthropic.claude-sonnet-4-5-20250929-v1:0":                                       "us.anthropic.claude-sonnet-4-5-20250929-v1%3A0",
		"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.meta.llama3-3-70b-v1:0": "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.meta.llama3-3-70b-v1%3A0",
		"plain_id~1": "plain_id~1",
	} {
		if got := bedrock.EscapeLabel(in); got != want {
			t.Errorf("EscapeLabel(%q) = %q", in, got)
		}
	}
}
