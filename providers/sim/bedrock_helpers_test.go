package sim_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/switchboard-gw/switchboard/providers/bedrock/wire"
	"github.com/switchboard-gw/switchboard/providers/sim"
)

// bedrockKey is the access key the test simulators check signatures
// against.
var bedrockKey = sim.AWSCredentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}

// bedTarget reaches a simulator's Bedrock dialect, signing every request
// with the AWS SDK's signer: the simulator's own verifier is checked
// against it.
type bedTarget struct {
	name   string
	srv    *sim.Server
	client *http.Client
	base   string
	key    aws.Credentials
	now    time.Time // signing time; zero means now
}

func bedTargets(t *testing.T, opts sim.Options) []bedTarget {
	t.Helper()
	if opts.AWS == nil {
		k := bedrockKey
		opts.AWS = &k
	}
	key := aws.Credentials{AccessKeyID: opts.AWS.AccessKeyID, SecretAccessKey: opts.AWS.SecretAccessKey, SessionToken: opts.AWS.SessionToken}
	tcpSim := sim.New(opts)
	hs := httptest.NewServer(tcpSim)
	t.Cleanup(hs.Close)
	memSim := sim.New(opts)
	return []bedTarget{
		{name: "tcp", srv: tcpSim, client: hs.Client(), base: hs.URL, key: key},
		{name: "transport", srv: memSim, client: &http.Client{Transport: memSim.Transport()}, base: "http://bedrock-runtime.us-east-1.amazonaws.com", key: key},
	}
}

func bedTarget1(t *testing.T, opts sim.Options) bedTarget { return bedTargets(t, opts)[1] }

// modelPath is /model/{id}/{action} with the id escaped as the SDKs do.
func modelPath(model, action string) string {
	return "/model/" + strings.ReplaceAll(strings.ReplaceAll(model, ":", "%3A"), "/", "%2F") + "/" + action
}

// request builds a signed POST; sign may alter the request after signing.
func (tg bedTarget) request(t *testing.T, path string, body []byte, tamper func(*http.Request)) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, tg.base+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256(body)
	now := tg.now
	if now.IsZero() {
		now = time.Now()
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), tg.key, req, hex.EncodeToString(sum[:]), "bedrock", "us-east-1", now); err != nil {
		t.Fatal(err)
	}
	if tamper != nil {
		tamper(req)
	}
	return req
}

func (tg bedTarget) do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := tg.client.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", tg.name, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: read: %v", tg.name, err)
	}
	return resp, data
}

// converse posts a body (a map or raw JSON) to /converse or
// /converse-stream.
func (tg bedTarget) converse(t *testing.T, model string, stream bool, body any) (*http.Response, []byte) {
	t.Helper()
	action := "converse"
	if stream {
		action = "converse-stream"
	}
	return tg.do(t, tg.request(t, modelPath(model, action), bedBody(t, body), nil))
}

func bedBody(t *testing.T, body any) []byte {
	t.Helper()
	if s, ok := body.(string); ok {
		return []byte(s)
	}
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// bedUser is a Converse request with one user message.
func bedUser(text string) map[string]any {
	return map[string]any{"messages": []any{map[string]any{"role": "user", "content": []any{map[string]any{"text": text}}}}, "inferenceConfig": map[string]any{}}
}

// ok sends a unary request that must succeed and returns the body.
func (tg bedTarget) ok(t *testing.T, model string, body any) map[string]any {
	t.Helper()
	resp, data := tg.converse(t, model, false, body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d: %s", tg.name, resp.StatusCode, data)
	}
	return decodeObject(t, data)
}

// frameOf is one decoded event-stream frame.
type frameOf struct {
	headers map[string]string
	payload map[string]any
	raw     []byte
}

// streamFrames sends a streamed request that must answer 200 and decodes
// its frames; err is the framing error that ended it, if any.
func (tg bedTarget) streamFrames(t *testing.T, model string, body any) ([]frameOf, error) {
	t.Helper()
	resp, data := tg.converse(t, model, true, body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d: %s", tg.name, resp.StatusCode, data)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.amazon.eventstream" {
		t.Fatalf("content type %q", ct)
	}
	fr := wire.NewFrameReader(bytes.NewReader(data))
	var out []frameOf
	for {
		f, err := fr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		h := map[string]string{}
		for _, x := range f.Headers {
			h[x.Name] = x.Value
		}
		var p map[string]any
		if err := json.Unmarshal(f.Payload, &p); err != nil {
			t.Fatalf("frame %d payload %s: %v", len(out), f.Payload, err)
		}
		out = append(out, frameOf{headers: h, payload: p, raw: bytes.Clone(f.Payload)})
	}
}
