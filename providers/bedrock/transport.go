package bedrock

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/bedrock/wire"
	"github.com/switchboard-gw/switchboard/providers/internal/upstream"
	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

// maxErrorBodyBytes bounds how much of an error body is read to classify it.
const maxErrorBodyBytes = 1 << 20

const userAgent = "switchboard-gateway"

// signingName is the service name Bedrock Runtime requests are signed for.
const signingName = "bedrock"

// send makes one signed POST. A non-nil response always has a 2xx status;
// any other status is returned as a classified error with the body closed.
func (p *Provider) send(ctx context.Context, u *url.URL, body []byte, accept string) (*http.Response, error) {
	probe := overhead.From(ctx)
	ctx = probe.TraceUpstream(ctx)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, &llm.Error{Kind: llm.KindInternal, Provider: p.cfg.Name, Message: "could not build the upstream request", Err: err}
	}
	// url.String() would let Go choose the path's escaping; the model id
	// must travel exactly as it is signed.
	req.URL = u
	h := req.Header
	h["Content-Type"] = []string{"application/json"}
	h["Accept"] = []string{accept}
	h["User-Agent"] = []string{userAgent}
	for k, v := range p.cfg.Headers {
		h.Set(k, v)
	}
	if err := p.sign(ctx, req, body); err != nil {
		return nil, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, p.transportError(ctx, err)
	}
	probe.Sent()
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
		probe.Received()
		return nil, wire.ClassifyError(p.cfg.Name, resp.StatusCode, resp.Header, b)
	}
	return resp, nil
}

// sign adds the SigV4 Authorization, X-Amz-Date and (for temporary
// credentials) X-Amz-Security-Token headers, over the SHA-256 of the body.
// Every header set before it is signed, except User-Agent.
func (p *Provider) sign(ctx context.Context, req *http.Request, body []byte) error {
	creds, err := p.cfg.Credentials(ctx)
	if err == nil && (creds.AccessKeyID == "" || creds.SecretAccessKey == "") {
		err = errIncomplete
	}
	if err != nil {
		return &llm.Error{Kind: llm.KindUnavailable, Provider: p.cfg.Name, Message: "could not obtain the AWS credentials for " + p.cfg.Name, Err: err}
	}
	sum := sha256.Sum256(body)
	if err := p.signer.SignHTTP(ctx, creds.sdk(), req, hex.EncodeToString(sum[:]), signingName, p.cfg.Region, p.cfg.Now()); err != nil {
		return &llm.Error{Kind: llm.KindInternal, Provider: p.cfg.Name, Message: "could not sign the request to " + p.cfg.Name, Err: err}
	}
	return nil
}

// transportError classifies a failure to get a response at all.
func (p *Provider) transportError(ctx context.Context, err error) *llm.Error {
	return upstream.TransportError(ctx, p.cfg.Name, err)
}

// readError classifies a failure while reading a response body.
func (p *Provider) readError(ctx context.Context, err error) *llm.Error {
	return upstream.ReadError(ctx, p.cfg.Name, err)
}

// readBody reads a whole (bounded) response body into a pooled buffer; the
// caller returns it with putBuffer once decoded.
func (p *Provider) readBody(ctx context.Context, body io.Reader) (*bytes.Buffer, error) {
	return upstream.ReadBody(ctx, p.cfg.Name, body)
}

func putBuffer(b *bytes.Buffer) { upstream.PutBuffer(b) }

// withProvider stamps the provider name on an *llm.Error from the wire
// package.
func (p *Provider) withProvider(err error) error {
	var e *llm.Error
	if errors.As(err, &e) && e.Provider == "" {
		e.Provider = p.cfg.Name
	}
	return err
}

func (p *Provider) malformed(what string, err error) *llm.Error {
	return &llm.Error{Kind: llm.KindUpstream, Provider: p.cfg.Name, Message: "malformed " + what + " from " + p.cfg.Name, Err: err}
}
