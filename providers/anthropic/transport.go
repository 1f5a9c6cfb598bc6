package anthropic

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/anthropic/wire"
	"github.com/switchboard-gw/switchboard/providers/internal/upstream"
	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

// maxErrorBodyBytes bounds how much of an error body is read to classify it.
const maxErrorBodyBytes = 1 << 20

const userAgent = "switchboard-gateway"

// send makes one call. A non-nil response always has a 2xx status; any
// other status is returned as a classified error with the body closed,
// whatever its content type (an error to a stream request is plain JSON).
//
// When the request carries an overhead probe, send marks when the upstream
// request was written and, for an error status, when its body was read; the
// caller marks when it has read a 2xx response (or each event of it).
func (p *Provider) send(ctx context.Context, method, url string, body []byte, accept string) (*http.Response, error) {
	probe := overhead.From(ctx)
	ctx = probe.TraceUpstream(ctx)
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, &llm.Error{Kind: llm.KindInternal, Provider: p.cfg.Name, Message: "could not build the upstream request", Err: err}
	}
	h := req.Header
	if body != nil {
		h["Content-Type"] = []string{"application/json"}
	}
	h["Accept"] = []string{accept}
	h["User-Agent"] = []string{userAgent}
	h["Anthropic-Version"] = []string{p.cfg.Version}
	if p.beta != "" {
		h["Anthropic-Beta"] = []string{p.beta}
	}
	for k, v := range p.cfg.Headers {
		h.Set(k, v)
	}
	key, err := p.key(ctx)
	if err != nil {
		return nil, err
	}
	h["X-Api-Key"] = []string{key}
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

func (p *Provider) key(ctx context.Context) (string, error) {
	if p.cfg.Credential == nil {
		return p.cfg.APIKey, nil
	}
	k, err := p.cfg.Credential(ctx)
	if err != nil || k == "" {
		if err == nil {
			err = errNoKey
		}
		return "", &llm.Error{Kind: llm.KindUnavailable, Provider: p.cfg.Name, Message: "could not obtain the credentials for " + p.cfg.Name, Err: err}
	}
	return k, nil
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
